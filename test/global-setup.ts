/**
 * Starts one Temporal dev server, one Azurite and one MailDev for the jest run's integration and e2e
 * tiers (in-memory,
 * free ports), and publishes their addresses to test files (env for workers + .test-run/services.json).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureTemporalCli, ensureTestServer } from '../dev-stack/tools';
import { freePorts, startAzurite, startMailCatcher, startTemporalDevServer, stopAll, type ServiceHandle } from '../dev-stack/services';
import { SERVICES_ENV, SERVICES_FILE, type TestServices } from './helpers/services';

const RUN_DIR = path.dirname(SERVICES_FILE);
/** One record per jest run (`pids-<jest pid>.json`), so parallel runs never overwrite each other's. */
export const pidsFile = (owner: number) => path.join(RUN_DIR, `pids-${owner}.json`);

declare global {
  var __TEST_SERVICE_HANDLES__: ServiceHandle[] | undefined;
}

/**
 * The integration and e2e projects both name this setup; jest runs each project's setup in its own
 * main process, so the second call finds the services already started and reuses them.
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.__TEST_SERVICE_HANDLES__) return;
  const started = Date.now();
  reapStaleServices();
  const [temporalCliPath, testServerPath] = [await ensureTemporalCli(), await ensureTestServer()];
  const logDir = path.join(RUN_DIR, 'logs');
  const [temporalPort, blobPort, queuePort, tablePort, smtpPort, webPort] = await freePorts(6);

  const handles: ServiceHandle[] = [];
  globalThis.__TEST_SERVICE_HANDLES__ = handles;
  try {
    // Started together: each takes a few seconds, mostly waiting.
    const [temporal, azurite, mail] = await Promise.all([
      startTemporalDevServer({ port: temporalPort, logDir, cliPath: temporalCliPath }).then((h) => (handles.push(h), h)),
      startAzurite({ blobPort, queuePort, tablePort, inMemory: true, logDir }).then((h) => (handles.push(h), h)),
      startMailCatcher({ smtpPort, webPort, logDir }).then((h) => (handles.push(h), h)),
    ]);
    const services: TestServices = {
      temporalAddress: temporal.address,
      namespace: temporal.namespace,
      storageConnectionString: azurite.connectionString,
      smtpUrl: mail.smtpUrl,
      mailApiUrl: mail.webUrl,
      temporalCliPath,
      testServerPath,
    };
    fs.mkdirSync(RUN_DIR, { recursive: true });
    fs.writeFileSync(SERVICES_FILE, JSON.stringify(services, null, 2));
    fs.writeFileSync(pidsFile(process.pid), JSON.stringify({ owner: process.pid, pids: handles.map((h) => h.pid) }));
    // Jest workers are forked after global setup and inherit this environment.
    process.env[SERVICES_ENV] = JSON.stringify(services);
    console.log(`\ntest services ready in ${((Date.now() - started) / 1000).toFixed(1)}s (logs: ${path.relative(process.cwd(), logDir)})`);
  } catch (err) {
    await stopAll(handles);
    throw err;
  }
}

/** A previous run killed with SIGKILL cannot stop its services; stop them now if their owner is gone. */
function reapStaleServices(): void {
  let files: string[];
  try {
    files = fs.readdirSync(RUN_DIR).filter((f) => /^pids-\d+\.json$/.test(f));
  } catch {
    return;
  }
  for (const file of files) {
    let prev: { owner: number; pids: number[] };
    try {
      prev = JSON.parse(fs.readFileSync(path.join(RUN_DIR, file), 'utf8'));
    } catch {
      continue;
    }
    if (isAlive(prev.owner)) continue; // a parallel run still uses them
    for (const pid of prev.pids) {
      // Only our own services: guards against the pid having been reused by something else.
      const cmd = readCmdline(pid);
      if (cmd && /temporal|azurite|maildev/.test(cmd)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    fs.rmSync(path.join(RUN_DIR, file), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readCmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}
