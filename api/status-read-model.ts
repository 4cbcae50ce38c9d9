/**
 * The API's in-memory read model of publish status (docs/architecture.md, "Reading status"): reads
 * are answered from memory and Temporal is asked at most about once per offer per `freshMs`,
 * however many reads arrive. Pure bookkeeping around a loader, so it is tested without Temporal.
 *
 * - younger than `freshMs`: served from memory;
 * - younger than `staleMs`: served from memory at once, refreshed in the background;
 * - missing, older, or invalidated: the read waits for a load.
 * Loads are single-flight per key. A loaded status replaces the kept one only if it is not older
 * (monotonic), and a load that began before an invalidation never becomes the entry (generation).
 */
import type { PublishStatusBody } from '../domain/status';

/** One load's answer: the body and what orders it against another answer for the same key. */
export interface StatusSnapshot {
  body: PublishStatusBody;
  runId: string;
  /** The run's start time; a later run replaces an earlier one. */
  startedAtMs: number;
  /** The memo's publication version; undefined for bodies read by query or from the result. */
  version: number | undefined;
}

export type StatusLoader = (key: string) => Promise<StatusSnapshot>;

/** How a read was answered: from memory (`fresh`), from memory while refreshed (`refreshing`), or after a load it waited for (`loaded`). */
export type StatusReadOutcome = 'fresh' | 'refreshing' | 'loaded';

export interface StatusReadModelOptions {
  /** Age under which an entry is served with no load; 0 disables the model (every read loads). */
  freshMs?: number;
  /** Age under which a stale entry is still served while it is refreshed (default 3 × freshMs); never below freshMs. */
  staleMs?: number;
  /** Keys kept; the least recently read is dropped first. */
  maxEntries?: number;
  /** The clock (tests). */
  now?: () => number;
  /** A background refresh failed; the kept entry is served meanwhile. */
  onRefreshError?: (key: string, err: unknown) => void;
}

export const STATUS_FRESH_MS = 1000;
/** Served while refreshed up to this many times `freshMs`: a first read after a quiet spell is at most this old. */
export const STATUS_STALE_FACTOR = 3;
export const STATUS_MAX_ENTRIES = 10_000;

/** True if `loaded` may replace `kept`: a later run, or the same run at the same or a later version. */
export function supersedes(loaded: StatusSnapshot, kept: StatusSnapshot): boolean {
  if (loaded.runId !== kept.runId) return loaded.startedAtMs > kept.startedAtMs;
  return loaded.version === undefined || kept.version === undefined || loaded.version >= kept.version;
}

interface Slot {
  /** The newest status known; kept after an invalidation as the floor the next load must not go below. */
  kept?: StatusSnapshot;
  /** When `kept` was last confirmed; -Infinity once invalidated, so the next read waits for a load. */
  loadedAt: number;
  /** Bumped by every invalidation; a load started under an older generation is not kept. */
  generation: number;
  inFlight?: Promise<StatusSnapshot>;
}

export class StatusReadModel {
  private readonly slots = new Map<string, Slot>();
  private readonly freshMs: number;
  private readonly staleMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly onRefreshError: (key: string, err: unknown) => void;

  constructor(
    private readonly loader: StatusLoader,
    options: StatusReadModelOptions = {},
  ) {
    this.freshMs = options.freshMs ?? STATUS_FRESH_MS;
    this.staleMs = Math.max(options.staleMs ?? STATUS_STALE_FACTOR * this.freshMs, this.freshMs);
    this.maxEntries = Math.max(1, options.maxEntries ?? STATUS_MAX_ENTRIES);
    this.now = options.now ?? Date.now;
    this.onRefreshError = options.onRefreshError ?? (() => undefined);
  }

  private get enabled(): boolean {
    return this.freshMs > 0;
  }

  /** Keys held (tests and bounds). */
  get size(): number {
    return this.slots.size;
  }

  /** Reads so far by how they were answered (the API's metrics). */
  readonly reads: Record<StatusReadOutcome, number> = { fresh: 0, refreshing: 0, loaded: 0 };

  async read(key: string): Promise<PublishStatusBody> {
    if (!this.enabled) {
      this.reads.loaded++;
      return (await this.loader(key)).body;
    }
    const slot = this.touch(key);
    const age = this.now() - slot.loadedAt;
    if (slot.kept && age < this.freshMs) {
      this.reads.fresh++;
      return slot.kept.body;
    }
    if (slot.kept && age < this.staleMs) {
      this.reads.refreshing++;
      this.load(key, slot).catch((err) => this.onRefreshError(key, err));
      return slot.kept.body;
    }
    this.reads.loaded++;
    return (await this.load(key, slot)).body;
  }

  /** After a write, or an attempt at one: the next read loads, and no load begun before is kept. */
  invalidate(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    slot.generation++;
    slot.loadedAt = -Infinity;
    slot.inFlight = undefined;
  }

  /** A status the caller knows first-hand (a run it just started): invalidates, then keeps it if it supersedes. */
  seed(key: string, snapshot: StatusSnapshot): void {
    if (!this.enabled) return;
    this.invalidate(key);
    const slot = this.touch(key);
    if (slot.kept && !supersedes(snapshot, slot.kept)) return;
    slot.kept = snapshot;
    slot.loadedAt = this.now();
  }

  /** The key's slot, made the most recently used; the least recently used beyond the bound are dropped. */
  private touch(key: string): Slot {
    let slot = this.slots.get(key);
    if (slot) this.slots.delete(key);
    else slot = { loadedAt: -Infinity, generation: 0 };
    this.slots.set(key, slot);
    for (const oldest of this.slots.keys()) {
      if (this.slots.size <= this.maxEntries) break;
      this.slots.delete(oldest);
    }
    return slot;
  }

  /** The slot's load in flight, or a new one. Waiters get the newer of the kept and the loaded status. */
  private load(key: string, slot: Slot): Promise<StatusSnapshot> {
    if (slot.inFlight) return slot.inFlight;
    const generation = slot.generation;
    const current = () => this.slots.get(key) === slot && slot.generation === generation;
    // The loader runs in a microtask, so that even one throwing at once settles through `loading`.
    const loading: Promise<StatusSnapshot> = Promise.resolve()
      .then(() => this.loader(key))
      .then(
        (loaded) => {
          const best = slot.kept && !supersedes(loaded, slot.kept) ? slot.kept : loaded;
          if (current()) {
            slot.kept = best;
            slot.loadedAt = this.now();
          }
          return best;
        },
        (err: unknown) => {
          // Errors are not kept; a key that never loaded does not hold a place in the bound.
          if (current() && !slot.kept) this.slots.delete(key);
          throw err;
        },
      )
      .finally(() => {
        if (slot.inFlight === loading) slot.inFlight = undefined;
      });
    slot.inFlight = loading;
    return loading;
  }
}
