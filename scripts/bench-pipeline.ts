/**
 * `npm run bench:pipeline`: where the pipeline stands against bare Temporal, on one server, in one
 * run. Starts what it needs (a Temporal dev server, Azurite, MailDev, as `npm start` does; or uses
 * TEMPORAL_ADDRESS, AZURE_STORAGE_CONNECTION_STRING and SMTP_URL when set), the API and worker
 * processes, and then:
 *
 * 1. bare: N workflows of the publish's shape with no-op activities (scripts/bench-pipeline/
 *    bare-workflow.ts: 64 activities, the regions in the same lanes) on a worker process of its own;
 * 2. pipeline: N concurrent publishes through the HTTP API of a real OS image (a sparse GPT disk
 *    with an ext4 root, samples/disk-image.ts) stored as a page blob, to live (Go live as soon as
 *    the poller sees sign-off), with one status poller per offer; the time is until the last run
 *    went live (its close time in Temporal, as bare's is its result), not until a poller noticed;
 * 3. memory: N publishes again, each held at sign-off until all are there: the worker's RSS with
 *    every run cached and idle, as runs wait days for Go live in a fleet;
 * 4. scale-out: the same as 2 with the workflow worker and 1 or 2 I/O worker processes
 *    (WORKER_ROLES=workflow / io), and 2 of each.
 *
 * As under `npm start`, every process but the API and this one (the client: pollers and publish
 * calls) runs at BACKGROUND_NICE (default 10; dev-stack/processes.ts), so the read path gets a core
 * first; the bare worker is such a process too, so both sides of the ratio run alike.
 *
 * Each measured round first runs `--warmup` (2) workflows or publishes on the same workers, not
 * counted, so first-use module loads and JIT are not in the figures (for bare and pipeline alike).
 *
 * It prints publishes/s and the ratio to bare, publish→sign-off p50/p99, status p50/p99 and
 * requests/s, history events and bytes per publish, worker RSS per publish in flight, and CPU
 * seconds per publish by process (/proc/<pid>/stat). No assertion: figures to read and record.
 *
 *   npm run bench:pipeline -- --n 20 --image-gib 30 --poll-ms 500 --repeat 3 --no-scale
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { BlobServiceClient } from '@azure/storage-blob';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { API_ROUTES, apiPath } from '../domain/api-paths';
import { API_METRICS } from '../domain/metrics';
import { loadConfig } from '../config/env';
import { publishWorkflowId } from '../domain/messages';
import { DEFAULT_REGIONS } from '../domain/regions';
import type { OfferDraft } from '../domain/offer';
import type { PublishStatusBody } from '../domain/status';
import { GiB } from '../domain/units';
import { ensureTemporalCli } from '../dev-stack/tools';
import {
  backgroundNice,
  freePort,
  freePorts,
  spawnService,
  startScratchAzurite,
  startMailCatcher,
  startTemporalDevServer,
  stopAll,
  tailFile,
  tsEntryArgs,
  waitReady,
  type ServiceHandle,
} from '../dev-stack/services';
import { buildSampleLinuxDisk } from '../samples/disk-image';
import { uploadSampleLogos, uploadVhdAsPageBlob } from '../samples/azure-upload';
import { validOffer } from '../samples/offer';
import { tracingBundlePath, writeWorkflowBundle } from '../workers/workflow-bundle';
import { cpuSeconds, rssBytes, stolenSeconds, sum, withDescendants } from './bench-pipeline/proc-stats';
import type { BareShape } from './bench-pipeline/bare-workflow';

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '20' },
    'image-gib': { type: 'string', default: '30' },
    'poll-ms': { type: 'string', default: '500' },
    lanes: { type: 'string', default: '8' },
    'no-scale': { type: 'boolean', default: false },
    'scale-n': { type: 'string' },
    repeat: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '2' },
  },
});
/** Runs before each measured round, on the same workers, not counted: first-use compiles and JIT. */
const WARMUP = Number(flags.warmup);
const N = Number(flags.n);
const POLL_MS = Number(flags['poll-ms']);
const LANES = Number(flags.lanes);
const SCALE_N = Number(flags['scale-n'] ?? flags.n);
/** Rounds of bare + pipeline (one worker process), each ratio taken within its round. */
const REPEAT = Math.max(1, Number(flags.repeat));
const PUBLISHER = 'bench';

const quiet = new DefaultLogger('WARN');
const handles: ServiceHandle[] = [];

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const say = (msg: string) => console.log(`[bench] ${msg}`);

interface Stack {
  env: NodeJS.ProcessEnv;
  apiUrl: string;
  apiKey: string;
  client: Client;
  /** Processes whose CPU is counted, by name (undefined: not ours to see, e.g. a remote server). */
  pids: { server?: number; azurite?: number; maildev?: number; api: number };
  work: string;
  /** BACKGROUND_NICE: the CPU priority of every process but the API's and this one (as `npm start`). */
  nice: number;
  offer: () => OfferDraft;
}

async function startStack(work: string): Promise<Stack> {
  const logs = path.join(work, 'logs');
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'WARN' };
  const pids: Partial<Stack['pids']> = {};
  const nice = backgroundNice(env);
  if (!env.TEMPORAL_ADDRESS) {
    const t = await startTemporalDevServer({ port: await freePort(), logDir: logs, cliPath: await ensureTemporalCli(), nice });
    handles.push(t);
    env.TEMPORAL_ADDRESS = t.address;
    env.TEMPORAL_NAMESPACE = t.namespace;
    pids.server = t.pid;
  }
  if (!env.AZURE_STORAGE_CONNECTION_STRING) {
    const a = await startScratchAzurite(logs, { nice });
    handles.push(a);
    env.AZURE_STORAGE_CONNECTION_STRING = a.connectionString;
    env.URL_ALLOW_LOOPBACK = 'true';
    pids.azurite = a.pid;
  }
  if (!env.SMTP_URL) {
    const [smtpPort, webPort] = await freePorts(2); // together, so they never repeat
    const m = await startMailCatcher({ smtpPort, webPort, logDir: logs, nice });
    handles.push(m);
    env.SMTP_URL = m.smtpUrl;
    pids.maildev = m.pid;
  }
  const apiKey = randomBytes(18).toString('base64url');
  const suffix = randomUUID().slice(0, 8);
  Object.assign(env, {
    PUBLISHER_API_KEYS: `${PUBLISHER}:${apiKey}`,
    OFFER_SECRETS_KEY: env.OFFER_SECRETS_KEY ?? randomBytes(32).toString('base64'),
    PORT: String(await freePort()),
    TASK_QUEUE: `bench-${suffix}`,
    IO_TASK_QUEUE: `bench-io-${suffix}`,
    PROVISION_CONCURRENCY: String(LANES),
    WORKFLOW_BUNDLE: path.join(work, 'workflow-bundle.js'),
  });
  await writeWorkflowBundle(env.WORKFLOW_BUNDLE!, quiet);
  // Workers that trace load the bundle's tracing variant (workers/workflow-source.ts).
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) await writeWorkflowBundle(tracingBundlePath(env.WORKFLOW_BUNDLE!), quiet, { tracing: true });

  const image = path.join(work, 'os.vhd');
  const gib = Number(flags['image-gib']);
  await buildSampleLinuxDisk(image, { virtualSize: gib * GiB });
  const blobs = BlobServiceClient.fromConnectionString(env.AZURE_STORAGE_CONNECTION_STRING!);
  const osVhdUrl = await uploadVhdAsPageBlob(blobs, 'publisher-uploads', `bench/${suffix}/os.vhd`, image);
  const logos = await uploadSampleLogos(blobs, 'publisher-uploads', `bench/${suffix}`);
  fs.rmSync(image);
  say(`image: ${gib} GiB fixed VHD (GPT, EFI + ext4 root), a sparse page blob; ${DEFAULT_REGIONS.length} regions, ${LANES} lanes`);

  const api = spawnService({ name: 'api', command: process.execPath, args: tsEntryArgs('api/server.ts'), env, logFile: path.join(logs, 'api.log') });
  handles.push(api);
  const apiUrl = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${apiUrl}${apiPath('health')}`).then((r) => r.ok, () => false)) break;
    if (i > 240) throw new Error(`the API did not start:\n${tailFile(api.logFile)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE ?? 'default' });
  return { env, apiUrl, apiKey, client, pids: { ...pids, api: api.pid }, work, nice, offer: () => ({
      ...validOffer({ osVhdUrl, logos }),
      // As the demo: a test lead each publish really delivers (an Azure Table on the same storage).
      leadDestination: { type: 'AzureTable' as const, connectionString: env.AZURE_STORAGE_CONNECTION_STRING!, tableName: 'BenchLeads' },
    }),
  };
}

/** Resolves once Temporal lists the process (identity `pid@host`) among the pollers of its queue. */
async function waitPolling(stack: Stack, h: ServiceHandle, taskQueue: string, kind: 'workflow' | 'activity'): Promise<void> {
  const polls = async () => {
    const { pollers } = await stack.client.workflowService.describeTaskQueue({
      namespace: stack.env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: kind === 'activity' ? 2 : 1, // TASK_QUEUE_TYPE_ACTIVITY : TASK_QUEUE_TYPE_WORKFLOW
    });
    return (pollers ?? []).some((p) => p.identity?.startsWith(`${h.pid}@`));
  };
  await waitReady(h, polls, 120_000);
}

/** Worker processes for one layout; resolves once each polls its queue. */
async function startWorkers(stack: Stack, roles: string[], tag: string): Promise<ServiceHandle[]> {
  const started: ServiceHandle[] = [];
  // Each process its own metrics and health ports, as on separate machines; picked together, so none repeat.
  const ports = await freePorts(2 * roles.length);
  for (const [i, role] of roles.entries()) {
    const logFile = path.join(stack.work, 'logs', `worker-${tag}-${i}-${role.replace(',', '+')}.log`);
    const env = { ...stack.env, WORKER_ROLES: role, WORKER_METRICS_ADDRESS: `127.0.0.1:${ports[2 * i]}`, WORKER_HEALTH_ADDRESS: `127.0.0.1:${ports[2 * i + 1]}` };
    started.push(spawnService({ name: `worker ${role}`, command: process.execPath, args: tsEntryArgs('workers/main.ts'), env, logFile, stopTimeoutMs: 20_000, nice: stack.nice }));
  }
  for (const [i, h] of started.entries()) await waitPolling(stack, h, roles[i] === 'io' ? stack.env.IO_TASK_QUEUE! : stack.env.TASK_QUEUE!, roles[i] === 'io' ? 'activity' : 'workflow');
  return started;
}

/** The share of all cores' time over `seconds` that the host took since `before` (stolenSeconds()). */
const stolenShare = (before: number, seconds: number) => (stolenSeconds() - before) / (seconds * os.cpus().length);

interface CpuSample {
  [name: string]: number;
}
/** CPU seconds so far of each named set of processes (give a process's descendants where they count: tsx runs node as a child). */
function cpuOf(named: Record<string, number[]>): CpuSample {
  return Object.fromEntries(Object.entries(named).map(([name, pids]) => [name, sum(pids.map(cpuSeconds))]));
}
function cpuDelta(a: CpuSample, b: CpuSample, per: number): string {
  const parts = Object.keys(a).map((k) => (b[k] - a[k]) / per);
  return `${Object.keys(a)
    .map((k, i) => `${k} ${f2(parts[i])}`)
    .join(', ')}; total ${f2(sum(parts))}`;
}

async function benchBare(stack: Stack, n: number): Promise<{ perSecond: number; cpu: string; stolen: number }> {
  const taskQueue = `bench-bare-${randomUUID().slice(0, 8)}`;
  const env = { ...stack.env, BARE_TASK_QUEUE: taskQueue };
  const logFile = path.join(stack.work, 'logs', `bare-worker-${taskQueue}.log`);
  const worker = spawnService({ name: 'bare worker', command: process.execPath, args: tsEntryArgs('scripts/bench-pipeline/bare-worker.ts'), env, logFile, nice: stack.nice });
  try {
    await waitPolling(stack, worker, taskQueue, 'workflow');
    const shape: BareShape = { activities: 64, regions: DEFAULT_REGIONS.length, lanes: LANES };
    const runBare = (i: number | string) => stack.client.workflow.execute('barePublish', { taskQueue, workflowId: `bench-bare/${taskQueue}/${i}`, args: [shape] });
    await Promise.all(Array.from({ length: WARMUP }, (_, i) => runBare(`warmup-${i}`)));
    const named = { ...(stack.pids.server ? { server: withDescendants(stack.pids.server) } : {}), worker: withDescendants(worker.pid) };
    const cpu0 = cpuOf(named);
    const stolen0 = stolenSeconds();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => runBare(i)));
    const seconds = (performance.now() - t0) / 1000;
    return { perSecond: n / seconds, cpu: cpuDelta(cpu0, cpuOf(named), n), stolen: stolenShare(stolen0, seconds) };
  } finally {
    await worker.stop();
  }
}

interface PipelineResult {
  perSecond: number;
  /** From the first publish to the last run's close (went live). */
  seconds: number;
  /** Until the last poller saw it. */
  polledSeconds: number;
  failed: number;
  toSignoff: number[];
  statusMs: number[];
  statusPerSecond: number;
  /** Status reads by how the API's read model answered them (fresh, refreshing, loaded). */
  reads: Record<string, number>;
  /** The API's own p99 for them, as the bound of its histogram bucket (ms). */
  handledP99Ms: number;
  events: number[];
  bytes: number[];
  rssPerPublishMiB: number;
  /** With every run waiting at sign-off (cached, idle), per run; only when held there. */
  rssPerCachedMiB: number;
  /** The workflow worker's cache size (MAX_CACHED_WORKFLOWS). */
  cacheRuns: number;
  rssBaselineMiB: number;
  cpu: string;
  /** Share of the cores' time the host took (steal) while the publishes ran. */
  stolen: number;
  /** Each step's durations (ms) in the runs that went live, by step id: where the time goes. */
  stepMs: Record<string, number[]>;
}

async function call(stack: Stack, method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(stack.apiUrl + urlPath, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/**
 * From the API's /metrics (loopback): status reads so far by how the read model answered them
 * (`publish_status_reads_total`), and the API's own histogram of successful status requests
 * (cumulative count per bucket bound in seconds), which leaves out the time a request waits for
 * the API process to be scheduled.
 */
async function statusReadCounts(stack: Stack): Promise<{ answered: Record<string, number>; handled: Map<number, number> }> {
  const text = await fetch(`${stack.apiUrl}/metrics`).then((r) => r.text());
  const answered = Object.fromEntries([...text.matchAll(new RegExp(`^${API_METRICS.statusReads}\\{answered="(\\w+)"\\} (\\d+)`, 'gm'))].map((m) => [m[1], Number(m[2])]));
  const route = API_ROUTES.status.path;
  const handled = new Map<number, number>();
  for (const m of text.matchAll(new RegExp(`^${API_METRICS.requestDuration}_bucket\\{le="([^"]+)",method="GET",route="([^"]+)",status_code="200"\\} (\\d+)`, 'gm'))) {
    if (m[2] === route) handled.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[3]));
  }
  return { answered, handled };
}

/** The smallest bucket bound (ms) under which `p` % of the requests counted between two scrapes were handled. */
function handledWithin(before: Map<number, number>, after: Map<number, number>, p: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  const bound = bounds.find((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0) >= (p / 100) * total);
  return bound === undefined ? NaN : bound * 1000;
}

async function benchPipeline(stack: Stack, n: number, roles: string[], tag: string, opts: { holdAtSignoff?: boolean } = {}): Promise<PipelineResult> {
  const workers = await startWorkers(stack, roles, tag);
  const workerPids = workers.flatMap((w) => withDescendants(w.pid));
  const named: Record<string, number[]> = {
    ...(stack.pids.server ? { server: withDescendants(stack.pids.server) } : {}),
    workers: workerPids,
    api: withDescendants(stack.pids.api),
    ...(stack.pids.azurite ? { azurite: withDescendants(stack.pids.azurite) } : {}),
    ...(stack.pids.maildev ? { maildev: withDescendants(stack.pids.maildev) } : {}),
  };
  const statusMs: number[] = [];
  const toSignoff: number[] = [];
  const stepMs: Record<string, number[]> = {};
  let failed = 0;
  // Held: every run waits at sign-off until all have reached it (or failed): the worker's RSS then
  // is that of N runs cached with nothing to do, as runs wait days for Go live in a fleet.
  let waiting = 0;
  let allWaiting!: () => void;
  const atSignoff = new Promise<void>((resolve) => (allWaiting = resolve));
  const reachedSignoff = () => {
    if (++waiting === n) allWaiting();
  };
  let rssCached = NaN;
  /** One publish to live, its status polled; `measured` ones are counted and may be held at sign-off. */
  const drive = async (offerId: string, measured: boolean) => {
    const base = `/api/publishers/${PUBLISHER}/offers/${offerId}`;
    const start = performance.now();
    const published = await call(stack, 'POST', `${base}/publish`, { offer: stack.offer(), notificationEmails: [`${offerId}@bench.example`] });
    if (published.status !== 202) throw new Error(`publish answered ${published.status}: ${JSON.stringify(published.json)}`);
    let wentLive = false;
    const deadline = performance.now() + 10 * 60_000;
    for (;;) {
      if (performance.now() > deadline) throw new Error(`${offerId} did not go live in 10 minutes`);
      await new Promise((r) => setTimeout(r, POLL_MS));
      const asked = performance.now();
      const r = await call(stack, 'GET', `${base}/status`);
      if (measured) statusMs.push(performance.now() - asked);
      const s = r.json as PublishStatusBody;
      if (r.status !== 200) {
        if (r.status !== 503) throw new Error(`status answered ${r.status}: ${JSON.stringify(r.json)}`);
        continue;
      }
      if (s.status === 'WaitingForPublisherReview' && !wentLive) {
        wentLive = true;
        if (measured) {
          toSignoff.push(performance.now() - start);
          reachedSignoff();
          if (opts.holdAtSignoff) await atSignoff;
        }
        const g = await call(stack, 'POST', `${base}/golive`);
        if (g.status !== 202) throw new Error(`golive answered ${g.status}`);
      }
      if (s.status === 'Succeeded') {
        for (const st of measured ? s.steps : []) {
          if (!st.startedAt || !st.completedAt) continue;
          (stepMs[st.id] ??= []).push(Date.parse(st.completedAt) - Date.parse(st.startedAt));
        }
        return;
      }
      if (s.status === 'Failed' || s.status === 'Canceled') {
        if (!measured) throw new Error(`warm-up publish ${offerId}: ${s.status} at ${s.currentStep}`);
        failed++;
        if (!wentLive) reachedSignoff();
        say(`${offerId}: ${s.status} at ${s.currentStep}: ${JSON.stringify(s.steps.find((x) => x.id === s.currentStep)?.messages)}`);
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: WARMUP }, (_, i) => drive(`bench-${tag}-warmup-${i}-${randomUUID().slice(0, 6)}`, false)));
  const rssBaseline = sum(workerPids.map(rssBytes));
  let rssPeak = rssBaseline;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, sum(workerPids.map(rssBytes)))), 200);
  if (opts.holdAtSignoff) void atSignoff.then(() => (rssCached = sum(workerPids.map(rssBytes))));
  const readsBefore = await statusReadCounts(stack);
  const cpu0 = cpuOf(named);
  const stolen0 = stolenSeconds();
  const t0 = performance.now();
  const startedAt = Date.now();
  const offers = Array.from({ length: n }, (_, i) => `bench-${tag}-${i}-${randomUUID().slice(0, 6)}`);
  await Promise.all(
    offers.map((offerId) => drive(offerId, true)),
  );
  const polledSeconds = (performance.now() - t0) / 1000;
  const cpu = cpuDelta(cpu0, cpuOf(named), n);
  const stolen = stolenShare(stolen0, polledSeconds);
  clearInterval(sampler);
  const readsAfter = await statusReadCounts(stack);
  const reads = Object.fromEntries(Object.entries(readsAfter.answered).map(([k, v]) => [k, v - (readsBefore.answered[k] ?? 0)]));
  const handledP99Ms = handledWithin(readsBefore.handled, readsAfter.handled, 99);
  const described = await Promise.all(offers.map((o) => stack.client.workflow.getHandle(publishWorkflowId(PUBLISHER, o)).describe()));
  // Until the last run ended (the server's clock is this machine's), not until its poller noticed.
  const lastClose = Math.max(...described.map((d) => d.closeTime?.getTime() ?? NaN));
  const seconds = Number.isFinite(lastClose) ? (lastClose - startedAt) / 1000 : polledSeconds;
  await stopAll(workers);
  return {
    perSecond: n / seconds,
    seconds,
    failed,
    toSignoff,
    statusMs,
    polledSeconds,
    statusPerSecond: statusMs.length / polledSeconds,
    reads,
    handledP99Ms,
    events: described.map((d) => d.historyLength),
    bytes: described.map((d) => d.historySize ?? NaN),
    rssPerPublishMiB: (rssPeak - rssBaseline) / n / 2 ** 20,
    rssPerCachedMiB: (rssCached - rssBaseline) / n / 2 ** 20,
    cacheRuns: loadConfig(stack.env).maxCachedWorkflows,
    rssBaselineMiB: rssBaseline / 2 ** 20,
    cpu,
    stolen,
    stepMs,
  };
}

function report(label: string, r: PipelineResult, bare: number): void {
  console.log(`\n${label}`);
  console.log(
    `  throughput        ${f2(r.perSecond)} publishes/s (${f1(r.seconds)} s until the last of ${r.toSignoff.length} went live, ${f1(r.polledSeconds)} s until its poller saw it; ${r.failed} failed); ` +
      `ratio to bare ${f2(r.perSecond / bare)}`,
  );
  console.log(`  publish→sign-off  p50 ${f1(pct(r.toSignoff, 50) / 1000)} s, p99 ${f1(pct(r.toSignoff, 99) / 1000)} s`);
  console.log(`  status reads      p50 ${f1(pct(r.statusMs, 50))} ms, p99 ${f1(pct(r.statusMs, 99))} ms, ${f1(r.statusPerSecond)} requests/s (${r.statusMs.length} reads)`);
  const { fresh = 0, refreshing = 0, loaded = 0 } = r.reads;
  console.log(
    `  answered          ${fresh + refreshing} from memory (${fresh} fresh, ${refreshing} while refreshed); ${loaded} waited for a load (reads with nothing in memory, and each accepted update's reload); ` +
      `the API handled 99% within ${f1(r.handledP99Ms)} ms (its own histogram: without the wait for a core)`,
  );
  console.log(`  history           ${f1(pct(r.events, 50))} events, ${f1(pct(r.bytes, 50) / 1024)} KiB per publish (median)`);
  console.log(`  worker RSS        ${f1(r.rssBaselineMiB)} MiB at rest, +${f2(r.rssPerPublishMiB)} MiB per publish in flight (peak)`);
  console.log(`  CPU s / publish   ${r.cpu}`);
  console.log(`  host steal        ${f1(r.stolen * 100)} % of the cores' time`);
  console.log(`  step p50 (s)      ${Object.entries(r.stepMs).map(([id, ms]) => `${id} ${f1(pct(ms, 50) / 1000)}`).join(', ')}`);
}

async function main(): Promise<void> {
  Runtime.install({ logger: quiet });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pipeline-'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAll(handles).then(() => process.exit(130)));
  try {
    say(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${f1(os.totalmem() / GiB)} GiB; load average ${os.loadavg().map(f2).join(' ')}`);
    const stack = await startStack(work);
    say(`N = ${N} publishes at once, a status poller per offer every ${POLL_MS} ms`);

    // Bare and pipeline side by side, REPEAT times: the ratio is taken within each round.
    const ratios: number[] = [];
    let bare = { perSecond: NaN, cpu: '', stolen: NaN };
    for (let round = 1; round <= REPEAT; round++) {
      const of = REPEAT > 1 ? ` — round ${round} of ${REPEAT}` : '';
      bare = await benchBare(stack, N);
      console.log(`\nbare Temporal (64 no-op activities, ${LANES} lanes, worker process of its own)${of}`);
      console.log(`  throughput        ${f2(bare.perSecond)} workflows/s`);
      console.log(`  CPU s / workflow  ${bare.cpu}`);
      console.log(`  host steal        ${f1(bare.stolen * 100)} % of the cores' time`);

      const main = await benchPipeline(stack, N, ['workflow,io'], `one${round}`);
      report(`pipeline, one worker process (workflow + io)${of}`, main, bare.perSecond);
      ratios.push(main.perSecond / bare.perSecond);
    }
    if (REPEAT > 1) console.log(`\nratio to bare over ${REPEAT} rounds: median ${f2(pct(ratios, 50))}, min ${f2(Math.min(...ratios))}, max ${f2(Math.max(...ratios))}`);

    const held = await benchPipeline(stack, N, ['workflow,io'], 'held', { holdAtSignoff: true });
    console.log(`\nworker memory, N = ${N} publishes each held at sign-off until all are there`);
    console.log(
      `  worker RSS        ${f1(held.rssBaselineMiB)} MiB at rest, +${f2(held.rssPerCachedMiB)} MiB per run cached at sign-off ` +
        `(idle; workflow cache ${held.cacheRuns} runs), +${f2(held.rssPerPublishMiB)} MiB per publish in flight (peak)`,
    );

    if (!flags['no-scale']) {
      const layouts: Array<[string, string[]]> = [
        ['workflow ×1 + io ×1', ['workflow', 'io']],
        ['workflow ×1 + io ×2', ['workflow', 'io', 'io']],
        ['workflow ×2 + io ×2', ['workflow', 'workflow', 'io', 'io']],
      ];
      console.log(`\nscale-out (N = ${SCALE_N}; on this 2-core machine every process shares the same cores)`);
      for (const [label, roles] of layouts) {
        const r = await benchPipeline(stack, SCALE_N, roles, label.replace(/\W+/g, ''));
        console.log(`  ${label.padEnd(22)} ${f2(r.perSecond)} publishes/s (ratio to bare ${f2(r.perSecond / bare.perSecond)}), status p99 ${f1(pct(r.statusMs, 99))} ms (${(r.reads.fresh ?? 0) + (r.reads.refreshing ?? 0)} of ${r.statusMs.length} reads from memory), ${r.failed} failed`);
      }
    }
    console.log(`\nload average after: ${os.loadavg().map(f2).join(' ')} (other work on the machine counts in every figure alike)`);
  } finally {
    await stopAll(handles);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
