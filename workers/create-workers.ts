/**
 * Builds the workers one process runs: the workflow worker (workflows + light activities) and the
 * I/O worker (certification, replication) on its own task queue, so heavy I/O can be scaled on
 * separate machines with WORKER_ROLES=io.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createIoActivities, createLightActivities } from '../activities';
import { createActivityDeps } from '../activities/deps';
import type { AppConfig } from '../config/env';

export type WorkflowSource = Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>;

export const defaultWorkflowSource: WorkflowSource = { workflowsPath: require.resolve('../workflows') };

export async function createWorkers(
  config: AppConfig,
  connection: NativeConnection,
  source: WorkflowSource = defaultWorkflowSource,
): Promise<Worker[]> {
  const deps = createActivityDeps(config);
  const common = {
    connection,
    namespace: config.temporal.namespace,
    // Cancellation reaches an activity through its heartbeats: flush them often so a cancel is prompt.
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
  } as const;
  const workers: Worker[] = [];
  if (config.workerRoles.has('workflow')) {
    workers.push(await Worker.create({ ...common, ...source, taskQueue: config.taskQueue, activities: createLightActivities(deps) }));
  }
  if (config.workerRoles.has('io')) {
    workers.push(
      await Worker.create({ ...common, taskQueue: config.ioTaskQueue, activities: createIoActivities(deps), maxConcurrentActivityTaskExecutions: 16 }),
    );
  }
  return workers;
}
