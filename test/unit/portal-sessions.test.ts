/** Portal sessions (the memory store) and CSRF tokens: expiry (idle and absolute), sign-out, the one-time notice, the cap, tokens bound to their browser. */
import { MemorySessionStore } from '../../portal/sessions';
import { csrfSecretFrom, CsrfTokens } from '../../portal/csrf';
import { randomBytes } from 'node:crypto';

const MIN = 60_000;
const publisher = { kind: 'publisher', publisherId: 'contoso' } as const;

function store(limits = { idleMs: 30 * MIN, absoluteMs: 120 * MIN, maxSessions: 3 }) {
  const clock = { now: 1_000_000 };
  return { clock, sessions: new MemorySessionStore(limits, () => clock.now) };
}

describe('portal sessions', () => {
  it('finds a session by its random id until it has been idle too long', async () => {
    const { clock, sessions } = store();
    const s = await sessions.create('key-1', publisher);
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await sessions.create('key-1', publisher)).id).not.toBe(s.id);
    clock.now += 29 * MIN;
    expect((await sessions.get(s.id))?.key).toBe('key-1');
    clock.now += 29 * MIN; // idle time restarted by the read above
    expect(await sessions.get(s.id)).toBeDefined();
    clock.now += 31 * MIN;
    expect(await sessions.get(s.id)).toBeUndefined();
    expect(await sessions.get(undefined)).toBeUndefined();
  });

  it('polling for live updates does not keep a session alive', async () => {
    const { clock, sessions } = store();
    const s = await sessions.create('key', publisher);
    for (let i = 0; i < 40; i++) {
      clock.now += MIN;
      await sessions.get(s.id, { touch: false });
    }
    expect(await sessions.get(s.id, { touch: false })).toBeUndefined();
  });

  it('ends every session after its absolute lifetime, however active, and at sign-out', async () => {
    const { clock, sessions } = store();
    const s = await sessions.create('key', publisher);
    for (let i = 0; i < 12; i++) {
      clock.now += 10 * MIN;
      expect(await sessions.get(s.id)).toBeDefined();
    }
    clock.now += 1 * MIN;
    expect(await sessions.get(s.id)).toBeUndefined();
    const t = await sessions.create('key', publisher);
    await sessions.destroy(t.id);
    expect(await sessions.get(t.id)).toBeUndefined();
  });

  it('keeps a notice for the next read that takes it, once', async () => {
    const { sessions } = store();
    const s = await sessions.create('key', publisher);
    await sessions.setFlash(s.id, { kind: 'success', text: 'Done.' });
    expect((await sessions.get(s.id))?.flash).toBeUndefined();
    expect((await sessions.get(s.id, { touch: false }))?.flash).toBeUndefined();
    expect((await sessions.get(s.id, { takeFlash: true }))?.flash).toEqual({ kind: 'success', text: 'Done.' });
    expect((await sessions.get(s.id, { takeFlash: true }))?.flash).toBeUndefined();
    await sessions.setFlash('unknown', { kind: 'error', text: 'x' });
    expect(sessions.size).toBe(1);
  });

  it('keeps at most maxSessions, dropping the least recently used, and expired ones first', async () => {
    const { clock, sessions } = store();
    const [a, b, c] = [await sessions.create('a', publisher), await sessions.create('b', publisher), await sessions.create('c', publisher)];
    await sessions.get(a.id);
    const d = await sessions.create('d', publisher);
    const keys = [];
    for (const s of [a, b, c, d]) keys.push((await sessions.get(s.id))?.key);
    expect(keys).toEqual(['a', undefined, 'c', 'd']);
    clock.now += 31 * MIN;
    await sessions.create('e', publisher);
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

  it('are accepted by every process whose secret comes from the same OFFER_SECRETS_KEY', () => {
    const key = randomBytes(32);
    const token = new CsrfTokens(csrfSecretFrom(key)).tokenFor('session-a');
    expect(new CsrfTokens(csrfSecretFrom(key)).verify('session-a', token)).toBe(true);
    expect(new CsrfTokens(csrfSecretFrom(randomBytes(32))).verify('session-a', token)).toBe(false);
    expect(csrfSecretFrom(key).equals(key)).toBe(false);
  });
});
