/** The Temporal dev server (the `temporal` CLI built into .tools/), ready once our search attributes are registered. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/messages';
import { REPO_ROOT, freePorts, isPortOpen, spawnService, waitReady, type ServiceHandle, type ServicePriority } from './processes';

export const TEMPORAL_CLI_PATH = path.join(REPO_ROOT, '.tools', 'bin', 'temporal');

export interface TemporalHandle extends ServiceHandle {
  address: string;
  namespace: string;
  uiUrl?: string;
}

export interface TemporalOptions extends ServicePriority {
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
  // The CLI picks "a random free port" for these itself, before it binds --port: it can pick ours
  // (the kernel hands out recently freed ports again) and fail with "address already in use".
  const [httpPort, metricsPort] = (await freePorts(4)).filter((p) => p !== o.port && p !== o.uiPort);
  args.push('--http-port', String(httpPort), '--metrics-port', String(metricsPort));
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
    nice: o.nice,
  });
  const address = `${ip}:${o.port}`;
  await waitReady(handle, () => temporalHasSearchAttributes(address, namespace), o.readyTimeoutMs ?? 90_000);
  return { ...handle, address, namespace, uiUrl: o.uiPort ? `http://${ip}:${o.uiPort}` : undefined };
}

/**
 * Ready means: the frontend answers and our custom search attributes are registered. The CLI's
 * `--search-attribute` flags register them only in a new database, so in one kept from an older
 * version of the product (`.data/temporal.db`) the attributes added since are registered here.
 */
export async function temporalHasSearchAttributes(address: string, namespace = 'default'): Promise<boolean> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  if (!(await isPortOpen(port, host))) return false;
  const conn = await Connection.connect({ address, connectTimeout: '3s' });
  try {
    const res = await conn.operatorService.listSearchAttributes({ namespace });
    const missing = CUSTOM_SEARCH_ATTRIBUTES.filter((n) => !(n in (res.customAttributes ?? {})));
    if (missing.length === 0) return true;
    const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    await conn.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((n) => [n, keyword])) });
    return false; // listed on a later check
  } finally {
    await conn.close();
  }
}
