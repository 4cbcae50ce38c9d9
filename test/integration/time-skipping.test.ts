/**
 * Smoke test for the Java time-skipping test server behind .tools/bin/temporal-test-server:
 * a workflow sleeping 3 days must finish in seconds of wall time.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { testServices } from '../helpers/services';
import { sleepyWorkflow } from '../fixtures/sleepy-workflow';

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: testServices().testServerPath } },
    });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a 3-day sleep in seconds', async () => {
    const taskQueue = `sleepy-${Date.now()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../fixtures/sleepy-workflow'),
    });
    const started = Date.now();
    const serverStart = await env.currentTimeMs();
    const result = await worker.runUntil(
      env.client.workflow.execute(sleepyWorkflow, { taskQueue, workflowId: `sleepy-${Date.now()}` }),
    );
    expect(result).toBe('rested');
    expect(Date.now() - started).toBeLessThan(30_000);
    // The server's clock moved by (at least) the sleep: time was skipped, not waited.
    expect((await env.currentTimeMs()) - serverStart).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
  });
});
