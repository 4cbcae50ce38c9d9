/**
 * Configuration, read from the environment once and validated; a bad variable stops the process
 * with a message naming it. Defaults are the embedded services `npm start` runs (docs/operations.md).
 */
import { z } from 'zod';
import { DEFAULT_REGIONS, REGION_NAME } from '../domain/regions';
import { DEFAULT_REGION_STORAGE_RETRY, DEFAULT_REGIONS_PER_COPY_ACTIVITY, IO_TASK_QUEUE, TASK_QUEUE, type RetryOptions } from '../domain/messages';
import { AZURITE_DEV_CONNECTION_STRING } from './azurite-accounts';
import type { UrlPolicy } from '../lib/net/url-policy';
import { MAX_WINDOW_LIMIT } from '../lib/history/rate-window';
import { resolveRegionStorage } from './region-storage';
import { DEFAULT_OFFER_SNAPSHOT_RETENTION, parseDuration, parseOfferSecretsKey } from './offer-secrets';
import ms from 'ms';

const csv = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A duration like `90d`, `12h`, `30s` (the `ms` package's format), as milliseconds. */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const value = ms(v.trim() as ms.StringValue) as number | undefined;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration with its unit, e.g. 90d, 12h, 30s' });
        return z.NEVER;
      }
      return value;
    });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_BASE_URL: z.url().optional(),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: bool,
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  AZURE_STORAGE_CONNECTION_STRING: z.string().default(AZURITE_DEV_CONNECTION_STRING),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().default('Marketplace Publishing <publishing@marketplace.local>'),
  PUBLISHER_API_KEYS: z.string().optional(),
  OPERATOR_API_KEYS: z.string().optional(),
  REGIONS: z.string().optional(),
  /** Each region's storage account: JSON (or @file) of region → connection string; see config/region-storage.ts. */
  REGION_STORAGE: z.string().optional(),
  PROVISION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  REGIONS_PER_COPY_ACTIVITY: z.coerce.number().int().min(1).max(64).default(DEFAULT_REGIONS_PER_COPY_ACTIVITY),
  /**
   * Retries of work on the regions' storage (a region's copy, removing replicas) before the failure
   * is ours and fails the step: attempts, then the first and the longest wait between them.
   */
  REGION_STORAGE_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(DEFAULT_REGION_STORAGE_RETRY.maximumAttempts),
  REGION_STORAGE_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(DEFAULT_REGION_STORAGE_RETRY.initialIntervalMs),
  REGION_STORAGE_RETRY_MAX_MS: z.coerce.number().int().min(1).default(DEFAULT_REGION_STORAGE_RETRY.maximumIntervalMs),
  /** AES-256 key (base64 of 32 bytes) sealing the secrets of offer snapshots; see config/offer-secrets.ts. */
  OFFER_SECRETS_KEY: z.string().optional(),
  /** How long an offer snapshot keeps its secrets once its run has ended (`30 days`, `12h`…). */
  OFFER_SNAPSHOT_RETENTION: z
    .string()
    .default(DEFAULT_OFFER_SNAPSHOT_RETENTION)
    .refine((v) => parseDuration(v) !== undefined, 'must be a duration with its unit, e.g. 30 days, 12h, 90m'),
  /** Webhook deliveries: the first and the longest wait between attempts, and how long an event is tried (docs/http-api.md#webhooks). */
  WEBHOOK_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(5_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).default(3_600_000),
  WEBHOOK_RETRY_WINDOW: z
    .string()
    .default('1 day')
    .refine((v) => parseDuration(v) !== undefined, 'must be a duration with its unit, e.g. 1 day, 12h'),
  /** Image self-tests a publisher may start per hour (POST …/image-tests). */
  IMAGE_TESTS_PER_HOUR: z.coerce.number().int().min(1).max(MAX_WINDOW_LIMIT).default(30),
  /** Lifetime of the read SAS minted on a control-account image for a cross-account copy. */
  COPY_SOURCE_SAS_MINUTES: z.coerce.number().int().min(5).max(7 * 24 * 60).default(240),
  SUPPORT_URL: z.url().default('https://support.marketplace.local/requests/new'),
  /** Hosts publisher URLs may point at: exact names or `.suffix`. */
  URL_ALLOWED_HOSTS: z.string().default('.blob.core.windows.net,.table.core.windows.net'),
  /**
   * Hosts publisher lead endpoints (HTTPS, Dynamics 365, Marketo, table endpoints) may be on. CRMs
   * live anywhere, so the default `*` allows any https host whose addresses are public.
   */
  LEAD_URL_ALLOWED_HOSTS: z.string().default('*'),
  /** Development and tests only: also allow http(s) to loopback addresses and `file:` URLs. */
  URL_ALLOW_LOOPBACK: bool,
  URL_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
  /** How long the API serves a status from memory before asking Temporal again; 0: every read asks (api/status-read-model.ts). */
  STATUS_CACHE_FRESH_MS: z.coerce.number().int().min(0).default(1000),
  /** Which workers this process runs: `workflow`, `io` or both. */
  WORKER_ROLES: z.string().default('workflow,io'),
  /**
   * Production: the prebuilt workflow bundle the workflow worker loads (`npm run build` writes
   * dist/workflow-bundle.js; a relative path is from the worker's working directory), so workers
   * start without webpack and every worker runs the same code. Unset (development), the worker
   * bundles workflows/ when it starts. A missing file stops the worker with a message.
   */
  WORKFLOW_BUNDLE: z.string().optional(),
  /**
   * Worker Versioning (docs/operations.md#worker-versioning): the Worker Deployment these workers
   * belong to and this build's id in it (one per release, e.g. the git commit). With
   * WORKER_VERSIONING on, tasks reach them only once their version is the deployment's current one.
   */
  WORKER_DEPLOYMENT_NAME: z.string().min(1).default('offer-publishing'),
  WORKER_BUILD_ID: z.string().min(1).default('dev'),
  WORKER_VERSIONING: bool,
  /** Level of the processes' JSON log (lib/observability/logger.ts): the product's lines and the Temporal SDK's. */
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  TASK_QUEUE: z.string().min(1).default(TASK_QUEUE),
  IO_TASK_QUEUE: z.string().min(1).default(IO_TASK_QUEUE),
  /** Runs a workflow worker keeps in memory (workers/create-workers.ts says why 250). */
  MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(250),
  /** Activity tasks an I/O worker process runs at once (copies wait on the storage service, not on the CPU). */
  IO_ACTIVITY_CONCURRENCY: z.coerce.number().int().min(1).default(64),
  /** The least notice a deprecation gives (`90d`; `30s` for development), unless for a critical security issue. */
  DEPRECATION_MIN_NOTICE: duration('90d'),
  /** How long after a deprecation takes effect it can still be restored; then its replicas are deleted. */
  DEPRECATION_RESTORE_WINDOW: duration('30d'),
});

export interface AppConfig {
  port: number;
  host: string;
  publicBaseUrl: string;
  temporal: {
    address: string;
    namespace: string;
    apiKey?: string;
    tls: boolean;
    tlsCert?: string;
    tlsKey?: string;
  };
  storageConnectionString: string;
  smtpUrl: string;
  mailFrom: string;
  /** api key → publisher id */
  publisherKeys: Map<string, string>;
  operatorKeys: Set<string>;
  regions: string[];
  /** region → connection string of the account its replicas go to (secrets: never log). */
  regionStorage: ReadonlyMap<string, string>;
  provisionConcurrency: number;
  /** REGIONS_PER_COPY_ACTIVITY: the most regions one copy activity copies in turn (1: one activity per region). */
  regionsPerCopyActivity: number;
  regionStorageRetry: RetryOptions;
  copySourceSasMinutes: number;
  /** Seals the secret fields of offer snapshots (secret: never log); undefined only on the embedded Azurite. */
  offerSecretsKey?: Buffer;
  /** How long after its run ended an offer snapshot keeps its secrets (activities/retention). */
  offerSnapshotRetentionMs: number;
  supportUrl: string;
  /** Webhook deliveries' retries: waits growing from initial to maximum, for at most windowMs per event. */
  webhookRetry: { initialIntervalMs: number; maximumIntervalMs: number; windowMs: number };
  imageTestsPerHour: number;
  /** Images and logos. */
  urlPolicy: UrlPolicy;
  /** Lead destinations: its own host list. */
  leadUrlPolicy: UrlPolicy;
  workerRoles: Set<'workflow' | 'io'>;
  /** STATUS_CACHE_FRESH_MS: age under which the API answers a status from memory; 0 disables it. */
  statusCacheFreshMs: number;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** WORKFLOW_BUNDLE as given; workers/workflow-source.ts resolves and checks it. */
  workflowBundle?: string;
  /** WORKER_DEPLOYMENT_NAME, WORKER_BUILD_ID, WORKER_VERSIONING (workers/deployment.ts). */
  workerDeployment: { deploymentName: string; buildId: string; versioning: boolean };
  /** Workflows and light activities. */
  taskQueue: string;
  /** Certification and replication, on workers that can be scaled on their own. */
  ioTaskQueue: string;
  /** MAX_CACHED_WORKFLOWS: the workflow worker's cache of runs. */
  maxCachedWorkflows: number;
  /** IO_ACTIVITY_CONCURRENCY: activity tasks at once on an I/O worker. */
  ioActivityConcurrency: number;
  /** DEPRECATION_MIN_NOTICE, in ms. */
  deprecationMinNoticeMs: number;
  /** DEPRECATION_RESTORE_WINDOW, in ms. */
  deprecationRestoreWindowMs: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;

  const publisherKeys = new Map<string, string>();
  for (const pair of csv(e.PUBLISHER_API_KEYS)) {
    const i = pair.indexOf(':');
    if (i <= 0 || i === pair.length - 1) {
      throw new ConfigError('Invalid configuration:\n  PUBLISHER_API_KEYS: expected publisherId:key[,publisherId:key…]');
    }
    publisherKeys.set(pair.slice(i + 1), pair.slice(0, i));
  }

  const regions = e.REGIONS ? csv(e.REGIONS) : [...DEFAULT_REGIONS];
  const badRegion = regions.find((r) => !REGION_NAME.test(r));
  if (badRegion !== undefined) {
    throw new ConfigError(`Invalid configuration:\n  REGIONS: "${badRegion}" is not a region name (lower-case letters and digits)`);
  }

  const regionStorage = resolveRegionStorage(e.REGION_STORAGE, e.AZURE_STORAGE_CONNECTION_STRING, regions);
  if (!regionStorage.ok) {
    throw new ConfigError(`Invalid configuration:\n${regionStorage.problems.map((p) => `  REGION_STORAGE: ${p}`).join('\n')}`);
  }

  const secretsKey = parseOfferSecretsKey(e.OFFER_SECRETS_KEY, e.AZURE_STORAGE_CONNECTION_STRING);
  if (!secretsKey.ok) throw new ConfigError(`Invalid configuration:\n  OFFER_SECRETS_KEY: ${secretsKey.problem}`);

  const roles = csv(e.WORKER_ROLES);
  const unknownRole = roles.find((r) => r !== 'workflow' && r !== 'io');
  if (unknownRole !== undefined || roles.length === 0) {
    throw new ConfigError('Invalid configuration:\n  WORKER_ROLES: expected workflow, io or workflow,io');
  }

  return {
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      apiKey: e.TEMPORAL_API_KEY,
      tls: e.TEMPORAL_TLS || !!e.TEMPORAL_API_KEY || !!e.TEMPORAL_TLS_CERT,
      tlsCert: e.TEMPORAL_TLS_CERT,
      tlsKey: e.TEMPORAL_TLS_KEY,
    },
    storageConnectionString: e.AZURE_STORAGE_CONNECTION_STRING,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publisherKeys,
    operatorKeys: new Set(csv(e.OPERATOR_API_KEYS)),
    regions,
    regionStorage: regionStorage.map,
    provisionConcurrency: e.PROVISION_CONCURRENCY,
    regionsPerCopyActivity: e.REGIONS_PER_COPY_ACTIVITY,
    regionStorageRetry: {
      maximumAttempts: e.REGION_STORAGE_RETRY_ATTEMPTS,
      initialIntervalMs: e.REGION_STORAGE_RETRY_INITIAL_MS,
      // Never below the first wait: Temporal refuses a maximum interval under the initial one.
      maximumIntervalMs: Math.max(e.REGION_STORAGE_RETRY_MAX_MS, e.REGION_STORAGE_RETRY_INITIAL_MS),
    },
    copySourceSasMinutes: e.COPY_SOURCE_SAS_MINUTES,
    offerSecretsKey: secretsKey.key,
    offerSnapshotRetentionMs: parseDuration(e.OFFER_SNAPSHOT_RETENTION)!,
    supportUrl: e.SUPPORT_URL,
    webhookRetry: {
      initialIntervalMs: e.WEBHOOK_RETRY_INITIAL_MS,
      maximumIntervalMs: Math.max(e.WEBHOOK_RETRY_MAX_MS, e.WEBHOOK_RETRY_INITIAL_MS),
      windowMs: parseDuration(e.WEBHOOK_RETRY_WINDOW)!,
    },
    imageTestsPerHour: e.IMAGE_TESTS_PER_HOUR,
    urlPolicy: { allowedHosts: csv(e.URL_ALLOWED_HOSTS), allowLoopback: e.URL_ALLOW_LOOPBACK, timeoutMs: e.URL_FETCH_TIMEOUT_MS },
    leadUrlPolicy: { allowedHosts: csv(e.LEAD_URL_ALLOWED_HOSTS), allowLoopback: e.URL_ALLOW_LOOPBACK, timeoutMs: e.URL_FETCH_TIMEOUT_MS },
    workerRoles: new Set(roles as Array<'workflow' | 'io'>),
    statusCacheFreshMs: e.STATUS_CACHE_FRESH_MS,
    logLevel: e.LOG_LEVEL,
    workflowBundle: e.WORKFLOW_BUNDLE?.trim() || undefined,
    workerDeployment: { deploymentName: e.WORKER_DEPLOYMENT_NAME, buildId: e.WORKER_BUILD_ID, versioning: e.WORKER_VERSIONING },
    taskQueue: e.TASK_QUEUE,
    ioTaskQueue: e.IO_TASK_QUEUE,
    maxCachedWorkflows: e.MAX_CACHED_WORKFLOWS,
    ioActivityConcurrency: e.IO_ACTIVITY_CONCURRENCY,
    deprecationMinNoticeMs: e.DEPRECATION_MIN_NOTICE,
    deprecationRestoreWindowMs: e.DEPRECATION_RESTORE_WINDOW,
  };
}
