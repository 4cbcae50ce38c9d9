/**
 * Reads mails caught by the run's MailDev through its REST API:
 *   GET    /api/email      → full emails [{ id, subject, to:[{address,name}], text, html, headers, time, … }]
 *   DELETE /api/email/all  → clears the inbox
 * The inbox is shared by all test files of the run, so select mails with a predicate
 * (e.g. by recipient or subject) rather than by position.
 */
import { testServices } from './services';

export interface CaughtMail {
  /** MailDev's own id (for /api/email/:id). */
  id: string;
  subject: string;
  /** Recipient addresses from the To header, lower-cased. */
  to: string[];
  from: string[];
  text: string;
  html: string;
  /** Message-ID header, e.g. `<…@host>`; empty if the sender set none. */
  messageId: string;
  receivedAt: string;
}

interface MailDevAddress {
  address: string;
  name?: string;
}
interface MailDevEmail {
  id: string;
  subject?: string;
  to?: MailDevAddress[];
  from?: MailDevAddress[];
  text?: string;
  html?: string;
  headers?: Record<string, string | string[]>;
  time?: string;
}

function api(pathname: string): string {
  return `${testServices().mailApiUrl}/api${pathname}`;
}

function toCaught(m: MailDevEmail): CaughtMail {
  const id = m.headers?.['message-id'];
  return {
    id: m.id,
    subject: m.subject ?? '',
    to: (m.to ?? []).map((a) => a.address.toLowerCase()),
    from: (m.from ?? []).map((a) => a.address.toLowerCase()),
    text: m.text ?? '',
    html: m.html ?? '',
    messageId: (Array.isArray(id) ? id[0] : id) ?? '',
    receivedAt: m.time ?? '',
  };
}

/** All caught mails, oldest first. */
export async function listMails(): Promise<CaughtMail[]> {
  const res = await fetch(api('/email'));
  if (!res.ok) throw new Error(`MailDev GET /api/email: HTTP ${res.status}`);
  return ((await res.json()) as MailDevEmail[]).map(toCaught);
}

/** Waits until a caught mail matches; the error lists what did arrive, to make failures readable. */
export async function waitForMail(predicate: (m: CaughtMail) => boolean, timeoutMs = 20_000): Promise<CaughtMail> {
  const deadline = Date.now() + timeoutMs;
  let seen: CaughtMail[] = [];
  for (;;) {
    seen = await listMails();
    const hit = seen.find(predicate);
    if (hit) return hit;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const summary = seen.map((m) => `  "${m.subject}" → ${m.to.join(', ')}`).join('\n') || '  (none)';
  throw new Error(`No matching mail within ${timeoutMs} ms; inbox has:\n${summary}`);
}

/** Empties the inbox. Shared by parallel test files: prefer unique recipients over clearing. */
export async function clearMails(): Promise<void> {
  const res = await fetch(api('/email/all'), { method: 'DELETE' });
  if (!res.ok) throw new Error(`MailDev DELETE /api/email/all: HTTP ${res.status}`);
}
