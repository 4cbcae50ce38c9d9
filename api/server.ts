/** API process: one Temporal connection for the process, then listen until SIGINT/SIGTERM. */
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config/env';
import { temporalConnectionOptions } from '../config/temporal';
import { createActivityDeps } from '../activities/deps';
import { createApp } from './app';
import { PublishGateway } from './publish-gateway';
import { answerProtocolErrors } from './protocol-errors';

async function main() {
  const config = loadConfig();
  if (config.publisherKeys.size === 0 && config.operatorKeys.size === 0) {
    console.warn('api: no PUBLISHER_API_KEYS or OPERATOR_API_KEYS set: every request under /api/publishers will be refused (401)');
  }
  // lazy: the API starts (and /healthz answers 503) even while Temporal is still coming up.
  const connection = Connection.lazy(temporalConnectionOptions(config));
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const validationDeps = createActivityDeps(config);
  const app = createApp({ config, gateway: new PublishGateway(client, config.taskQueue), blobs: validationDeps.blobs, validationDeps });
  const server = app.listen(config.port, config.host, () => {
    console.log(`api: listening on http://${config.host}:${config.port} (OpenAPI at /openapi.json)`);
  });
  answerProtocolErrors(server);
  const stop = () => {
    server.close(() => void connection.close().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
