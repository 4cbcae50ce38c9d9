/**
 * What each portal request carries (res.locals.portal): its language and texts, the session if
 * signed in, the CSRF token, the assets; and the helpers routes share to render pages, redirect
 * with a notice, and turn an API refusal into a page.
 */
import type { NextFunction, Request, Response } from 'express';
import { parseCookie } from 'cookie';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/env';
import type { Principal } from '../api/auth';
import { messagesFor, type Messages } from './i18n';
import type { Language } from '../domain/languages';
import { LANGUAGE_COOKIE, requestLanguage } from './language';
import type { CsrfTokens } from './csrf';
import type { Flash, Session, SessionStore } from './sessions';
import { PortalApi, type ApiErrorBody } from './api-client';
import { page, type PageOptions, type ViewContext } from './views/layout';
import { errorBody } from './views/simple-pages';
import { portalPaths, portalRoutes, PORTAL_MOUNT, safeReturnPath } from './paths';

export const SESSION_COOKIE = 'portal_session';
/** Binds the CSRF token of a browser that has not signed in yet (the sign-in and language forms). */
export const PRE_SESSION_COOKIE = 'portal_pre';

export interface PortalState {
  lang: Language;
  t: Messages;
  session?: Session;
  /** The one-time notice for this page, taken from the session when the page was requested. */
  flash?: Flash;
  /** A session cookie came with the request but named no live session (expired, signed out). */
  sessionEnded: boolean;
  binding: string;
  csrfToken: string;
  assets: { css: string; js: string; icon: string };
}

export interface PortalEnv {
  config: AppConfig;
  sessions: SessionStore;
  csrf: CsrfTokens;
  identify: (key: string) => Principal | undefined;
  /** Publisher ids an operator is offered (the configured publisher keys'). */
  knownPublishers: string[];
}

export const stateOf = (res: Response): PortalState => res.locals.portal as PortalState;

/** The JSON a page polls for live updates (portalPaths.live). */
export const isLivePoll = (req: Request): boolean => req.path.startsWith(`${portalRoutes.live}/`);

export function cookieOptions(env: PortalEnv, req: Request, maxAgeMs?: number) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: req.secure || env.config.publicBaseUrl.startsWith('https:'),
    path: PORTAL_MOUNT,
    ...(maxAgeMs ? { maxAge: maxAgeMs } : {}),
  };
}

/** Reads cookies, language and session, and makes the CSRF token; sets the pre-session cookie when needed. */
export function loadState(env: PortalEnv, assets: () => Promise<PortalState['assets']>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const cookies = parseCookie(req.get('cookie') ?? '');
    // A notice is for the next page a person sees, not for a poll that happens to come first.
    const page = req.method === 'GET' && !isLivePoll(req);
    const session = await env.sessions.get(cookies[SESSION_COOKIE], { touch: !isLivePoll(req), takeFlash: page });
    let binding = session?.id ?? cookies[PRE_SESSION_COOKIE];
    if (!binding) {
      binding = randomBytes(24).toString('base64url');
      res.cookie(PRE_SESSION_COOKIE, binding, cookieOptions(env, req));
    }
    const lang = requestLanguage(req, cookies[LANGUAGE_COOKIE]);
    const state: PortalState = {
      lang,
      t: messagesFor(lang),
      session,
      flash: session?.flash,
      sessionEnded: !session && !!cookies[SESSION_COOKIE],
      binding,
      csrfToken: env.csrf.tokenFor(binding),
      assets: await assets(),
    };
    res.locals.portal = state;
    res.vary('Accept-Language').vary('Cookie');
    next();
  };
}

/** The view context for this request; `publisherId` is the publisher the page is about. */
export function viewContext(env: PortalEnv, req: Request, res: Response, publisherId?: string): ViewContext {
  const s = stateOf(res);
  const principal = s.session?.principal;
  return {
    lang: s.lang,
    t: s.t,
    csrfToken: s.csrfToken,
    assets: s.assets,
    path: req.originalUrl,
    flash: s.flash,
    user: principal && {
      label: principal.kind === 'operator' ? s.t.signedInAsOperator : s.t.signedInAsPublisher(principal.publisherId),
      operator: principal.kind === 'operator',
      publisherId: publisherId ?? (principal.kind === 'publisher' ? principal.publisherId : undefined),
      publishers: env.knownPublishers,
    },
  };
}

export function sendPage(res: Response, ctx: ViewContext, opts: PageOptions, status = 200): void {
  res.status(status).type('html').send(page(ctx, opts));
}

/** Pages that need a signed-in session: others go to sign-in (and come back); live JSON gets a 401. */
export function requireSession(req: Request, res: Response, next: NextFunction): void {
  if (stateOf(res).session) return next();
  if (isLivePoll(req)) {
    res.status(401).json({ error: 'signedOut' });
    return;
  }
  const params = new URLSearchParams();
  const back = req.method === 'GET' ? safeReturnPath(req.originalUrl) : undefined;
  if (back) params.set('next', back);
  if (stateOf(res).sessionEnded) params.set('ended', '1');
  res.redirect(303, `${portalPaths.signIn()}${params.size ? `?${params}` : ''}`);
}

export const apiFor = (req: Request, res: Response): PortalApi => PortalApi.forRequest(req, stateOf(res).session!.key);

/** Redirects; `flash` is kept with the session for the page redirected to (which another API process may serve). */
export async function redirectWith(env: PortalEnv, res: Response, to: string, flash?: Flash): Promise<void> {
  const session = stateOf(res).session;
  if (session && flash) await env.sessions.setFlash(session.id, flash);
  res.redirect(303, to);
}

/**
 * A page for an API answer the route does not handle itself: 403 (another publisher's), 404,
 * 410/503 (the API's reason), a key that is no longer valid (sign in again), anything else a 500.
 */
export async function apiErrorPage(
  env: PortalEnv,
  req: Request,
  res: Response,
  reply: { status: number; error: ApiErrorBody },
  ids: { publisherId: string; offerId?: string },
): Promise<void> {
  const s = stateOf(res);
  const { t } = s;
  if (reply.status === 401) {
    if (s.session) await env.sessions.destroy(s.session.id);
    res.clearCookie(SESSION_COOKIE, cookieOptions(env, req));
    res.redirect(303, `${portalPaths.signIn()}?ended=1`);
    return;
  }
  const ctx = viewContext(env, req, res, ids.publisherId);
  const own = s.session?.principal.kind === 'publisher' ? s.session.principal.publisherId : ids.publisherId;
  const pageFor = (status: number, heading: string, text: string, publishOfferId?: string) =>
    sendPage(res, ctx, { title: heading, body: errorBody(ctx, { heading, text, publisherId: status === 403 ? own : ids.publisherId, publishOfferId }) }, status);
  if (reply.status === 403) return pageFor(403, t.errForbiddenTitle, t.errForbidden);
  if (reply.status === 404) return pageFor(404, t.errNotFoundTitle, ids.offerId ? t.errNeverPublished : t.errNotFound, ids.offerId);
  if (reply.status === 410 || reply.status === 503) return pageFor(reply.status, t.errUnavailableTitle, reply.error.message);
  throw new Error(`API answered ${reply.status} ${reply.error.code}`);
}
