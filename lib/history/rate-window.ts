/**
 * A sliding-window limit per key in an Azure Table, shared by every API process: one row per key
 * holding the times of the last `limit` takes, replaced under its ETag (a concurrent take makes the
 * loser read again). Sliding rather than fixed windows: a fixed hour lets a caller take twice the
 * limit around the top of the hour, and its count restarts there whatever was taken a minute before.
 */
import type { TableClient } from '@azure/data-tables';
import { ensureTable } from './store';
import { statusOf } from '../storage/rest-errors';

export interface WindowVerdict {
  allowed: boolean;
  /** Seconds until a take is possible again (for Retry-After); 0 when allowed. */
  retryAfterS: number;
}

/** Most takes a window can allow: the row keeps one time per take (a table property holds 64 KiB). */
export const MAX_WINDOW_LIMIT = 1000;

const ROW_KEY = 'sliding';

/** The takes still inside the window at `now`, oldest first. */
function inWindow(times: number[], now: number, windowMs: number): number[] {
  return times.filter((t) => t > now - windowMs && t <= now).sort((a, b) => a - b);
}

function parseTimes(json: unknown): number[] {
  try {
    const v: unknown = JSON.parse(typeof json === 'string' ? json : '[]');
    return Array.isArray(v) ? v.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
  } catch {
    return [];
  }
}

/** Takes one from `key`'s window of `windowMs` if fewer than `limit` were taken in it. */
export async function takeFromWindow(table: TableClient, key: string, limit: number, windowMs: number, now = Date.now()): Promise<WindowVerdict> {
  if (limit > MAX_WINDOW_LIMIT) throw new RangeError(`a window allows at most ${MAX_WINDOW_LIMIT} takes`);
  await ensureTable(table);
  for (let attempt = 0; attempt < 10; attempt++) {
    let row: { times: number[]; etag: string } | undefined;
    try {
      const e = await table.getEntity<{ times: string }>(key, ROW_KEY);
      row = { times: parseTimes(e.times), etag: e.etag };
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    const recent = inWindow(row?.times ?? [], now, windowMs);
    if (recent.length >= limit) {
      // Free again when the oldest take that still counts leaves the window.
      const oldest = recent[recent.length - limit];
      return { allowed: false, retryAfterS: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)) };
    }
    const entity = { partitionKey: key, rowKey: ROW_KEY, times: JSON.stringify([...recent, now]) };
    try {
      if (row) await table.updateEntity(entity, 'Replace', { etag: row.etag });
      else await table.createEntity(entity);
      return { allowed: true, retryAfterS: 0 };
    } catch (err) {
      // Another process took first: read again.
      if (statusOf(err) !== 409 && statusOf(err) !== 412) throw err;
    }
  }
  return { allowed: false, retryAfterS: 1 };
}
