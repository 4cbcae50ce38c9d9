/**
 * The API's status read model (api/status-read-model.ts) with a fake clock and a loader whose
 * answers the test releases one by one: no Temporal, no timers.
 */
import type { PublishStatusBody } from '../../domain/status';
import { StatusReadModel, type StatusReadModelOptions, type StatusSnapshot } from '../../api/status-read-model';

const KEY = 'publish/contoso/offer-1';

function snapshot(version: number | undefined, runId = 'run-1', startedAtMs = 1_000): StatusSnapshot {
  const body = { runId, updatedAt: `v${version}` } as PublishStatusBody;
  return { body, runId, startedAtMs, version };
}

/** A loader whose calls wait until the test answers them, in any order. */
function fakeLoader() {
  const calls: { key: string; resolve: (s: StatusSnapshot) => void; reject: (e: unknown) => void }[] = [];
  const loader = (key: string) => new Promise<StatusSnapshot>((resolve, reject) => calls.push({ key, resolve, reject }));
  return { loader, calls };
}

/** Lets the model's promise callbacks run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

function model(options: StatusReadModelOptions = {}) {
  const clock = { now: 0 };
  const fake = fakeLoader();
  const onRefreshError = jest.fn();
  const m = new StatusReadModel(fake.loader, { now: () => clock.now, onRefreshError, ...options });
  return { m, clock, calls: fake.calls, onRefreshError };
}

/** Reads once with an empty model and answers the load with `s`. */
async function primed(s: StatusSnapshot, options: StatusReadModelOptions = {}) {
  const t = model(options);
  const first = t.m.read(KEY);
  await settle();
  t.calls[0].resolve(s);
  expect(await first).toBe(s.body);
  return t;
}

describe('status read model', () => {
  it('serves a fresh entry with no load', async () => {
    const s = snapshot(1);
    const { m, clock, calls } = await primed(s);
    clock.now = 999;
    expect(await m.read(KEY)).toBe(s.body);
    expect(await m.read(KEY)).toBe(s.body);
    expect(calls).toHaveLength(1);
  });

  it('serves a stale entry at once and refreshes it with one background load, however many read', async () => {
    const s1 = snapshot(1);
    const { m, clock, calls } = await primed(s1);
    clock.now = 1_500;
    const reads = await Promise.all(Array.from({ length: 20 }, () => m.read(KEY)));
    expect(reads.every((b) => b === s1.body)).toBe(true);
    await settle();
    expect(calls).toHaveLength(2);

    const s2 = snapshot(2);
    calls[1].resolve(s2);
    await settle();
    expect(await m.read(KEY)).toBe(s2.body);
    expect(calls).toHaveLength(2);
    // Counted by how they were answered (the API's publish_status_reads_total).
    expect(m.reads).toEqual({ loaded: 1, refreshing: 20, fresh: 1 });
  });

  it('waits for a load when the entry is older than staleMs', async () => {
    const { m, clock, calls } = await primed(snapshot(1));
    clock.now = 10_000;
    const read = m.read(KEY);
    await settle();
    expect(calls).toHaveLength(2);
    const s2 = snapshot(2);
    calls[1].resolve(s2);
    expect(await read).toBe(s2.body);
  });

  it('shares one load among concurrent readers of a missing entry', async () => {
    const { m, calls } = model();
    const reads = Promise.all([m.read(KEY), m.read(KEY), m.read(KEY)]);
    await settle();
    expect(calls).toHaveLength(1);
    const s = snapshot(1);
    calls[0].resolve(s);
    expect(await reads).toEqual([s.body, s.body, s.body]);
  });

  it('keeps readers of different keys apart', async () => {
    const { m, calls } = model();
    const a = m.read('publish/contoso/a');
    const b = m.read('publish/fabrikam/a');
    await settle();
    expect(calls.map((c) => c.key)).toEqual(['publish/contoso/a', 'publish/fabrikam/a']);
    const sa = snapshot(1, 'run-a');
    const sb = snapshot(1, 'run-b');
    calls[0].resolve(sa);
    calls[1].resolve(sb);
    expect(await a).toBe(sa.body);
    expect(await b).toBe(sb.body);
  });

  it('never replaces a newer version with an older one, nor a later run with an earlier one', async () => {
    const s5 = snapshot(5);
    const { m, clock, calls } = await primed(s5);
    clock.now = 2_000;
    await m.read(KEY); // stale: background load
    await settle();
    calls[1].resolve(snapshot(4)); // slow, from before the version 5 was read
    await settle();
    expect(await m.read(KEY)).toBe(s5.body);

    clock.now = 4_000;
    await m.read(KEY);
    await settle();
    calls[2].resolve(snapshot(9, 'run-0', 500)); // an earlier run
    await settle();
    expect(await m.read(KEY)).toBe(s5.body);

    clock.now = 6_000;
    await m.read(KEY);
    await settle();
    const later = snapshot(0, 'run-2', 5_000);
    calls[3].resolve(later);
    await settle();
    expect(await m.read(KEY)).toBe(later.body);
  });

  it('lets a body without a version (query, result) replace one of the same run', async () => {
    const { m, clock, calls } = await primed(snapshot(3));
    clock.now = 2_000;
    await m.read(KEY);
    await settle();
    const queried = snapshot(undefined);
    calls[1].resolve(queried);
    await settle();
    expect(await m.read(KEY)).toBe(queried.body);
  });

  it('after an invalidation, loads again and does not keep a load begun before it', async () => {
    const { m, clock, calls } = await primed(snapshot(1));
    clock.now = 1_500;
    await m.read(KEY); // stale: background load begins
    await settle();
    expect(calls).toHaveLength(2);

    m.invalidate(KEY); // an update was accepted
    const next = m.read(KEY);
    await settle();
    expect(calls).toHaveLength(3); // the read did not join the earlier load
    const after = snapshot(3);
    calls[2].resolve(after);
    expect(await next).toBe(after.body);

    // The earlier load ends last: its answer is not kept, though a body without a version would win by version.
    calls[1].resolve(snapshot(undefined));
    await settle();
    expect(await m.read(KEY)).toBe(after.body);
    expect(calls).toHaveLength(3);
  });

  it('does not keep a load begun before an invalidation even when nothing was read since', async () => {
    const { m, calls } = model();
    const before = m.read(KEY);
    await settle();
    m.invalidate(KEY);
    const old = snapshot(7);
    calls[0].resolve(old);
    expect(await before).toBe(old.body); // its reader asked before the write
    const next = m.read(KEY);
    await settle();
    expect(calls).toHaveLength(2);
    const fresh = snapshot(8);
    calls[1].resolve(fresh);
    expect(await next).toBe(fresh.body);
  });

  it('keeps a seeded start until it is stale, and a load begun before the seed cannot replace it', async () => {
    const old = snapshot(9, 'run-1', 1_000);
    const { m, clock, calls } = await primed(old);
    clock.now = 1_500;
    await m.read(KEY); // stale: background load of the old run begins
    await settle();
    const started = snapshot(0, 'run-2', 1_400);
    m.seed(KEY, started);
    expect(await m.read(KEY)).toBe(started.body);
    calls[1].resolve(snapshot(10, 'run-1', 1_000));
    await settle();
    expect(await m.read(KEY)).toBe(started.body);
    expect(calls).toHaveLength(2);
  });

  it('does not keep errors: the next read loads again', async () => {
    const { m, calls } = model();
    const first = m.read(KEY);
    await settle();
    calls[0].reject(new Error('404'));
    await expect(first).rejects.toThrow('404');
    expect(m.size).toBe(0);
    const second = m.read(KEY);
    await settle();
    expect(calls).toHaveLength(2);
    const s = snapshot(1);
    calls[1].resolve(s);
    expect(await second).toBe(s.body);
  });

  it('keeps the entry when a background refresh fails, and reports the failure', async () => {
    const s = snapshot(1);
    const { m, clock, calls, onRefreshError } = await primed(s);
    clock.now = 1_500;
    expect(await m.read(KEY)).toBe(s.body);
    await settle();
    const failure = new Error('503');
    calls[1].reject(failure);
    await settle();
    expect(onRefreshError).toHaveBeenCalledWith(KEY, failure);
    expect(await m.read(KEY)).toBe(s.body);
    await settle();
    expect(calls).toHaveLength(3); // still stale: refreshed again
  });

  it('holds at most maxEntries keys, dropping the least recently read', async () => {
    const { m, calls } = model({ maxEntries: 2 });
    const read = async (key: string) => {
      const r = m.read(key);
      await settle();
      calls.at(-1)!.resolve(snapshot(1, key));
      return r;
    };
    await read('a');
    await read('b');
    await m.read('a'); // fresh: a is now the most recent
    await read('c'); // drops b
    expect(m.size).toBe(2);
    expect(calls.map((c) => c.key)).toEqual(['a', 'b', 'c']);
    await m.read('a');
    expect(calls).toHaveLength(3);
    await read('b');
    expect(calls.map((c) => c.key)).toEqual(['a', 'b', 'c', 'b']);
    expect(m.size).toBe(2);
  });

  it('with freshMs 0, loads on every read and keeps nothing', async () => {
    const { m, calls } = model({ freshMs: 0 });
    for (let i = 0; i < 3; i++) {
      const r = m.read(KEY);
      await settle();
      calls[i].resolve(snapshot(i));
      await r;
    }
    expect(calls).toHaveLength(3);
    m.seed(KEY, snapshot(4));
    expect(m.size).toBe(0);
  });
});
