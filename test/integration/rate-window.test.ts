/** The image self-test's limit (lib/history/rate-window.ts): a sliding window shared through an Azure Table. */
import { randomUUID } from 'node:crypto';
import { historyTableFor } from '../../lib/history/store';
import { MAX_WINDOW_LIMIT, takeFromWindow } from '../../lib/history/rate-window';
import { testServices } from '../helpers/services';

const HOUR = 3_600_000;

describe('sliding rate window', () => {
  const table = historyTableFor(testServices().storageConnectionString, `ratewindow${randomUUID().slice(0, 8)}`);

  it('allows `limit` takes in any window, and the next once the oldest has left it (no reset at the top of the hour)', async () => {
    const key = `p-${randomUUID().slice(0, 8)}`;
    // 10:59:00, 10:59:30, 11:00:10: a fixed hourly window would count the third as the first of a new hour.
    const t0 = Date.UTC(2026, 11, 1, 10, 59, 0);
    expect(await takeFromWindow(table, key, 2, HOUR, t0)).toEqual({ allowed: true, retryAfterS: 0 });
    expect(await takeFromWindow(table, key, 2, HOUR, t0 + 30_000)).toEqual({ allowed: true, retryAfterS: 0 });
    expect(await takeFromWindow(table, key, 2, HOUR, t0 + 70_000)).toEqual({ allowed: false, retryAfterS: 3530 });
    // Refusals take nothing; once the first take is an hour old, one more is allowed, then none again.
    expect((await takeFromWindow(table, key, 2, HOUR, t0 + HOUR - 1)).allowed).toBe(false);
    expect(await takeFromWindow(table, key, 2, HOUR, t0 + HOUR)).toEqual({ allowed: true, retryAfterS: 0 });
    expect(await takeFromWindow(table, key, 2, HOUR, t0 + HOUR + 1000)).toEqual({ allowed: false, retryAfterS: 29 });
    // Keys are apart.
    expect((await takeFromWindow(table, `${key}-other`, 2, HOUR, t0 + HOUR + 1000)).allowed).toBe(true);
  });

  it('counts concurrent takes once each (processes racing on the row)', async () => {
    const key = `p-${randomUUID().slice(0, 8)}`;
    const now = Date.now();
    const verdicts = await Promise.all(Array.from({ length: 8 }, () => takeFromWindow(table, key, 5, HOUR, now)));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
  });

  it('refuses a limit the row cannot hold', async () => {
    await expect(takeFromWindow(table, 'k', MAX_WINDOW_LIMIT + 1, HOUR)).rejects.toThrow(RangeError);
  });
});
