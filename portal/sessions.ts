/**
 * Portal sessions, kept in this API process's memory: a random id in an HttpOnly cookie maps to
 * the signed-in API key and whom it identifies. The key stays here, never in the browser. Sessions
 * end after an idle time and after an absolute lifetime, and on sign-out; a restart of the process
 * signs everyone out (several API processes behind a balancer would need a shared store).
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
  lastSeenAt: number;
  /** A one-time notice for the next page (after a redirect). */
  flash?: Flash;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
  /** Past it, the sessions idle the longest are dropped first. */
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 60 * 60_000, maxSessions: 10_000 };

export class SessionStore {
  /** In order of last use: the first entries are the ones to drop. */
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  create(key: string, principal: Principal): Session {
    this.sweep();
    const at = this.now();
    const session: Session = { id: randomBytes(32).toString('base64url'), key, principal, createdAt: at, lastSeenAt: at };
    this.sessions.set(session.id, session);
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= this.limits.maxSessions) break;
      this.sessions.delete(id);
    }
    return session;
  }

  /**
   * The live session of `id`, undefined when unknown or expired. `touch` (the default) restarts its
   * idle time; a page polling for updates does not, so an unattended page still ends its session.
   */
  get(id: string | undefined, { touch = true } = {}): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.expired(session)) {
      this.sessions.delete(id);
      return undefined;
    }
    if (!touch) return session;
    session.lastSeenAt = this.now();
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(s: Session): boolean {
    const at = this.now();
    return at - s.lastSeenAt > this.limits.idleMs || at - s.createdAt > this.limits.absoluteMs;
  }

  /** Drops expired sessions (on each sign-in, so memory holds live sessions only). */
  private sweep(): void {
    for (const [id, s] of this.sessions) if (this.expired(s)) this.sessions.delete(id);
  }
}
