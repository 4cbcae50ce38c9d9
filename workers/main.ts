/** Worker process: connect, run the configured workers until SIGINT/SIGTERM, close the connection. */
import type { Server } from 'node:http';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config/env';
import { loadObservabilityConfig, splitAddress } from '../config/observability';
import { temporalConnectionOptions } from '../config/temporal';
import { createLogger, type Logger } from '../lib/observability/logger';
import { startTracing } from '../lib/observability/tracing';
import { createWorkers } from './create-workers';
import { boundPort, startHealthServer } from './health-server';
import { installWorkerRuntime } from './telemetry';
import { tracingBundlePath, workflowSource } from './workflow-source';

let log: Logger | undefined;

async function main() {
  const config = loadConfig();
  const tracing = startTracing('offer-publishing-worker');
  // Before connecting, so a missing WORKFLOW_BUNDLE is reported as such even when Temporal is down.
  // With tracing on, the bundle with the tracing interceptors (workflow-source.ts).
  const workflows = config.workerRoles.has('workflow') ? workflowSource(config, { tracing: tracing !== undefined }) : undefined;
  const obs = loadObservabilityConfig();
  log = createLogger({ service: 'worker', format: obs.logFormat, level: config.logLevel.toLowerCase() });
  installWorkerRuntime(config, obs, log);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  let workers: Worker[] = [];
  let health: Server | undefined;
  try {
    if (obs.workerHealthAddress) {
      const { host, port } = splitAddress(obs.workerHealthAddress);
      health = await startHealthServer(host, port, connection, () => workers);
      log.info({ readyz: `http://${obs.workerHealthAddress.replace(/:\d+$/, '')}:${boundPort(health)}/readyz` }, 'worker: health endpoints listening');
    }
    workers = await createWorkers(config, connection, workflows, tracing);
    // Says which workflow code runs, so a deployment that forgot WORKFLOW_BUNDLE shows it at start.
    const bundle = workflows?.workflowBundle && config.workflowBundle && (tracing ? tracingBundlePath(config.workflowBundle) : config.workflowBundle);
    const code = workflows ? `; workflows from ${bundle || 'workflows/, bundled at start'}` : '';
    log.info(
      { metrics: obs.workerMetricsAddress ? `http://${obs.workerMetricsAddress}/metrics` : 'off', taskQueues: workers.map((w) => w.options.taskQueue) },
      `worker: running ${[...config.workerRoles].join(' + ')} on ${config.temporal.address} (${config.temporal.namespace})${code}`,
    );
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    health?.close();
    await connection.close();
    await tracing?.shutdown();
  }
}

main().catch((err) => {
  if (log && !(err instanceof ConfigError)) log.fatal({ err }, 'worker: stopped on an error');
  else console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
