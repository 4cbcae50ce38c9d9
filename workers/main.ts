/** Worker process: connect, run the configured workers until SIGINT/SIGTERM, close the connection. */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config/env';
import { temporalConnectionOptions } from '../config/temporal';
import { createWorkers } from './create-workers';
import { workflowSource } from './workflow-source';

async function main() {
  const config = loadConfig();
  // Before connecting, so a missing WORKFLOW_BUNDLE is reported as such even when Temporal is down.
  const workflows = config.workerRoles.has('workflow') ? workflowSource(config) : undefined;
  Runtime.install({ logger: new DefaultLogger(config.logLevel) });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  try {
    const workers = await createWorkers(config, connection, workflows);
    // Says which workflow code runs, so a deployment that forgot WORKFLOW_BUNDLE shows it at start.
    const code = workflows ? `; workflows from ${workflows.workflowBundle ? config.workflowBundle : 'workflows/, bundled at start'}` : '';
    console.log(`worker: running ${[...config.workerRoles].join(' + ')} on ${config.temporal.address} (${config.temporal.namespace})${code}`);
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
