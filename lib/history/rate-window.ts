/**
 * A fixed-window counter per key in an Azure Table, shared by every API process: one row per key
 * and window, incremented under its ETag (a concurrent increment makes the loser read again).
 */
import type { TableClient } from '@azure/data-tables';
import { ensureTable } from './store';
import { statusOf } from '../storage/rest-errors';

export interface WindowVerdict {
  allowed: boolean;
  /** Seconds until the window ends (for Retry-After). */
  retryAfterS: number;
}

export async function takeFromWindow(table: TableClient, key: string, limit: number, windowMs: number, now = Date.now()): Promise<WindowVerdict> {
  await ensureTable(table);
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const retryAfterS = Math.ceil((windowStart + windowMs - now) / 1000);
  const rowKey = String(windowStart);
  for (let attempt = 0; attempt < 10; attempt++) {
    let row: { count: number; etag: string } | undefined;
    try {
      const e = await table.getEntity<{ count: number }>(key, rowKey);
      row = { count: e.count, etag: e.etag };
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    if (row && row.count >= limit) return { allowed: false, retryAfterS };
    try {
      if (row) await table.updateEntity({ partitionKey: key, rowKey, count: row.count + 1 }, 'Replace', { etag: row.etag });
      else await table.createEntity({ partitionKey: key, rowKey, count: 1 });
      return { allowed: true, retryAfterS };
    } catch (err) {
      // Another process counted first: read again.
      if (statusOf(err) !== 409 && statusOf(err) !== 412) throw err;
    }
  }
  return { allowed: false, retryAfterS };
}
