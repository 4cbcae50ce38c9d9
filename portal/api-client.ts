/**
 * The portal's only way to the offers: the same HTTP API any client uses, called on the socket the
 * browser's request came in on, with the session's API key. So the API's rules — the key check, a
 * publisher key only on its own publisher, the schemas, the 409 reasons — apply to the portal as
 * they are, written once in api/.
 */
import type { Request } from 'express';
import { API_ROUTES, apiPath, type ApiRoute } from '../domain/api-paths';
import type { PublishStatusBody } from '../domain/status';
import type { CertificationReport } from '../domain/certification';
import type { StepDurations } from '../domain/step-durations';
import type { Language } from '../domain/languages';
import type { OfferDraft } from '../domain/offer';
import type { ChangesBody, HistoryPage } from '../domain/history';
import type { OfferSummary } from '../api/publish-gateway';

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Array<{ path: string; message: string }>;
}

export type ApiReply<T> = { ok: true; status: number; body: T } | { ok: false; status: number; error: ApiErrorBody };

export interface ValidationResult {
  valid: boolean;
  messages: Array<{ field?: string; level: 'Info' | 'Warning' | 'Error'; text: string }>;
}

export interface PublishBody {
  offer: OfferDraft;
  notificationEmails?: string[];
  language: Language;
}

/** Dry-run validation reads every image and logo; give it time. */
const TIMEOUT_MS = 60_000;

type Ids = { publisherId: string; offerId?: string };

export class PortalApi {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  /** The API on the same server and port as `req` arrived on. */
  static forRequest(req: Request, key: string): PortalApi {
    const address = req.socket.localAddress ?? '127.0.0.1';
    const host = address.includes(':') ? `[${address}]` : address;
    return new PortalApi(`http://${host}:${req.socket.localPort}`, key);
  }

  listOffers(ids: Ids) {
    return this.json<{ offers: OfferSummary[] }>('listOffers', ids);
  }
  stepDurations(ids: Ids) {
    return this.json<StepDurations>('stepDurations', ids);
  }
  status(ids: Required<Ids>) {
    return this.json<PublishStatusBody>('status', ids);
  }
  certificationReport(ids: Required<Ids>) {
    return this.json<CertificationReport>('certificationReport', ids);
  }
  history(ids: Required<Ids>) {
    return this.json<HistoryPage>('history', ids);
  }
  changes(ids: Required<Ids>) {
    return this.json<ChangesBody>('changes', ids);
  }
  validate(ids: Required<Ids>, offer: OfferDraft) {
    return this.json<ValidationResult>('validate', ids, { offer });
  }
  publish(ids: Required<Ids>, body: PublishBody) {
    return this.json<PublishStatusBody>('publish', ids, body);
  }
  goLive(ids: Required<Ids>) {
    return this.json<PublishStatusBody>('goLive', ids);
  }
  cancel(ids: Required<Ids>, reason: string) {
    return this.json<PublishStatusBody>('cancel', ids, reason ? { reason } : {});
  }
  notificationEmails(ids: Required<Ids>, emails: string[]) {
    return this.json<PublishStatusBody>('notificationEmails', ids, { emails });
  }

  /** The preview page as HTML, as the allow-listed subscription sees it (the route takes no key). */
  previewHtml(ids: Required<Ids>, subscriptionId: string) {
    return this.send<string>('previewPage', ids, undefined, { 'x-ms-subscription-id': subscriptionId, accept: 'text/html' }, (t) => t, false);
  }

  private json<T>(route: ApiRoute, ids: Ids, body?: unknown): Promise<ApiReply<T>> {
    return this.send<T>(route, ids, body, { accept: 'application/json' }, (t) => JSON.parse(t) as T, true);
  }

  private async send<T>(
    route: ApiRoute,
    ids: Ids,
    body: unknown,
    headers: Record<string, string>,
    parse: (text: string) => T,
    withKey: boolean,
  ): Promise<ApiReply<T>> {
    const params: Record<string, string> = { publisherId: ids.publisherId, ...(ids.offerId ? { offerId: ids.offerId } : {}) };
    const res = await fetch(this.baseUrl + apiPath(route, params), {
      method: API_ROUTES[route].method.toUpperCase(),
      headers: {
        ...headers,
        ...(withKey ? { authorization: `Bearer ${this.key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    if (res.ok) return { ok: true, status: res.status, body: parse(text) };
    return { ok: false, status: res.status, error: errorOf(text, res.status) };
  }
}

function errorOf(text: string, status: number): ApiErrorBody {
  try {
    const error = (JSON.parse(text) as { error?: ApiErrorBody }).error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') return error;
  } catch {
    /* not the error shape */
  }
  return { code: 'InternalError', message: `The API answered ${status}.` };
}
