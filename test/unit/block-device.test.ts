import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BlockDeviceError, openBlockDevice, type BlockDevice } from '../../lib/net/block-device';
import { UrlPolicyError, type UrlPolicy } from '../../lib/net/url-policy';
import { startRangeServer, type RangeServer } from '../../samples/range-server';
import { KiB } from '../../domain/units';

const dev: UrlPolicy = { allowedHosts: [], allowLoopback: true, timeoutMs: 5000 };

let dir: string;
let server: RangeServer;
let data: Buffer;
let fileUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blockdev-'));
  data = Buffer.alloc(300 * KiB + 7);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 10)) & 0xff;
  const file = join(dir, 'data.bin');
  await writeFile(file, data);
  fileUrl = pathToFileURL(file).href;
  server = await startRangeServer();
  server.routes.set('/data.bin', { file });
  server.routes.set('/whole.bin', { file, ignoreRange: true });
  server.routes.set('/empty.bin', { body: Buffer.alloc(0) });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await server?.close();
});

describe.each([
  ['file:', () => fileUrl],
  ['http', () => server.url('/data.bin?sig=SECRET')],
])('block device over %s', (_kind, url) => {
  let device: BlockDevice;
  beforeEach(async () => {
    device = await openBlockDevice(url(), { policy: dev, blockSize: 64 * KiB, cacheBlocks: 3 });
  });
  afterEach(() => device.close());

  it('knows its size and reads exact ranges, across blocks', async () => {
    expect(await device.size()).toBe(data.length);
    expect((await device.read(0, 10)).equals(data.subarray(0, 10))).toBe(true);
    expect((await device.read(64 * KiB - 3, 10)).equals(data.subarray(64 * KiB - 3, 64 * KiB + 7))).toBe(true);
    expect((await device.read(data.length - 512, 512)).equals(data.subarray(data.length - 512))).toBe(true);
    expect((await device.read(5, 0)).length).toBe(0);
    // Larger than the cache: read directly.
    expect((await device.read(1000, 250 * KiB)).equals(data.subarray(1000, 1000 + 250 * KiB))).toBe(true);
    expect(device.label).not.toContain('SECRET');
  });

  it('serves repeated reads from its cache', async () => {
    await device.read(100, 10);
    const after = device.bytesRead;
    await device.read(200, 1000);
    await device.read(64 * KiB - 100, 50);
    expect(device.bytesRead).toBe(after);
  });

  it('refuses reads past the end or with bad arguments', async () => {
    await expect(device.read(data.length - 1, 2)).rejects.toBeInstanceOf(BlockDeviceError);
    await expect(device.read(-1, 2)).rejects.toThrow(/invalid read/);
    await expect(device.read(0.5, 2)).rejects.toThrow(/invalid read/);
  });

  it('keeps to its byte budget', async () => {
    const small = await openBlockDevice(url(), { policy: dev, blockSize: 64 * KiB, maxBytes: 100 * KiB });
    await small.read(0, 10);
    await expect(small.read(200 * KiB, 10)).rejects.toThrow(/budget/);
    await small.close();
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    const d = await openBlockDevice(url(), { policy: dev, signal: ac.signal });
    ac.abort(new Error('stop now'));
    await expect(d.read(0, 10)).rejects.toThrow('stop now');
    await d.close();
  });

  it('counts cache hits against the served-bytes budget', async () => {
    const d = await openBlockDevice(url(), { policy: dev, maxBytesServed: 100 * KiB });
    for (let i = 0; i < 10; i++) await d.read(0, 10 * KiB); // one transfer, then hits
    expect(d.bytesServed).toBe(100 * KiB);
    await expect(d.read(0, 1)).rejects.toThrow(/budget of 102400 bytes read from this image \(cache hits included\)/);
    expect(d.bytesRead).toBeLessThan(100 * KiB);
    await d.close();
  });

  it('meets its deadline, turns the event loop and reports progress while reading only cache hits', async () => {
    const progress: number[] = [];
    const d = await openBlockDevice(url(), { policy: dev, signal: AbortSignal.timeout(1500), onProgress: (n) => progress.push(n) });
    await d.read(0, 100);
    const transferred = d.bytesRead;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const started = performance.now();
    try {
      // Without a check on every read, nothing here would ever see the deadline.
      await expect((async () => {
        for (let i = 0; i < 2e7; i++) await d.read(i % 1000, 64);
      })()).rejects.toThrow(/timeout|aborted/i);
    } finally {
      clearInterval(ticker);
    }
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(3000);
    expect(d.bytesRead).toBe(transferred); // all hits
    expect(ticks).toBeGreaterThan(elapsed / 10 / 4); // the 10 ms timer kept running
    expect(progress.length).toBeGreaterThanOrEqual(1); // at least once a second, without transfers
    await d.close();
  });
});

describe('block device over HTTP', () => {
  it('uses one-byte probe and block-sized range requests', async () => {
    server.reset();
    const d = await openBlockDevice(server.url('/data.bin'), { policy: dev, blockSize: 64 * KiB });
    await d.read(data.length - 512, 512);
    expect(server.requests.map((r) => r.range)).toEqual(['bytes=0-0', `bytes=${256 * KiB}-${data.length - 1}`]);
    expect(d.bytesRead).toBe(1 + data.length - 256 * KiB);
  });

  it('requires range support', async () => {
    const d = await openBlockDevice(server.url('/whole.bin'), { policy: dev });
    await expect(d.size()).rejects.toThrow(/ignores HTTP range requests/);
    expect(d.bytesRead).toBeLessThan(data.length);
  });

  it('reports HTTP errors and empty files', async () => {
    const missing = await openBlockDevice(server.url('/nope.bin?sig=SECRET'), { policy: dev });
    await expect(missing.size()).rejects.toThrow(/HTTP 404/);
    const empty = await openBlockDevice(server.url('/empty.bin'), { policy: dev });
    expect(await empty.size()).toBe(0);
    await expect(empty.read(0, 1)).rejects.toThrow(/past the end/);
  });

  it('applies the URL policy when opening', async () => {
    await expect(openBlockDevice(server.url('/data.bin'), { policy: { ...dev, allowLoopback: false } })).rejects.toBeInstanceOf(UrlPolicyError);
    await expect(openBlockDevice(fileUrl, { policy: { ...dev, allowLoopback: false } })).rejects.toBeInstanceOf(UrlPolicyError);
  });
});

describe('block device over file:', () => {
  it('reports a missing file', async () => {
    await expect(openBlockDevice(pathToFileURL(join(dir, 'absent')).href, { policy: dev })).rejects.toThrow(/no such file/);
    await expect(openBlockDevice(pathToFileURL(dir).href, { policy: dev })).rejects.toThrow(/not a regular file/);
  });
});
