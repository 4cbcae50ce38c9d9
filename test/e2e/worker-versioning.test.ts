/**
 * A rollout with Worker Versioning on the dev server, as docs/operations.md#worker-versioning
 * describes it: build A is current, a publish starts on it and waits at sign-off; build B's
 * workers start, B is made current with the `temporal` CLI, A's workers stop. The waiting run
 * (AUTO_UPGRADE) moves to B at its next workflow task and goes live there.
 */
import { randomUUID } from 'node:crypto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { publishWorkflowId } from '../../domain/messages';
import type { PublishStatusBody } from '../../domain/status';
import { createWorkers } from '../../workers/create-workers';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { startStack, type Stack } from '../helpers/stack';
import { temporalCli } from '../helpers/temporal-cli';
import { workflowBundleFile } from '../helpers/workflow-bundle';

interface Described {
  workflowExecutionInfo: { status: string; versioningInfo?: { behavior?: string; deploymentVersion?: { deploymentName: string; buildId: string } } };
}

describe('a rollout from build A to build B', () => {
  const deploymentName = `publish-test-${randomUUID().slice(0, 8)}`;
  let stack: Stack;
  let connection: NativeConnection;
  let buildB: Worker[] = [];
  let runningB: Promise<unknown> | undefined;

  /** Makes a build current once its workers have polled every task queue of the deployment. */
  async function setCurrent(buildId: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await temporalCli('worker', 'deployment', 'set-current-version', '--deployment-name', deploymentName, '--build-id', buildId, '--yes');
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  beforeAll(async () => {
    stack = await startStack({ REGIONS: 'eastus', WORKER_VERSIONING: 'true', WORKER_DEPLOYMENT_NAME: deploymentName, WORKER_BUILD_ID: 'build-a' });
    connection = await NativeConnection.connect({ address: stack.config.temporal.address });
  });
  afterAll(async () => {
    for (const w of buildB) if (w.getState() === 'RUNNING') w.shutdown();
    await runningB;
    await stack?.stop();
    await connection?.close();
  });

  it('finishes a run started on build A after build B takes over', async () => {
    await setCurrent('build-a');
    const offerId = uniqueOfferId('rollout');
    const workflowId = publishWorkflowId('contoso', offerId);
    const offer = await hostedOffer(stack.blobs);
    await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: [`${offerId}@contoso.example`] } });
    const waiting = await waitForStatus(stack, offerId, (s: PublishStatusBody) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed');
    expect(waiting.status).toBe('WaitingForPublisherReview');
    const onA = await temporalCli<Described>('workflow', 'describe', '--workflow-id', workflowId);
    expect(onA.workflowExecutionInfo.versioningInfo).toMatchObject({ behavior: 'VERSIONING_BEHAVIOR_AUTO_UPGRADE', deploymentVersion: { deploymentName, buildId: 'build-a' } });

    // Build B: the same product with another build id, as a new release's processes would be.
    const configB = { ...stack.config, workerDeployment: { ...stack.config.workerDeployment, buildId: 'build-b' } };
    buildB = await createWorkers(configB, connection, { workflowBundle: { codePath: await workflowBundleFile() } });
    runningB = Promise.all(buildB.map((w) => w.run()));
    await setCurrent('build-b');
    await stack.stopWorkers(); // build A is gone: only B can run the rest

    const goLive = await call<PublishStatusBody>(stack, 'POST', `${offerPath(offerId)}/golive`);
    expect(goLive.status).toBe(202);
    const done = await waitForStatus(stack, offerId, (s) => s.status === 'Succeeded' || s.status === 'Failed', 60_000);
    expect(done.status).toBe('Succeeded');
    expect(done.steps.map((s) => s.status)).toEqual(Array(7).fill('Complete'));

    await stack.client.workflow.getHandle(workflowId).result(); // the last e-mail sent, the run closed
    const onB = await temporalCli<Described>('workflow', 'describe', '--workflow-id', workflowId);
    expect(onB.workflowExecutionInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');
    expect(onB.workflowExecutionInfo.versioningInfo?.deploymentVersion).toEqual({ deploymentName, buildId: 'build-b' });
  });
});
