/** Portal sessions and CSRF tokens: expiry (idle and absolute), sign-out, the cap, tokens bound to their browser. */
import { SessionStore } from '../../portal/sessions';
import { CsrfTokens } from '../../portal/csrf';

const MIN = 60_000;
const publisher = { kind: 'publisher', publisherId: 'contoso' } as const;

function store(limits = { idleMs: 30 * MIN, absoluteMs: 120 * MIN, maxSessions: 3 }) {
  const clock = { now: 1_000_000 };
  return { clock, sessions: new SessionStore(limits, () => clock.now) };
}

describe('portal sessions', () => {
  it('finds a session by its random id until it has been idle too long', () => {
    const { clock, sessions } = store();
    const s = sessions.create('key-1', publisher);
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.create('key-1', publisher).id).not.toBe(s.id);
    clock.now += 29 * MIN;
    expect(sessions.get(s.id)?.key).toBe('key-1');
    clock.now += 29 * MIN; // idle time restarted by the read above
    expect(sessions.get(s.id)).toBeDefined();
    clock.now += 31 * MIN;
    expect(sessions.get(s.id)).toBeUndefined();
    expect(sessions.get(undefined)).toBeUndefined();
  });

  it('polling for live updates does not keep a session alive', () => {
    const { clock, sessions } = store();
    const s = sessions.create('key', publisher);
    for (let i = 0; i < 40; i++) {
      clock.now += MIN;
      sessions.get(s.id, { touch: false });
    }
    expect(sessions.get(s.id, { touch: false })).toBeUndefined();
  });

  it('ends every session after its absolute lifetime, however active, and at sign-out', () => {
    const { clock, sessions } = store();
    const s = sessions.create('key', publisher);
    for (let i = 0; i < 12; i++) {
      clock.now += 10 * MIN;
      expect(sessions.get(s.id)).toBeDefined();
    }
    clock.now += 1 * MIN;
    expect(sessions.get(s.id)).toBeUndefined();
    const t = sessions.create('key', publisher);
    sessions.destroy(t.id);
    expect(sessions.get(t.id)).toBeUndefined();
  });

  it('keeps at most maxSessions, dropping the least recently used, and expired ones first', () => {
    const { clock, sessions } = store();
    const [a, b, c] = [sessions.create('a', publisher), sessions.create('b', publisher), sessions.create('c', publisher)];
    sessions.get(a.id);
    const d = sessions.create('d', publisher);
    expect([a, b, c, d].map((s) => sessions.get(s.id)?.key)).toEqual(['a', undefined, 'c', 'd']);
    clock.now += 31 * MIN;
    sessions.create('e', publisher);
    expect(sessions.size).toBe(1);
  });
});

describe('portal CSRF tokens', () => {
  it('accept the token of the same binding only', () => {
    const csrf = new CsrfTokens();
    const token = csrf.tokenFor('session-a');
    expect(csrf.verify('session-a', token)).toBe(true);
    expect(csrf.verify('session-b', token)).toBe(false);
    expect(csrf.verify('session-a', token.slice(1))).toBe(false);
    expect(csrf.verify('session-a', undefined)).toBe(false);
    expect(csrf.verify('session-a', [token])).toBe(false);
    expect(csrf.verify(undefined, token)).toBe(false);
    // Another process (another secret) does not accept it.
    expect(new CsrfTokens().verify('session-a', token)).toBe(false);
  });
});
