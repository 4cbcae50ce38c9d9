/**
 * Worker Versioning: every worker declares its Worker Deployment and build id; with
 * WORKER_VERSIONING on, the server routes tasks by deployment version (docs/operations.md#worker-versioning).
 *
 * Runs are AUTO_UPGRADE: a publish can wait days or weeks at sign-off, and a pinned run would keep
 * its build's workers up for as long as that. An auto-upgrading run moves to the current version at
 * its next workflow task, which is safe because every change of workflow behaviour goes behind
 * `patched()` and the recorded histories must replay on the new code (test/integration/replay.test.ts).
 */
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import type { AppConfig } from '../config/env';

export function workerDeploymentOptions({ deploymentName, buildId, versioning }: AppConfig['workerDeployment']): WorkerDeploymentOptions {
  const version = { deploymentName, buildId };
  return versioning ? { version, useWorkerVersioning: true, defaultVersioningBehavior: 'AUTO_UPGRADE' } : { version, useWorkerVersioning: false };
}
