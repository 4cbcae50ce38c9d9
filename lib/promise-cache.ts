/**
 * Promises kept by key for a while: the first caller's load is shared by the callers after it,
 * until it is `ttlMs` old. A load that fails is dropped at once, so the next caller loads again;
 * `forget` drops one early. Expired entries are swept (at most once per tenth of the TTL, not at
 * every call), so memory holds live ones and a few just expired.
 */
export class PromiseCache<T> {
  private readonly entries = new Map<string, { until: number; value: Promise<T> }>();
  private nextSweep = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    if (now >= this.nextSweep) {
      for (const [k, e] of this.entries) if (e.until < now) this.entries.delete(k);
      this.nextSweep = now + this.ttlMs / 10;
    }
    const hit = this.entries.get(key);
    if (hit && hit.until >= now) return hit.value;
    const entry = { until: now + this.ttlMs, value: load() };
    this.entries.set(key, entry);
    // Only this entry: a later load under the same key is not dropped by this one's failure.
    void entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
