/**
 * The bench's bare worker (scripts/bench-pipeline.ts) in a process of its own, as the pipeline's
 * workers are: it runs at their CPU priority (BACKGROUND_NICE) and its CPU is counted the same
 * way. Polls BARE_TASK_QUEUE on TEMPORAL_ADDRESS until SIGTERM (the SDK's runtime shuts it down).
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const taskQueue = process.env.BARE_TASK_QUEUE;
  if (!taskQueue) throw new Error('BARE_TASK_QUEUE is not set');
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  try {
    const worker = await Worker.create({
      connection,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue,
      workflowsPath: require.resolve('./bare-workflow'),
      activities: { noop: async () => undefined },
    });
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
