/**
 * One HTTP POST of a test lead, and what its answer means for the run. Publisher-given URLs go
 * through the URL policy (`policedFetch`); fixed services we chose (Salesforce, Marketo, the
 * Microsoft identity platform) skip its host list and are not followed on redirects. Every
 * connection, to either, passes the policy's address rule when it connects (`guardedFetch`).
 * Messages name the destination by host and path only, and every `secrets` value is cut from them.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { ErrorType, publisherFailure } from '../../../domain/errors';
import { guardedFetch, policedFetch, redactUrl, UrlFetchError, UrlPolicyError, type UrlPolicy } from '../../../lib/net/url-policy';
import { scrubSecrets } from '../../../lib/storage/rest-errors';
import { KiB } from '../../../domain/units';

/** Bytes of an answer we read (enough for an error document); the rest is not transferred. */
const MAX_ANSWER_BYTES = 64 * KiB;

export interface LeadPostAnswer {
  status: number;
  /** The answer body, cut to 64 KiB. */
  text: string;
  headers: Headers;
}

export interface LeadPostOptions {
  /** The lead URL policy: all of it for a publisher-given URL, its address rule and timeout for a fixed service. */
  policy: UrlPolicy;
  /** A fixed service of our choosing (not on the publisher host list; its redirects are answers, not followed). */
  fixedService?: boolean;
  /** Names the target in messages, e.g. `the Marketo form 1001 of 123-ABC-456`. */
  where: string;
  /** The leadDestination field a publisher fixes when the URL is refused. */
  field: string;
  /** Values that must never appear in a message (client secrets, tokens). */
  secrets?: Array<string | undefined>;
}

/** `text` with every secret replaced, query strings and key-like values scrubbed. */
export function redactSecrets(text: string, secrets: Array<string | undefined> = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('…');
  return scrubSecrets(out);
}

/** POSTs `body`; network failures are retryable Errors, a refused URL is a non-retryable failure. */
export async function postLead(url: string, init: { headers: Record<string, string>; body: string }, opts: LeadPostOptions): Promise<LeadPostAnswer> {
  const clean = (m: string) => redactSecrets(m, opts.secrets);
  if (!opts.fixedService) {
    try {
      const res = await policedFetch(url, { method: 'POST', headers: init.headers, body: init.body }, opts.policy, { maxBytes: MAX_ANSWER_BYTES });
      const text = (await res.head(MAX_ANSWER_BYTES)).toString('utf8');
      return { status: res.status, text, headers: res.headers };
    } catch (err) {
      if (err instanceof UrlPolicyError) {
        throw publisherFailure(ErrorType.LeadDestinationNotAllowed, `${opts.field} is not allowed: ${clean(err.message)}`);
      }
      const why = err instanceof UrlFetchError ? err.message : String((err as Error | null)?.message ?? err);
      throw new Error(clean(`Sending the test lead to ${opts.where} failed, will retry: ${why.split('\n')[0].slice(0, 300)}`));
    }
  }
  const { timeoutMs } = opts.policy;
  try {
    const res = await guardedFetch(url, { method: 'POST', headers: init.headers, body: init.body, signal: AbortSignal.timeout(timeoutMs) }, opts.policy);
    const text = Buffer.from(await res.arrayBuffer()).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
    return { status: res.status, text, headers: res.headers };
  } catch (err) {
    // A fixed service on a refused address is our problem (its DNS), not the publisher's: retried.
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const why =
      e?.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : e?.cause instanceof UrlPolicyError
          ? e.cause.message
          : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err));
    throw new Error(clean(`Sending the test lead to ${opts.where} (${redactUrl(url)}) failed, will retry: ${why}`));
  }
}

/** Statuses worth another attempt: timeouts, throttling, server errors. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * The error for a status that is not success: retryable (plain Error) for 408/429/5xx, else a
 * non-retryable `LeadDestinationRejected` with `advice` — what the publisher should check.
 */
export function rejection(status: number, where: string, advice: string, secrets?: Array<string | undefined>): Error {
  if (isRetryableStatus(status)) {
    return new Error(redactSecrets(`${where} answered HTTP ${status} to the test lead; will retry`, secrets));
  }
  return publisherFailure(ErrorType.LeadDestinationRejected, redactSecrets(`${where} rejected the test lead (HTTP ${status}): ${advice}`, secrets));
}

/** A non-retryable failure for a destination setting that cannot work. */
export const invalidDestination = (message: string): ApplicationFailure => publisherFailure(ErrorType.LeadDestinationInvalid, message);

/** `application/x-www-form-urlencoded` body of the given fields. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: '*/*' };
