/** API process: one Temporal connection for the process, then listen until SIGINT/SIGTERM. */
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config/env';
import { loadObservabilityConfig } from '../config/observability';
import { createLogger, type Logger } from '../lib/observability/logger';
import { clientTracing, startTracing } from '../lib/observability/tracing';
import { temporalConnectionOptions } from '../config/temporal';
import { createActivityDeps } from '../activities/deps';
import { createApp } from './app';
import { PublishGateway } from './publish-gateway';
import { answerProtocolErrors } from './protocol-errors';

let log: Logger | undefined;

async function main() {
  const config = loadConfig();
  log = createLogger({ service: 'api', format: loadObservabilityConfig().logFormat, level: config.logLevel.toLowerCase() });
  if (config.publisherKeys.size === 0 && config.operatorKeys.size === 0) {
    log.warn('api: no PUBLISHER_API_KEYS or OPERATOR_API_KEYS set: every request under /api/publishers will be refused (401)');
  }
  // lazy: the API starts (and /healthz answers 503) even while Temporal is still coming up.
  const connection = Connection.lazy(temporalConnectionOptions(config));
  const tracing = startTracing('offer-publishing-api');
  const client = new Client({ connection, namespace: config.temporal.namespace, ...clientTracing(tracing) });
  const validationDeps = createActivityDeps(config);
  const logger = log;
  const app = createApp({
    config,
    gateway: new PublishGateway(client, config.taskQueue, {
      freshMs: config.statusCacheFreshMs,
      // The kept status is served meanwhile; the error's message only (the logger scrubs it too).
      onRefreshError: (workflowId, err) => logger.debug({ workflowId, error: err instanceof Error ? err.message : String(err) }, 'api: status refresh failed'),
    }),
    blobs: validationDeps.blobs,
    validationDeps,
    log: (msg, err) => logger.error({ err }, `api: ${msg}`),
    requestLogger: logger,
    traced: tracing !== undefined,
  });
  const server = app.listen(config.port, config.host, () => {
    logger.info(`api: listening on http://${config.host}:${config.port} (OpenAPI at /openapi.json, metrics at /metrics)`);
  });
  answerProtocolErrors(server);
  const stop = () => {
    server.close(() => void Promise.allSettled([connection.close(), tracing?.shutdown()]).finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  if (log && !(err instanceof ConfigError)) log.fatal({ err }, 'api: stopped on an error');
  else console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
