/** Small HTTP helpers for talking to the API under test the way a publisher's script would. */
import type { PublishStatusBody } from '../../domain/status';
import { PUBLISHER_KEY, type Stack } from './stack';

// Test replies are inspected field by field; `any` keeps those assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call<T = any>(
  stack: Pick<Stack, 'baseUrl'>,
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  const key = opts.key === undefined ? PUBLISHER_KEY : opts.key;
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(stack.baseUrl + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON (HTML pages) */
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

export const offerPath = (offerId: string, publisherId = 'contoso') => `/api/publishers/${publisherId}/offers/${offerId}`;

/** Polls the status endpoint until `done` holds, failing with the last status seen on timeout. */
export async function waitForStatus(
  stack: Pick<Stack, 'baseUrl'>,
  offerId: string,
  done: (s: PublishStatusBody) => boolean,
  timeoutMs = 60_000,
  publisherId = 'contoso',
): Promise<PublishStatusBody> {
  const deadline = Date.now() + timeoutMs;
  let last: PublishStatusBody | undefined;
  while (Date.now() < deadline) {
    const r = await call<PublishStatusBody>(stack, 'GET', `${offerPath(offerId, publisherId)}/status`);
    if (r.status === 200) {
      last = r.body;
      if (done(last)) return last;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`timed out waiting for status; last: ${JSON.stringify(last && summarize(last))}`);
}

export function summarize(s: PublishStatusBody) {
  return {
    status: s.status,
    currentStep: s.currentStep,
    steps: s.steps.map((st) => `${st.id}:${st.status}${st.messages.length ? ` [${st.messages.map((m) => `${m.level}:${m.field ?? ''}:${m.text}`).join(' | ')}]` : ''}`),
  };
}

export const stepOf = (s: PublishStatusBody, id: string) => s.steps.find((st) => st.id === id)!;
