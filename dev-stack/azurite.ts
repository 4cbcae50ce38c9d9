/** Azurite (blob, queue, table) with the development account and one account per region. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AZURITE_DEV_ACCOUNT, AZURITE_DEV_KEY, azuriteAccountsEnv } from '../config/azurite-accounts';
import { DEFAULT_REGIONS } from '../domain/regions';
import { freePorts, spawnService, tsEntryArgs, waitReady, type ServiceHandle, type ServicePriority } from './processes';

export interface AzuriteHandle extends ServiceHandle {
  connectionString: string;
  blobEndpoint: string;
  tableEndpoint: string;
  queueEndpoint: string;
}

export interface AzuriteOptions extends ServicePriority {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  /** Workspace folder for persisted data; ignored when `inMemory`. */
  location?: string;
  inMemory?: boolean;
  logDir: string;
  readyTimeoutMs?: number;
  /** Regions that get an account of their own (config/azurite-accounts.ts); default the 55 of domain/regions.ts. */
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
 * Azurite with the development account and one account per region, in one process
 * (dev-stack/azurite-process.ts, which fixes its copy source check for cross-account copies).
 */
export async function startAzurite(o: AzuriteOptions): Promise<AzuriteHandle> {
  const args = [
    // Azurite's cwd is its data folder; tsEntryArgs resolves tsx from anywhere.
    ...tsEntryArgs('dev-stack/azurite-process.ts'),
    '--blobHost', '127.0.0.1', '--blobPort', String(o.blobPort),
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
    nice: o.nice,
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

/** Ready means: blob and table endpoints give Azurite's answer for the dev account. */
async function azuriteAnswers(o: { blobPort: number; tablePort: number }): Promise<boolean> {
  const blob = await fetch(`http://127.0.0.1:${o.blobPort}/${AZURITE_DEV_ACCOUNT}?comp=list`, { signal: AbortSignal.timeout(2000) });
  const table = await fetch(`http://127.0.0.1:${o.tablePort}/${AZURITE_DEV_ACCOUNT}/Tables`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(2000),
  });
  // Unauthenticated requests get 403 from Azurite, which is proof enough that it serves the account.
  return blob.status > 0 && table.status > 0;
}

/**
 * A throw-away in-memory Azurite on free ports, for the benchmarks when no storage is configured.
 * The three ports are picked together, so they never repeat (separate picks can).
 */
export async function startScratchAzurite(logDir: string, o: ServicePriority = {}): Promise<AzuriteHandle> {
  const [blobPort, queuePort, tablePort] = await freePorts(3);
  return startAzurite({ blobPort, queuePort, tablePort, inMemory: true, logDir, nice: o.nice });
}

/** The configured storage (AZURE_STORAGE_CONNECTION_STRING), else a scratch Azurite (`scratch`, for the caller to stop). */
export async function configuredOrScratchStorage(logDir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ connectionString: string; scratch?: AzuriteHandle }> {
  const given = env.AZURE_STORAGE_CONNECTION_STRING;
  if (given) return { connectionString: given };
  const scratch = await startScratchAzurite(logDir);
  return { connectionString: scratch.connectionString, scratch };
}
