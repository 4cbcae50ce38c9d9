/**
 * Certification of crafted images (issue 9 §1), served over HTTP range reads as the `certify` step
 * reads a blob: each image is valid ext4 built to multiply the reader's work (hard-link and symlink
 * farms, a directory of 100 000 entries, a deep extent tree, a symlink chain and a loop). Each must
 * end within its budget, configured small here, with a check that names the cause, while the event
 * loop keeps answering (p99 delay under 200 ms, measured with monitorEventLoopDelay), heartbeats
 * keep flowing and memory stays bounded. Before the fix the hard-link farm ran 160 s holding 5.9 GB
 * and the symlink farm 177 s with the event loop blocked throughout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { AppConfig } from '../../config/env';
import type { CertificationCheck, CertificationReport } from '../../domain/certification';
import type { RunRef } from '../../domain/pipeline';
import { certifyImages, type CertifyOptions } from '../../activities/certify';
import { MAX_ACTUAL_VALUE, MAX_REMEDIATION } from '../../activities/certify/check-text';
import { buildPlan } from '../../activities/validate/rules';
import { startRangeServer, type RangeServer } from '../../samples/range-server';
import { validOffer } from '../../samples/offer';
import { MiB } from '../../domain/units';
import { bigDirectory, buildBombDisk, deepExtentTree, extentDepth, hardLinkFarm, symlinkChain, symlinkFarm, symlinkLoop, type ImageBomb } from '../fixtures/ext4-image';

// The delay and heartbeat bounds measure the reader's yielding, but a process the OS does not
// schedule (2 cores shared with the services and the other test workers) shows the same delay: a
// bound missed under such load is measured again before it counts as a failure.
jest.retryTimes(2, { logErrorsBeforeRetry: true });

const policy = { allowedHosts: [], allowLoopback: true, timeoutMs: 5000 };
const ref: RunRef = { publisherId: 'contoso', offerId: 'web', workflowId: 'publish/contoso/web', runId: 'run-1', offerRef: 'x' };
/** The last report stored, as the step writes it to publish-reports. */
let stored: CertificationReport | undefined;
const blobs = {
  getContainerClient: () => ({
    createIfNotExists: async () => undefined,
    getBlockBlobClient: () => ({ upload: async (body: string) => void (stored = JSON.parse(body) as CertificationReport) }),
  }),
} as unknown as BlobServiceClient;

/**
 * The per-image time budget for these tests, below the 5 minutes of production. Wall time, so it
 * is wide: in `npm test` the 2 cores are shared with every e2e stack's services, each a session
 * (autogroup) of its own, and the symlink chain, 0.5 s on a quiet machine, took 14-20 s there.
 */
const BUDGET_MS = 60_000;
/**
 * What bounds the work itself: CPU time of this process (the reader and the range server), which
 * starvation does not inflate. The bombs cost 0.03-0.7 s alone; inside a full `npm test` the
 * symlink chain was measured at up to 14 s (the whole jest worker process is counted; the cause is
 * not known yet). Before the fixes of issue 9 they ran 160-177 s, which this still catches.
 */
const CPU_BOUND_MS = 30_000;

let dir: string;
let server: RangeServer;
const images = new Map<string, { url: string; fs: string }>();

const BOMBS: Record<string, ImageBomb> = {
  hardLinkFarm: hardLinkFarm(),
  symlinkFarm: symlinkFarm(),
  bigDirectory: bigDirectory(),
  deepExtentTree,
  symlinkChain,
  symlinkLoop,
  longCommandLine: {
    decorate: async (tree) => {
      const args = `console=ttyS0 earlyprintk=ttyS0 rootdelay=300 ${'quiet '.repeat(2000)}`;
      fs.writeFileSync(path.join(tree, 'etc/default/grub'), `GRUB_CMDLINE_LINUX="${args}"\n`);
    },
  },
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certify-bombs-'));
  server = await startRangeServer();
  for (const [name, bomb] of Object.entries(BOMBS)) {
    const file = path.join(dir, `${name}.vhd`);
    const { fsOffset } = await buildBombDisk(file, bomb);
    server.routes.set(`/${name}.vhd`, { file });
    images.set(name, { url: server.url(`/${name}.vhd?sig=SECRET`), fs: `${file}?offset=${fsOffset}` });
  }
}, 120_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** CPU time so far of this process's main thread (the event loop), from /proc: the rest is GC, libuv and other threads. */
function mainThreadCpuMs(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in 10 ms ticks
  } catch {
    return NaN;
  }
}

interface Measured {
  result: Awaited<ReturnType<typeof certifyImages>>;
  ms: number;
  cpuMs: number;
  loopP99Ms: number;
  rssGrowth: number;
  heartbeatGapMs: number;
}

/** Certifies the image as the activity does, measuring time, event-loop delay, RSS growth and heartbeat gaps. */
async function certify(name: string, opts: CertifyOptions = {}): Promise<Measured> {
  const offer = validOffer({ osVhdUrl: images.get(name)!.url });
  const rss0 = process.memoryUsage().rss;
  let rssMax = rss0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 10);
  let last = performance.now();
  let heartbeatGapMs = 0;
  const heartbeat = () => {
    heartbeatGapMs = Math.max(heartbeatGapMs, performance.now() - last);
    last = performance.now();
  };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  try {
    const result = await certifyImages({ config: { urlPolicy: policy } as unknown as AppConfig, blobs }, ref, offer, buildPlan(offer), { maxMsPerDisk: BUDGET_MS, heartbeat, ...opts });
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const mainMs = mainThreadCpuMs() - main0;
    heartbeatGapMs = Math.max(heartbeatGapMs, performance.now() - last);
    const m = { result, ms, cpuMs: (cpu.user + cpu.system) / 1000, loopP99Ms: delay.percentile(99) / 1e6, rssGrowth: rssMax - rss0, heartbeatGapMs };
    console.log(`${name}: ${Math.round(ms)} ms (CPU ${Math.round(m.cpuMs)} ms, ${Math.round(mainMs)} of it on the main thread), event-loop delay p99 ${m.loopP99Ms.toFixed(1)} ms, RSS +${(m.rssGrowth / MiB).toFixed(0)} MiB, longest heartbeat gap ${Math.round(heartbeatGapMs)} ms`);
    return m;
  } finally {
    delay.disable();
    clearInterval(sampler);
  }
}

/** Within its budget, its work bounded, the loop answering, memory bounded, heartbeats flowing, nothing secret or long in the result. */
function expectBounded(m: Measured): void {
  expect(m.ms).toBeLessThan(BUDGET_MS);
  expect(m.cpuMs).toBeLessThan(CPU_BOUND_MS);
  expect(m.loopP99Ms).toBeLessThan(200);
  expect(m.rssGrowth).toBeLessThan(256 * MiB);
  expect(m.heartbeatGapMs).toBeLessThan(2000);
  expect(m.result.notable.find((c) => c.testId === 'IMG-003')).toBeUndefined();
  for (const c of stored!.checks) {
    expect(c.actualValue.length).toBeLessThan(MAX_ACTUAL_VALUE + 40);
    expect(c.remediation.length).toBeLessThan(MAX_REMEDIATION + 40);
  }
  expect(JSON.stringify([m.result, stored])).not.toContain('SECRET');
}

const failed = (checks: CertificationCheck[]) => Object.fromEntries(checks.filter((c) => c.result === 'Failed').map((c) => [c.testId, c.actualValue]));

describe('crafted images end within their budgets, naming the cause', () => {
  it('20 000 hard links in /etc/default/grub.d to a 256 KiB .cfg: too many entries, not 20 000 reads', async () => {
    const m = await certify('hardLinkFarm');
    expectBounded(m);
    expect(failed(m.result.notable)).toEqual({
      'LNX-040': '/etc/default/grub.d: more than 20000 entries (too many entries)',
      'LNX-103': '/etc/default/grub.d: more than 20000 entries (too many entries)',
    });
  });

  it('10 000 symlinks /usr/lib/python3.N: the agent globs match too many entries', async () => {
    const m = await certify('symlinkFarm');
    expectBounded(m);
    expect(failed(m.result.notable)).toEqual({ 'LNX-039': '/usr/lib/python3.*/site-packages: more than 100 paths match (too many entries)' });
  });

  it('a directory of 100 000 entries (/etc) is indexed once: every check passes', async () => {
    const m = await certify('bigDirectory');
    expectBounded(m);
    expect(m.result.passed).toBe(true);
  });

  it('a deep extent tree (dpkg status in thousands of extents) is read within bounds', async () => {
    expect(await extentDepth(images.get('deepExtentTree')!.fs, '/var/lib/dpkg/status')).toBeGreaterThanOrEqual(2);
    const m = await certify('deepExtentTree');
    expectBounded(m);
    expect(m.result.passed).toBe(true);
  });

  it('/etc behind a 40-hop symlink chain of long detours: followed as Linux would, in bounds', async () => {
    const m = await certify('symlinkChain');
    expectBounded(m);
    expect(m.result.passed).toBe(true);
  });

  it('a symlink loop fails the check that needed the file, naming the loop', async () => {
    const m = await certify('symlinkLoop');
    expectBounded(m);
    expect(failed(m.result.notable)).toEqual({ 'LNX-051': '/etc/waagent.conf: too many levels of symbolic links' });
    expect(m.result.notable[0].remediation).toMatch(/must not loop/);
  });

  it('a spent read budget (cache hits included) fails IMG-002, naming the budget', async () => {
    const m = await certify('bigDirectory', { maxBytesServedPerDisk: 2 * MiB });
    expectBounded(m);
    expect(failed(m.result.notable)).toEqual({
      'IMG-002': expect.stringMatching(/would exceed the budget of 2097152 bytes read from this image \(cache hits included\)\.$/),
    });
  });

  it('the time budget ends the work promptly (IMG-003), cache hits or not', async () => {
    const m = await certify('bigDirectory', { maxMsPerDisk: 100 });
    expect(m.ms).toBeLessThan(100 + 1000);
    expect(failed(m.result.notable)).toEqual({ 'IMG-003': expect.stringMatching(/^not finished after 0.1 s \(\d+ bytes transferred, \d+ read\)$/) });
  });

  it('text copied from the image into a check is clipped (a 12 KiB kernel command line)', async () => {
    const m = await certify('longCommandLine');
    expectBounded(m);
    expect(m.result.passed).toBe(true);
    const cmdline = stored!.checks.find((c) => c.testId === 'LNX-040')!;
    expect(cmdline.actualValue).toMatch(/^\/boot\/grub\/grub\.cfg \(first boot entry\): ".{200,}… \(\d+ more characters\)$/);
    expect(cmdline.actualValue.length).toBeLessThan(MAX_ACTUAL_VALUE + 40);
  });
});
