/**
 * `npm start`: the whole product on one machine. Starts the embedded services that the
 * environment does not point elsewhere (docs/operations.md), then the worker and the API,
 * and prints where everything is. Ctrl-C stops it all in reverse order.
 *
 * Data lives in the git-ignored `.data/`: the Temporal SQLite file (so a restart resumes
 * in-flight publish runs), Azurite's files, the generated publisher key, the generated key that
 * encrypts the secrets of offer snapshots, and service logs.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { emulatorRegionAccount } from '../config/azurite-accounts';
import { apiPath } from '../domain/api-paths';
import { portalPaths } from '../portal/paths';
import { DEFAULT_REGIONS } from '../domain/regions';
import { ensureTemporalCli } from '../dev-stack/tools';
import {
  REPO_ROOT,
  isPortOpen,
  spawnService,
  startAzurite,
  tsEntryArgs,
  startMailCatcher,
  startTemporalDevServer,
  backgroundNice,
  stopAll,
  type ServiceHandle,
} from '../dev-stack/services';

const DATA = path.join(REPO_ROOT, '.data');
const LOGS = path.join(DATA, 'logs');
const KEY_FILE = path.join(DATA, 'publisher-api-key');
const SECRETS_KEY_FILE = path.join(DATA, 'offer-secrets-key');
const DEMO_PUBLISHER = 'contoso';

const PORTS = { temporal: 7233, temporalUi: 8233, blob: 10000, queue: 10001, table: 10002, smtp: 1025, inbox: 1080 };

const handles: ServiceHandle[] = [];
let stopping = false;

function say(msg: string): void {
  console.log(`[start] ${msg}`);
}

/** Fails early, naming the variable that avoids the clash, rather than letting a child die obscurely. */
async function requireFreePorts(what: string, ports: number[], hint: string): Promise<void> {
  for (const port of ports) {
    if (await isPortOpen(port)) {
      throw new Error(`port ${port} (${what}) is already in use — is another \`npm start\` running? ${hint}`);
    }
  }
}

/** PUBLISHER_API_KEYS if set; else one key for `contoso`, generated once and kept in .data/. */
function publisherKeys(): { value: string; generated?: { publisherId: string; key: string } } {
  if (process.env.PUBLISHER_API_KEYS) return { value: process.env.PUBLISHER_API_KEYS };
  let key = fs.existsSync(KEY_FILE) ? fs.readFileSync(KEY_FILE, 'utf8').trim() : '';
  if (!key) {
    key = randomBytes(24).toString('base64url');
    fs.writeFileSync(KEY_FILE, `${key}\n`, { mode: 0o600 });
  }
  return { value: `${DEMO_PUBLISHER}:${key}`, generated: { publisherId: DEMO_PUBLISHER, key } };
}

/**
 * OFFER_SECRETS_KEY if set; else a key generated once and kept in .data/ (mode 0600), never
 * printed. Losing it makes the secrets of stored offer snapshots unreadable: runs in flight fail.
 */
function offerSecretsKey(): { value: string; generated: boolean } {
  if (process.env.OFFER_SECRETS_KEY) return { value: process.env.OFFER_SECRETS_KEY, generated: false };
  let key = fs.existsSync(SECRETS_KEY_FILE) ? fs.readFileSync(SECRETS_KEY_FILE, 'utf8').trim() : '';
  if (!key) {
    key = randomBytes(32).toString('base64');
    fs.writeFileSync(SECRETS_KEY_FILE, `${key}\n`, { mode: 0o600 });
  }
  return { value: key, generated: true };
}

async function shutdown(code: number, reason?: string): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (reason) say(reason);
    say('stopping…');
    await stopAll(handles);
    say('stopped');
  }
  process.exit(code);
}

function appProcess(name: string, entry: string, env: NodeJS.ProcessEnv, nice = 0): ServiceHandle {
  const file = path.join(REPO_ROOT, entry);
  if (!fs.existsSync(file)) throw new Error(`${entry} is missing, so the ${name} cannot start`);
  const handle = spawnService({
    name,
    command: process.execPath,
    args: tsEntryArgs(entry),
    env,
    logFile: path.join(LOGS, `${name}.log`),
    prefix: `[${name}] `,
    stopTimeoutMs: 15_000, // the worker finishes in-flight activity tasks
    nice,
  });
  void handle.exited.then((code) => {
    if (!stopping) void shutdown(1, `the ${name} exited unexpectedly (code ${code}); see above or ${path.relative(REPO_ROOT, handle.logFile)}`);
  });
  return handle;
}

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!stopping) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s (last: ${last})`);
}

export async function main(): Promise<void> {
  // First Ctrl-C/SIGTERM: orderly stop. Another one while stopping: give up waiting (the exit hook
  // in services.ts kills what is left).
  const onSignal = (code: number) => () => (stopping ? process.exit(code) : void shutdown(code));
  process.on('SIGINT', onSignal(130));
  process.on('SIGTERM', onSignal(143));

  fs.mkdirSync(LOGS, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  const apiPort = Number(process.env.PORT ?? 3000);
  await requireFreePorts('HTTP API', [apiPort], 'Or set PORT.');

  // The services below and the worker yield the CPU to the API and portal, whose users wait on each request.
  const nice = backgroundNice();
  const banner: string[] = [];
  let temporalUi: string | undefined;

  if (process.env.TEMPORAL_ADDRESS) {
    say(`Temporal: using ${process.env.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS)`);
  } else {
    const cli = await ensureTemporalCli();
    await requireFreePorts('Temporal', [PORTS.temporal, PORTS.temporalUi], 'Or set TEMPORAL_ADDRESS to use a running server.');
    say('starting the Temporal dev server…');
    const t = await startTemporalDevServer({
      port: PORTS.temporal,
      uiPort: PORTS.temporalUi,
      dbFile: path.join(DATA, 'temporal.db'),
      logDir: LOGS,
      cliPath: cli,
      nice,
    });
    handles.push(t);
    env.TEMPORAL_ADDRESS = t.address;
    env.TEMPORAL_NAMESPACE = t.namespace;
    temporalUi = t.uiUrl;
  }

  let azuriteLines: string[] = [];
  if (process.env.AZURE_STORAGE_CONNECTION_STRING) {
    say('Azure Storage: using AZURE_STORAGE_CONNECTION_STRING');
  } else {
    await requireFreePorts('Azurite', [PORTS.blob, PORTS.queue, PORTS.table], 'Or set AZURE_STORAGE_CONNECTION_STRING.');
    say('starting Azurite…');
    const a = await startAzurite({
      blobPort: PORTS.blob,
      queuePort: PORTS.queue,
      tablePort: PORTS.table,
      location: path.join(DATA, 'azurite'),
      logDir: LOGS,
      // Every configured region gets its own account, named ones beyond the default 55 too.
      regions: [...DEFAULT_REGIONS, ...(process.env.REGIONS ?? '').split(',').map((r) => r.trim()).filter(Boolean)],
      nice,
    });
    handles.push(a);
    env.AZURE_STORAGE_CONNECTION_STRING = a.connectionString;
    // Development images are served from Azurite on loopback; let the validate step fetch them.
    env.URL_ALLOW_LOOPBACK ??= 'true';
    azuriteLines = [
      `Azurite blob         ${a.blobEndpoint}`,
      `Azurite table        ${a.tableEndpoint}`,
      `Region accounts      one per region (e.g. ${emulatorRegionAccount('eastus').name}), REGION_STORAGE to change`,
    ];
  }

  let inbox: string | undefined;
  if (process.env.SMTP_URL) {
    say('SMTP: using SMTP_URL');
  } else {
    await requireFreePorts('mail catcher', [PORTS.smtp, PORTS.inbox], 'Or set SMTP_URL.');
    say('starting the MailDev mail catcher…');
    const m = await startMailCatcher({ smtpPort: PORTS.smtp, webPort: PORTS.inbox, logDir: LOGS, nice });
    handles.push(m);
    env.SMTP_URL = m.smtpUrl;
    inbox = m.webUrl;
  }

  const keys = publisherKeys();
  env.PUBLISHER_API_KEYS = keys.value;
  const secretsKey = offerSecretsKey();
  env.OFFER_SECRETS_KEY = secretsKey.value;
  env.PORT = String(apiPort);

  // Readable logs in a terminal, JSON lines otherwise; the worker's metrics and health at their defaults (docs/operations.md#observability-metrics-traces-logs-health).
  env.LOG_FORMAT ??= process.stdout.isTTY ? 'pretty' : 'json';
  if (!env.WORKER_METRICS_ADDRESS && !env.WORKER_HEALTH_ADDRESS) {
    await requireFreePorts('worker metrics and health', [9464, 9465], 'Or set WORKER_METRICS_ADDRESS and WORKER_HEALTH_ADDRESS (or "off").');
  }
  env.WORKER_METRICS_ADDRESS ??= '127.0.0.1:9464';
  env.WORKER_HEALTH_ADDRESS ??= '127.0.0.1:9465';
  say('starting the worker and the API…');
  handles.push(appProcess('worker', 'workers/main.ts', env, nice));
  handles.push(appProcess('api', 'api/server.ts', env));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitHealthy(`${apiUrl}${apiPath('health')}`, 120_000);
  if (stopping) return; // a child died while we waited; shutdown() reports it

  banner.push(
    `Publisher portal     ${apiUrl}${portalPaths.home()}   (sign in with ${keys.generated ? 'the API key below' : 'a key of PUBLISHER_API_KEYS'})`,
    `API                  ${apiUrl}`,
    `OpenAPI              ${apiUrl}${apiPath('openApi')}`,
    `Temporal             ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE ?? 'default'})`,
  );
  if (temporalUi) banner.push(`Temporal Web UI      ${temporalUi}`);
  const on = (addr: string | undefined, path: string) => (addr && addr !== 'off' ? `http://${addr}${path}` : 'off');
  banner.push(`Metrics              ${apiUrl}/metrics (API), ${on(env.WORKER_METRICS_ADDRESS, '/metrics')} (worker)`);
  banner.push(`Worker readiness     ${on(env.WORKER_HEALTH_ADDRESS, '/readyz')}`);
  if (inbox) banner.push(`Mail inbox           ${inbox}`);
  banner.push(...azuriteLines);
  if (keys.generated) {
    banner.push(
      `Publisher            ${keys.generated.publisherId}`,
      `API key              ${keys.generated.key}   (portal sign-in and API; kept in ${path.relative(REPO_ROOT, KEY_FILE)})`,
      `                     curl -H "Authorization: Bearer ${keys.generated.key}" ${apiUrl}${apiPath('listOffers', { publisherId: keys.generated.publisherId })}`,
    );
  } else {
    banner.push('Publisher keys       from PUBLISHER_API_KEYS');
  }
  banner.push(`Offer secrets key    ${secretsKey.generated ? `kept in ${path.relative(REPO_ROOT, SECRETS_KEY_FILE)}` : 'from OFFER_SECRETS_KEY'}`);
  banner.push(
    '',
    'Try                  npm run demo',
    `                     .tools/bin/temporal workflow list${process.env.TEMPORAL_ADDRESS ? ` --address ${env.TEMPORAL_ADDRESS}` : ''}`,
    `Logs                 ${path.relative(REPO_ROOT, LOGS)}/`,
    'Stop                 Ctrl-C',
  );
  const rule = '═'.repeat(72);
  console.log(`\n${rule}\n  Offer publishing is running\n${rule}`);
  for (const line of banner) console.log(`  ${line}`);
  console.log(`${rule}\n`);
}

if (require.main === module) {
  main().catch((err) => void shutdown(1, `failed: ${err instanceof Error ? err.message : String(err)}`));
}
