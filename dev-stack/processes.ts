/**
 * Child processes of the embedded development services and apps: free ports, spawning with logs,
 * readiness polling and stopping.
 *
 * Each child runs in its own process group (detached) so that Ctrl-C in the terminal reaches only
 * the parent, which then stops services in a controlled order; `stop()` signals the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(__dirname, '..');

export interface ServiceHandle {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves once the process has exited; the value is its exit code (null when signalled). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
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

export interface SpawnOptions extends ServicePriority {
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

/** A service's CPU priority, for the options of each service's start function too. */
export interface ServicePriority {
  /**
   * Nice value, 0–19 (higher yields more), of the process and its session (`runNiced`,
   * `lowerSessionPriority`); `backgroundNice()` under `npm start`. Default 0.
   */
  nice?: number;
}

/**
 * BACKGROUND_NICE (default 10, 0 turns it off): the nice value `npm start` and the benchmark give
 * the background services (Temporal, Azurite, MailDev, workers) so that on a shared machine the
 * API and portal, whose users wait on each request, get a core first when CPU is short.
 */
export function backgroundNice(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BACKGROUND_NICE?.trim() || '10';
  const nice = Number(raw);
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new Error(`BACKGROUND_NICE must be a whole number from 0 to 19, not "${raw}"`);
  return nice;
}

/**
 * The command line that runs a child at `nice`, through the `nice` utility so every thread it ever
 * starts inherits the value (setting it on the pid later would reach the main thread only).
 */
function runNiced(command: string, args: string[], nice: number): [string, string[]] {
  return nice > 0 && process.platform !== 'win32' ? ['nice', ['-n', String(nice), command, ...args]] : [command, args];
}

/**
 * A detached child leads a session of its own, and with the kernel's autogroups (sched_autogroup,
 * on in most distributions) CPU is shared between sessions first, by each session's autogroup
 * nice: the process's own nice value then only ranks it within its session, i.e. against nothing.
 * So the session's value is set too (Linux only; where the file is missing or the write refused,
 * the process's nice value still applies as without autogroups). spawn() returns after the
 * child's exec, so its session, and autogroup, exists by then.
 */
function lowerSessionPriority(pid: number, nice: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // not Linux, autogroups compiled out, or not permitted: the process's nice value is what is left
  }
}

/**
 * Starts a child in its own process group with stdout+stderr appended to `logFile` (and, with
 * `prefix`, also shown on the terminal line by line).
 */
export function spawnService(opts: SpawnOptions): ServiceHandle {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  const nice = opts.nice ?? 0;
  const [command, args] = runNiced(opts.command, opts.args, nice);
  fs.writeSync(fd, `\n=== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      stdio: opts.prefix ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
      detached: true,
      env: opts.env ?? process.env,
      cwd: opts.cwd ?? REPO_ROOT,
    });
  } finally {
    if (!opts.prefix) fs.closeSync(fd); // the child holds its own copy
  }
  if (nice > 0 && child.pid) lowerSessionPriority(child.pid, nice);
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
export async function waitReady(handle: ServiceHandle, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
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
