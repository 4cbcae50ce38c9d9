/**
 * Portal sessions in the shared table (portal/table-sessions.ts), as two API processes see them:
 * two stores on one table. A session, its notice and its end are seen by both; idle and absolute
 * expiry; the row holds neither the cookie's id nor the API key in clear; expired rows are swept.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { historyTable, historyTableFor } from '../../lib/history/store';
import { TableSessionStore, TOUCH_EVERY_MS } from '../../portal/table-sessions';
import { testServices } from '../helpers/services';

const MIN = 60_000;
const KEY = 'portal-session-test-api-key';
const publisher = { kind: 'publisher', publisherId: 'contoso' } as const;

describe('portal sessions in the shared table', () => {
  const table = historyTableFor(testServices().storageConnectionString, `portalsessions${randomUUID().slice(0, 8)}`);
  const secretsKey = randomBytes(32);
  const clock = { now: Date.UTC(2026, 11, 1, 9, 0, 0) };
  const limits = { idleMs: 30 * MIN, absoluteMs: 120 * MIN, maxSessions: 1 };
  // Two API processes: each its own store (and client), one table.
  const one = new TableSessionStore({ table, secretsKey, limits, now: () => clock.now });
  const two = new TableSessionStore({ table: historyTable(testServices().storageConnectionString, table.tableName), secretsKey, limits, now: () => clock.now });
  const rowOf = (id: string) => {
    const rowKey = createHash('sha256').update(id).digest('hex');
    return table.getEntity<Record<string, unknown>>(rowKey.slice(0, 2), rowKey).catch(() => undefined);
  };

  afterAll(async () => {
    await Promise.all([one.sweepExpired(), two.sweepExpired()]);
    await table.deleteTable();
  });

  it('a session made by one process is served by the other; no cap on their number', async () => {
    const s = await one.create(KEY, publisher);
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const seen = await two.get(s.id);
    expect(seen).toMatchObject({ id: s.id, key: KEY, principal: publisher, createdAt: s.createdAt });
    expect((await one.create('other-key', { kind: 'operator' })).id).not.toBe(s.id);
    expect((await one.get(s.id))?.key).toBe(KEY);
    expect(await two.get(`${s.id}x`)).toBeUndefined();
    expect(await two.get(undefined)).toBeUndefined();
  });

  it('stores neither the session id nor the API key in clear', async () => {
    const s = await one.create(KEY, publisher);
    const row = await rowOf(s.id);
    expect(row).toBeDefined();
    const raw = JSON.stringify(row);
    expect(raw).not.toContain(s.id);
    expect(raw).not.toContain(KEY);
    expect(JSON.parse(row!.sealedKey as string)).toMatchObject({ alg: 'AES-256-GCM' });
    // Another key (a changed OFFER_SECRETS_KEY) cannot open it: the session ends.
    const otherKey = new TableSessionStore({ table, secretsKey: randomBytes(32), limits, now: () => clock.now, log: () => undefined });
    expect(await otherKey.get(s.id)).toBeUndefined();
    expect(await rowOf(s.id)).toBeUndefined();
  });

  it('a notice set on one process is taken once on the other, not by a poll', async () => {
    const s = await one.create(KEY, publisher);
    await one.setFlash(s.id, { kind: 'success', text: 'Go live accepted.' });
    expect((await two.get(s.id, { touch: false }))?.flash).toBeUndefined();
    expect((await two.get(s.id, { takeFlash: true }))?.flash).toEqual({ kind: 'success', text: 'Go live accepted.' });
    expect((await one.get(s.id, { takeFlash: true }))?.flash).toBeUndefined();
    expect((await two.get(s.id, { takeFlash: true }))?.flash).toBeUndefined();
    expect(await two.get(s.id)).toBeDefined();
  });

  it('sign-out on one process ends the session on both', async () => {
    const s = await one.create(KEY, publisher);
    expect(await two.get(s.id)).toBeDefined();
    await two.destroy(s.id);
    expect(await one.get(s.id)).toBeUndefined();
    expect(await two.get(s.id)).toBeUndefined();
    expect(await rowOf(s.id)).toBeUndefined();
    await two.setFlash(s.id, { kind: 'error', text: 'late' });
    expect(await rowOf(s.id)).toBeUndefined();
  });

  it('idle expiry, with lastSeenAt written at most once a minute, and polls not touching', async () => {
    const s = await one.create(KEY, publisher);
    const stored = async () => ((await rowOf(s.id))?.lastSeenAt as Date).getTime();
    clock.now += TOUCH_EVERY_MS - 1000;
    expect(await two.get(s.id)).toBeDefined();
    expect(await stored()).toBe(s.createdAt); // not written: less than a minute
    clock.now += 2000;
    expect((await two.get(s.id))?.lastSeenAt).toBe(clock.now);
    expect(await stored()).toBe(clock.now);
    // Polls do not restart the idle time.
    const touchedAt = clock.now;
    for (let t = 0; t < 30; t += 5) {
      clock.now += 5 * MIN;
      expect(await one.get(s.id, { touch: false })).toBeDefined();
    }
    expect(await stored()).toBe(touchedAt);
    clock.now = touchedAt + 30 * MIN + 1;
    expect(await one.get(s.id, { touch: false })).toBeUndefined();
    // Met expired, the row is deleted.
    expect(await rowOf(s.id)).toBeUndefined();
  });

  it('within the touch precision a session ends early, never late', async () => {
    const s = await one.create(KEY, publisher);
    clock.now += TOUCH_EVERY_MS - 1; // read, not written
    expect(await one.get(s.id)).toBeDefined();
    clock.now = s.createdAt + 30 * MIN + 1; // idle 29 min since that read, 30 since the stored time
    expect(await two.get(s.id)).toBeUndefined();
  });

  it('absolute expiry, however active', async () => {
    const s = await one.create(KEY, publisher);
    for (let i = 0; i < 12; i++) {
      clock.now += 10 * MIN;
      expect(await (i % 2 ? one : two).get(s.id)).toBeDefined();
    }
    clock.now += MIN;
    expect(await one.get(s.id)).toBeUndefined();
    expect(await rowOf(s.id)).toBeUndefined();
  });

  it('sweeps expired rows no one reads again', async () => {
    const live = await one.create(KEY, publisher);
    const abandoned = [await two.create(KEY, publisher), await two.create(KEY, publisher)];
    clock.now += 20 * MIN;
    expect(await one.get(live.id)).toBeDefined();
    clock.now += 11 * MIN;
    await one.sweepExpired(); // or joins a sweep a sign-in started, with its older cut-off
    await one.sweepExpired();
    for (const s of abandoned) expect(await rowOf(s.id)).toBeUndefined();
    expect(await two.get(live.id)).toBeDefined();
  });
});
