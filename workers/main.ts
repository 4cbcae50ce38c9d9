/** Worker process: connect, run the configured workers until SIGINT/SIGTERM, close the connection. */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config/env';
import { temporalConnectionOptions } from '../config/temporal';
import { createWorkers } from './create-workers';

async function main() {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger(config.logLevel) });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  try {
    const workers = await createWorkers(config, connection);
    console.log(`worker: running ${[...config.workerRoles].join(' + ')} on ${config.temporal.address} (${config.temporal.namespace})`);
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
