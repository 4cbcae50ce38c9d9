/**
 * Builds the workers one process runs: the workflow worker (workflows + light activities) and the
 * I/O worker (certification, replication) on its own task queue, so heavy I/O can be scaled on
 * separate machines with WORKER_ROLES=io. The workflow role also makes sure the offer snapshots'
 * retention schedule exists (workers/retention-schedule.ts).
 */
import { Client } from '@temporalio/client';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { createIoActivities, createLightActivities } from '../activities';
import { createActivityDeps } from '../activities/deps';
import type { AppConfig } from '../config/env';
import { workerTracing, type Tracing } from '../lib/observability/tracing';
import { workerDeploymentOptions } from './deployment';
import { ensureRetentionSchedule } from './retention-schedule';
import { workflowSource, type WorkflowSource } from './workflow-source';

export type { WorkflowSource } from './workflow-source';

/**
 * `source` defaults to what the configuration asks for (WORKFLOW_BUNDLE or bundling workflows/ at
 * start); tests pass a bundle they built once. Only the workflow role needs it, so an I/O-only
 * process never fails on a missing bundle.
 */
export async function createWorkers(config: AppConfig, connection: NativeConnection, source?: WorkflowSource, tracing?: Tracing): Promise<Worker[]> {
  const workflows = config.workerRoles.has('workflow') ? (source ?? workflowSource(config, { tracing: tracing !== undefined })) : undefined;
  const deps = createActivityDeps(config);
  const common = {
    connection,
    // Spans of workflows and activities when tracing is on (lib/observability/tracing.ts).
    ...workerTracing(tracing, workflows?.workflowsPath !== undefined),
    namespace: config.temporal.namespace,
    workerDeploymentOptions: workerDeploymentOptions(config.workerDeployment),
    // Cancellation reaches an activity through its heartbeats: flush them often so a cancel is prompt.
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
  } as const;
  const workers: Worker[] = [];
  if (workflows) {
    workers.push(
      await Worker.create({
        ...common,
        ...workflows,
        taskQueue: config.taskQueue,
        activities: createLightActivities(deps),
        // Runs wait days at sign-off with nothing to do: caching them would only hold memory, and one
        // that is evicted is replayed from its history (a few hundred events) when Go live arrives.
        // The cache holds the runs that are working (minutes each); README "Performance" gives the
        // memory per cached run the bench measured.
        maxCachedWorkflows: config.maxCachedWorkflows,
      }),
    );
    await ensureRetentionSchedule(new Client({ connection, namespace: config.temporal.namespace }), config.taskQueue);
  }
  if (config.workerRoles.has('io')) {
    workers.push(
      await Worker.create({ ...common, taskQueue: config.ioTaskQueue, activities: createIoActivities(deps), maxConcurrentActivityTaskExecutions: config.ioActivityConcurrency }),
    );
  }
  return workers;
}
