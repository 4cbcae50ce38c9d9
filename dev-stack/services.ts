/**
 * Embedded development services (Temporal dev server, Azurite, MailDev) as child processes with
 * readiness checks. Shared by `npm start` (scripts/start.ts) and the jest global setup, so both
 * run exactly the same binaries with the same flags.
 *
 * Each child runs in its own process group (detached) so that Ctrl-C in the terminal reaches only
 * the parent, which then stops services in a controlled order; `stop()` signals the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Connection } from '@temporalio/client';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/messages';
import { AZURITE_DEV_ACCOUNT, AZURITE_DEV_KEY, azuriteAccountsEnv } from '../config/azurite-accounts';
import { DEFAULT_REGIONS } from '../domain/regions';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const TEMPORAL_CLI_PATH = path.join(REPO_ROOT, '.tools', 'bin', 'temporal');
const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');

export interface ServiceHandle {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves once the process has exited; the value is its exit code (null when signalled). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface TemporalHandle extends ServiceHandle {
  address: string;
  namespace: string;
  uiUrl?: string;
}

export interface AzuriteHandle extends ServiceHandle {
  connectionString: string;
  blobEndpoint: string;
  tableEndpoint: string;
  queueEndpoint: string;
}

export interface MailHandle extends ServiceHandle {
  smtpUrl: string;
  /** Web inbox; the REST API lives under `${webUrl}/api`. */
  webUrl: string;
}

/* ------------------------------------------------------------------ ports */

/** A port the OS considers free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/** Several distinct free ports: all sockets stay open until every port is picked, so none repeat. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((srv.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
  }
}

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/* -------------------------------------------------------------- processes */

const live = new Set<ChildProcess>();
const killAll = () => {
  for (const child of live) killGroup(child.pid, 'SIGKILL');
};
// Safety net: if the parent exits without stopping its services, do not leave them running.
// Detached children survive their parent, so this matters: 'exit' covers normal ends, and the
// signal handlers cover a parent killed by SIGTERM/SIGINT/SIGHUP (e.g. `timeout … jest`) that has
// no handler of its own. When the host handles the signal itself (scripts/start.ts), it is left alone.
process.once('exit', killAll);
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  const onSignal = () => {
    if (process.listenerCount(sig) > 1) return;
    killAll();
    process.removeListener(sig, onSignal);
    process.kill(process.pid, sig); // die of the signal as if unhandled
  };
  process.on(sig, onSignal);
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (!pid) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Last lines of a log file, for error messages. */
export function tailFile(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log output)';
  }
}

/**
 * Node arguments that run a TypeScript entry (a path from the repository root) through tsx:
 * `node --import tsx` rather than the tsx CLI, so the app is one process and signals reach it once.
 * tsx is given by file URL so it resolves whatever the child's working directory is.
 */
export function tsEntryArgs(entry: string): string[] {
  return ['--import', pathToFileURL(require.resolve('tsx')).href, path.join(REPO_ROOT, entry)];
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  /** Also copy output to the terminal, each line prefixed (app processes under `npm start`). */
  prefix?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Grace period between SIGTERM and SIGKILL on stop. */
  stopTimeoutMs?: number;
}

/**
 * Starts a child in its own process group with stdout+stderr appended to `logFile` (and, with
 * `prefix`, also shown on the terminal line by line).
 */
export function spawnService(opts: SpawnOptions): ServiceHandle {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  fs.writeSync(fd, `\n=== ${new Date().toISOString()} ${opts.command} ${opts.args.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, {
      stdio: opts.prefix ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
      detached: true,
      env: opts.env ?? process.env,
      cwd: opts.cwd ?? REPO_ROOT,
    });
  } finally {
    if (!opts.prefix) fs.closeSync(fd); // the child holds its own copy
  }
  if (opts.prefix) {
    const log = fs.createWriteStream('', { fd, flags: 'a' });
    relayLines(child.stdout!, opts.prefix, process.stdout, log);
    relayLines(child.stderr!, opts.prefix, process.stderr, log);
    child.once('close', () => log.end());
  }
  live.add(child);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      live.delete(child);
      resolve(code);
    });
    child.once('error', (err) => {
      fs.appendFileSync(opts.logFile, `spawn failed: ${err.message}\n`);
      exitCode = -1;
      live.delete(child);
      resolve(-1);
    });
  });
  return {
    name: opts.name,
    pid: child.pid ?? -1,
    logFile: opts.logFile,
    exited,
    async stop() {
      if (exitCode === undefined) {
        killGroup(child.pid, 'SIGTERM');
        // Escalate if the grace period passes; unref'd and cleared so it never holds the parent open.
        const escalate = setTimeout(() => killGroup(child.pid, 'SIGKILL'), opts.stopTimeoutMs ?? 10_000);
        escalate.unref();
        await exited;
        clearTimeout(escalate);
      }
      // Grandchildren (if any) share the group; make sure none outlive the leader.
      killGroup(child.pid, 'SIGKILL');
    },
  };
}

function relayLines(from: NodeJS.ReadableStream, prefix: string, to: NodeJS.WritableStream, log: fs.WriteStream): void {
  let partial = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    log.write(chunk);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) to.write(`${prefix}${line}\n`);
  });
  from.on('end', () => partial && to.write(`${prefix}${partial}\n`));
}

/**
 * Polls `check` until it returns true. Fails fast when the process exits, and on timeout; either
 * way the error carries the tail of the service's log and the service is stopped.
 */
async function waitReady(handle: ServiceHandle, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void handle.exited.then(() => (exited = true));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await sleep(250);
  }
  await handle.stop();
  const why = exited ? 'exited before it became ready' : `was not ready after ${Math.round(timeoutMs / 1000)}s`;
  const last = lastError instanceof Error ? `\nlast check error: ${lastError.message}` : '';
  throw new Error(`${handle.name} ${why} (log: ${handle.logFile})${last}\n--- log tail ---\n${tailFile(handle.logFile)}`);
}

/* --------------------------------------------------------------- Temporal */

export interface TemporalOptions {
  port: number;
  /** Web UI port; omit to run headless (tests). */
  uiPort?: number;
  /** SQLite file to persist workflows across restarts; omit for in-memory. */
  dbFile?: string;
  ip?: string;
  namespace?: string;
  logDir: string;
  cliPath?: string;
  readyTimeoutMs?: number;
}

export async function startTemporalDevServer(o: TemporalOptions): Promise<TemporalHandle> {
  const ip = o.ip ?? '127.0.0.1';
  const namespace = o.namespace ?? 'default';
  const cli = o.cliPath ?? TEMPORAL_CLI_PATH;
  if (!fs.existsSync(cli)) throw new Error(`temporal CLI not found at ${cli}; run: npx tsx scripts/prepare-tools.ts`);
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(o.port)];
  args.push(...(o.uiPort ? ['--ui-port', String(o.uiPort)] : ['--headless']));
  if (o.dbFile) {
    fs.mkdirSync(path.dirname(o.dbFile), { recursive: true });
    args.push('--db-filename', o.dbFile);
  }
  args.push('--namespace', namespace);
  for (const name of CUSTOM_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);
  args.push('--log-level', 'warn');

  const handle = spawnService({
    name: 'Temporal dev server',
    command: cli,
    args,
    logFile: path.join(o.logDir, 'temporal.log'),
    stopTimeoutMs: 15_000, // let SQLite close cleanly
  });
  const address = `${ip}:${o.port}`;
  await waitReady(handle, () => temporalHasSearchAttributes(address, namespace), o.readyTimeoutMs ?? 90_000);
  return { ...handle, address, namespace, uiUrl: o.uiPort ? `http://${ip}:${o.uiPort}` : undefined };
}

/** Ready means: the frontend answers and our custom search attributes are registered. */
export async function temporalHasSearchAttributes(address: string, namespace = 'default'): Promise<boolean> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  if (!(await isPortOpen(port, host))) return false;
  const conn = await Connection.connect({ address, connectTimeout: '3s' });
  try {
    const res = await conn.operatorService.listSearchAttributes({ namespace });
    const names = Object.keys(res.customAttributes ?? {});
    return CUSTOM_SEARCH_ATTRIBUTES.every((n) => names.includes(n));
  } finally {
    await conn.close();
  }
}

/* ---------------------------------------------------------------- Azurite */

export interface AzuriteOptions {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  /** Workspace folder for persisted data; ignored when `inMemory`. */
  location?: string;
  inMemory?: boolean;
  logDir: string;
  readyTimeoutMs?: number;
  /** Regions that get an account of their own (config/azurite-accounts.ts); default the 55 of domain.md. */
  regions?: Iterable<string>;
}

export function azuriteConnectionString(ports: { blobPort: number; queuePort: number; tablePort: number }): string {
  const ep = (p: number) => `http://127.0.0.1:${p}/${AZURITE_DEV_ACCOUNT}`;
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_DEV_ACCOUNT};AccountKey=${AZURITE_DEV_KEY};` +
    `BlobEndpoint=${ep(ports.blobPort)};QueueEndpoint=${ep(ports.queuePort)};TableEndpoint=${ep(ports.tablePort)};`
  );
}

/**
 * Azurite with the development account and one account per region, its blob service behind the
 * gateway of dev-stack/azurite-gateway.ts (which clients reach on `blobPort`), in one process
 * (dev-stack/azurite-process.ts).
 */
export async function startAzurite(o: AzuriteOptions): Promise<AzuriteHandle> {
  const innerBlobPort = await freePort();
  const args = [
    // Azurite's cwd is its data folder; tsEntryArgs resolves tsx from anywhere.
    ...tsEntryArgs('dev-stack/azurite-process.ts'),
    '--gatewayPort', String(o.blobPort),
    '--blobHost', '127.0.0.1', '--blobPort', String(innerBlobPort),
    '--queueHost', '127.0.0.1', '--queuePort', String(o.queuePort),
    '--tableHost', '127.0.0.1', '--tablePort', String(o.tablePort),
    '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent', ...(process.env.AZURITE_DEBUG ? ['--debug', process.env.AZURITE_DEBUG] : []),
  ];
  if (o.inMemory || !o.location) {
    args.push('--inMemoryPersistence');
  } else {
    fs.mkdirSync(o.location, { recursive: true });
    args.push('--location', o.location);
  }
  const handle = spawnService({
    name: 'Azurite',
    command: process.execPath,
    args,
    logFile: path.join(o.logDir, 'azurite.log'),
    // Azurite's debug log and legacy workspace files go to cwd; keep them out of the repo root.
    cwd: o.location && !o.inMemory ? o.location : o.logDir,
    env: { ...process.env, AZURITE_ACCOUNTS: azuriteAccountsEnv(o.regions ?? DEFAULT_REGIONS) },
  });
  const connectionString = azuriteConnectionString(o);
  await waitReady(handle, () => azuriteAnswers(o), o.readyTimeoutMs ?? 60_000);
  return {
    ...handle,
    connectionString,
    blobEndpoint: `http://127.0.0.1:${o.blobPort}/${AZURITE_DEV_ACCOUNT}`,
    queueEndpoint: `http://127.0.0.1:${o.queuePort}/${AZURITE_DEV_ACCOUNT}`,
    tableEndpoint: `http://127.0.0.1:${o.tablePort}/${AZURITE_DEV_ACCOUNT}`,
  };
}

/** Ready means: blob (through the gateway) and table endpoints give Azurite's answer for the dev account. */
async function azuriteAnswers(o: { blobPort: number; tablePort: number }): Promise<boolean> {
  const blob = await fetch(`http://127.0.0.1:${o.blobPort}/${AZURITE_DEV_ACCOUNT}?comp=list`, { signal: AbortSignal.timeout(2000) });
  const table = await fetch(`http://127.0.0.1:${o.tablePort}/${AZURITE_DEV_ACCOUNT}/Tables`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(2000),
  });
  // Unauthenticated requests get 403 from Azurite, which is proof enough that it serves the account.
  return blob.status > 0 && blob.status !== 502 && table.status > 0;
}

/* ---------------------------------------------------------------- MailDev */

export interface MailOptions {
  smtpPort: number;
  webPort: number;
  logDir: string;
  readyTimeoutMs?: number;
}

export async function startMailCatcher(o: MailOptions): Promise<MailHandle> {
  const handle = spawnService({
    name: 'MailDev',
    command: process.execPath,
    args: [
      path.join(NODE_MODULES, 'maildev', 'dist', 'bin', 'maildev.js'),
      '--smtp', String(o.smtpPort),
      '--ip', '127.0.0.1',
      '--web', String(o.webPort),
      '--web-ip', '127.0.0.1',
    ],
    logFile: path.join(o.logDir, 'maildev.log'),
    cwd: o.logDir,
  });
  const webUrl = `http://127.0.0.1:${o.webPort}`;
  await waitReady(
    handle,
    async () => {
      const res = await fetch(`${webUrl}/api/healthz`, { signal: AbortSignal.timeout(2000) });
      return res.ok && (await smtpGreets(o.smtpPort));
    },
    o.readyTimeoutMs ?? 60_000,
  );
  return { ...handle, smtpUrl: `smtp://127.0.0.1:${o.smtpPort}`, webUrl };
}

/** True when the SMTP port sends its `220` greeting. */
function smtpGreets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once('data', (d) => done(d.toString().startsWith('220')));
    sock.once('error', () => done(false));
  });
}

/** Stops handles in reverse start order, never throwing (best effort during shutdown). */
export async function stopAll(handles: Array<ServiceHandle | undefined>): Promise<void> {
  for (const h of [...handles].reverse()) {
    if (!h) continue;
    try {
      await h.stop();
    } catch (err) {
      console.error(`stopping ${h.name} failed:`, err);
    }
  }
}
