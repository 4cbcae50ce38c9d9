/**
 * A whole product in the test process: the real worker(s) and the real HTTP API, against the run's
 * Temporal dev server, Azurite and mail catcher, on task queues of its own so test files running
 * side by side never pick up each other's tasks.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { type BlobServiceClient } from '@azure/storage-blob';
import { loadConfig, type AppConfig } from '../../config/env';
import { createActivityDeps } from '../../activities/deps';
import type { RegionAccounts } from '../../lib/storage/region-accounts';
import { createApp } from '../../api/app';
import type { Logger } from '../../lib/observability/logger';
import { clientTracing, type Tracing } from '../../lib/observability/tracing';
import { PublishGateway } from '../../api/publish-gateway';
import { answerProtocolErrors } from '../../api/protocol-errors';
import { createWorkers } from '../../workers/create-workers';
import { testServices } from './services';
import { TEST_OFFER_SECRETS_KEY } from './offer-secrets';
import { workflowBundleFile } from './workflow-bundle';

export const PUBLISHER_KEY = 'test-contoso-key';
export const OTHER_PUBLISHER_KEY = 'test-fabrikam-key';
export const OPERATOR_KEY = 'test-operator-key';

export interface Stack {
  baseUrl: string;
  config: AppConfig;
  client: Client;
  blobs: BlobServiceClient;
  /** Each region's account, where replicas are. */
  regionAccounts: RegionAccounts;
  workers: Worker[];
  /** Starts the workers again (after `stopWorkers`), as a restarted worker process would. */
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  stop(): Promise<void>;
}

/** `requestLogger`: the API's request log (api/request-log.ts); `tracing`: spans from the API, client and workers. */
export async function startStack(env: Record<string, string> = {}, opts: { requestLogger?: Logger; tracing?: Tracing } = {}): Promise<Stack> {
  const s = testServices();
  const suffix = randomUUID().slice(0, 8);
  const config = loadConfig({
    TEMPORAL_ADDRESS: s.temporalAddress,
    TEMPORAL_NAMESPACE: s.namespace,
    AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString,
    SMTP_URL: s.smtpUrl,
    PUBLISHER_API_KEYS: `contoso:${PUBLISHER_KEY},fabrikam:${OTHER_PUBLISHER_KEY}`,
    OPERATOR_API_KEYS: OPERATOR_KEY,
    URL_ALLOW_LOOPBACK: 'true',
    OFFER_SECRETS_KEY: TEST_OFFER_SECRETS_KEY,
    REGIONS: 'eastus,westeurope,japaneast',
    PORT: '0',
    TASK_QUEUE: `test-${suffix}`,
    IO_TASK_QUEUE: `test-io-${suffix}`,
    ...env,
  });

  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  // Built once per change of the workflow sources, not per stack: see workflow-bundle.ts. With the
  // tracing interceptors only when this stack traces, as a worker loads WORKFLOW_BUNDLE.
  const bundle = await workflowBundleFile({ tracing: opts.tracing !== undefined });
  let workers: Worker[] = [];
  let running: Promise<unknown> | undefined;
  const startWorkers = async () => {
    workers = await createWorkers(config, nativeConnection, { workflowBundle: { codePath: bundle } }, opts.tracing);
    running = Promise.all(workers.map((w) => w.run()));
  };
  const stopWorkers = async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
    running = undefined;
  };
  await startWorkers();

  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace, ...clientTracing(opts.tracing) });
  const deps = createActivityDeps(config);
  const app = createApp({
    config,
    gateway: new PublishGateway(client, config.taskQueue),
    blobs: deps.blobs,
    validationDeps: deps,
    log: (msg, err) => console.error(msg, err),
    requestLogger: opts.requestLogger,
    traced: opts.tracing !== undefined,
  });
  const server: Server = await new Promise((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
    answerProtocolErrors(srv);
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  config.publicBaseUrl = baseUrl;

  return {
    baseUrl,
    config,
    client,
    blobs: deps.blobs,
    regionAccounts: deps.regionAccounts,
    get workers() {
      return workers;
    },
    startWorkers,
    stopWorkers,
    async stop() {
      await new Promise((r) => server.close(r));
      await stopWorkers();
      await connection.close();
      await nativeConnection.close();
      deps.mailer.close();
    },
  };
}
