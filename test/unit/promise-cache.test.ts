/** lib/promise-cache.ts: one load shared per key while fresh; failures and `forget` make the next caller load again. */
import { PromiseCache } from '../../lib/promise-cache';

describe('PromiseCache', () => {
  it('shares one load per key until it expires', async () => {
    const clock = { now: 0 };
    const cache = new PromiseCache<number>(1000, () => clock.now);
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
    expect(await cache.get('b', load)).toBe(2);
    clock.now = 1001;
    expect(await cache.get('a', load)).toBe(3);
  });

  it('drops a failed load, and forget drops a kept one, so the next caller loads again', async () => {
    const cache = new PromiseCache<string>(60_000);
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('k', async () => 'up')).toBe('up');
    cache.forget('k');
    expect(await cache.get('k', async () => 'again')).toBe('again');
  });

  it("an old load's failure does not drop the load that replaced it", async () => {
    const cache = new PromiseCache<string>(60_000);
    let fail!: (e: Error) => void;
    const first = cache.get('k', () => new Promise<string>((_, reject) => (fail = reject)));
    cache.forget('k');
    expect(await cache.get('k', async () => 'second')).toBe('second');
    fail(new Error('late'));
    await expect(first).rejects.toThrow('late');
    expect(await cache.get('k', async () => 'third')).toBe('second');
  });
});
