/**
 * Portal sessions: a random id in an HttpOnly cookie maps to the signed-in API key and whom it
 * identifies. The key stays on the server, never in the browser. Sessions end after an idle time
 * and after an absolute lifetime, and on sign-out.
 *
 * Two stores: TableSessionStore (table-sessions.ts), shared by every API process through an Azure
 * Table, what the API uses; and MemorySessionStore below, one process's memory, for tests and for
 * an API without OFFER_SECRETS_KEY (its sessions end with the process and are not seen by others).
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../api/auth';

export interface Flash {
  kind: 'success' | 'error';
  text: string;
}

export interface Session {
  readonly id: string;
  /** The API key the portal calls the API with on this session's behalf. */
  readonly key: string;
  readonly principal: Principal;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  /** The one-time notice set by setFlash, when the read took it (`takeFlash`). */
  readonly flash?: Flash;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
  /** Past it, the sessions idle the longest are dropped first (the memory store; the table has no cap). */
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 60 * 60_000, maxSessions: 10_000 };

export interface GetOptions {
  /** Restarts the idle time (the default); a page polling for updates does not, so an unattended page still ends its session. */
  touch?: boolean;
  /** Returns the pending notice in `flash` and removes it, so it is shown once (a page load, not a poll). */
  takeFlash?: boolean;
}

export interface SessionStore {
  readonly limits: SessionLimits;
  /** A new session with a new random id. */
  create(key: string, principal: Principal): Promise<Session>;
  /** The live session of `id`, undefined when unknown or expired (an expired one is removed). */
  get(id: string | undefined, opts?: GetOptions): Promise<Session | undefined>;
  /** Ends the session, for every process at once. */
  destroy(id: string): Promise<void>;
  /** Keeps a one-time notice for the session's next page (after a redirect, maybe served by another process). */
  setFlash(id: string, flash: Flash): Promise<void>;
}

/** Whether a session last seen at `lastSeenAt` and created at `createdAt` has ended at `now`. */
export function sessionExpired(limits: SessionLimits, s: Pick<Session, 'createdAt' | 'lastSeenAt'>, now: number): boolean {
  return now - s.lastSeenAt > limits.idleMs || now - s.createdAt > limits.absoluteMs;
}

export const newSessionId = (): string => randomBytes(32).toString('base64url');

type Entry = { -readonly [K in keyof Session]: Session[K] };

/** Sessions in this process's memory: lost at a restart, unknown to other processes; at most maxSessions. */
export class MemorySessionStore implements SessionStore {
  /** In order of last use: the first entries are the ones to drop. */
  private readonly sessions = new Map<string, Entry>();

  constructor(
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  async create(key: string, principal: Principal): Promise<Session> {
    this.sweep();
    const at = this.now();
    const entry: Entry = { id: newSessionId(), key, principal, createdAt: at, lastSeenAt: at };
    this.sessions.set(entry.id, entry);
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= this.limits.maxSessions) break;
      this.sessions.delete(id);
    }
    return { ...entry };
  }

  async get(id: string | undefined, { touch = true, takeFlash = false }: GetOptions = {}): Promise<Session | undefined> {
    if (!id) return undefined;
    const entry = this.sessions.get(id);
    if (!entry) return undefined;
    if (sessionExpired(this.limits, entry, this.now())) {
      this.sessions.delete(id);
      return undefined;
    }
    if (touch) {
      entry.lastSeenAt = this.now();
      this.sessions.delete(id);
      this.sessions.set(id, entry);
    }
    const { flash, ...session } = entry;
    if (!takeFlash || !flash) return session;
    entry.flash = undefined;
    return { ...session, flash };
  }

  async destroy(id: string): Promise<void> {
    this.sessions.delete(id);
  }

  async setFlash(id: string, flash: Flash): Promise<void> {
    const entry = this.sessions.get(id);
    if (entry) entry.flash = flash;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Drops expired sessions (on each sign-in, so memory holds live sessions only). */
  private sweep(): void {
    const at = this.now();
    for (const [id, s] of this.sessions) if (sessionExpired(this.limits, s, at)) this.sessions.delete(id);
  }
}
