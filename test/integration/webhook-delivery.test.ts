/**
 * The webhook delivery workflow with a mocked delivery activity, on the time-skipping test server:
 * events go out in order, one at a time, each retried until it is delivered (the next waits);
 * duplicates of a retried recording are dropped; an event past the retry window is given up.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WEBHOOK_WORKFLOW_TYPE, webhookEventsSignal, type WebhookDeliveryInput, type WebhookMessage } from '../../domain/webhooks';
import { testServices } from '../helpers/services';
import { workflowBundleFile } from '../helpers/workflow-bundle';

const message = (n: number): WebhookMessage => ({
  id: `run-1:${n}`,
  type: 'publish.step.completed',
  timestamp: new Date(0).toISOString(),
  data: { publisherId: 'contoso', offerId: 'web', runId: 'run-1', status: 'Running' },
});

describe('webhookDelivery (time-skipping test server)', () => {
  let env: TestWorkflowEnvironment;
  let codePath: string;
  beforeAll(async () => {
    [env, codePath] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServices().testServerPath } } }),
      workflowBundleFile(),
    ]);
  }, 180_000);
  afterAll(async () => {
    await env?.teardown();
  });

  async function deliver(failFor: (id: string, attempt: number) => boolean, retry: WebhookDeliveryInput['retry'], signals: WebhookMessage[][]) {
    const taskQueue = `webhook-${randomUUID()}`;
    const attempts: string[] = [];
    const delivered: string[] = [];
    const counts = new Map<string, number>();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath },
      activities: {
        deliverWebhook: async (_publisherId: string, m: WebhookMessage) => {
          const n = (counts.get(m.id) ?? 0) + 1;
          counts.set(m.id, n);
          attempts.push(m.id);
          if (failFor(m.id, n)) throw new Error('receiver down');
          delivered.push(m.id);
          return 'delivered';
        },
      },
    });
    await worker.runUntil(async () => {
      const input: WebhookDeliveryInput = { publisherId: 'contoso', offerId: 'web', retry };
      const workflowId = `webhook/contoso/${randomUUID()}`;
      for (const batch of signals) {
        await env.client.workflow.signalWithStart(WEBHOOK_WORKFLOW_TYPE, { workflowId, taskQueue, args: [input], signal: webhookEventsSignal, signalArgs: [batch] });
      }
      // Idle for an hour (skipped), the run ends.
      await env.client.workflow.getHandle(workflowId).result();
    });
    return { attempts, delivered };
  }

  it('delivers in order, retrying the head while the receiver is down, once per id', async () => {
    const retry = { initialIntervalMs: 1000, maximumIntervalMs: 60_000, windowMs: 24 * 3600_000 };
    // run-1:2 fails 5 times (a receiver down for a while); a retried recording signals 2 and 3 again.
    const { attempts, delivered } = await deliver((id, n) => id === 'run-1:2' && n <= 5, retry, [[message(1), message(2)], [message(2), message(3)], [message(4)]]);
    expect(delivered).toEqual(['run-1:1', 'run-1:2', 'run-1:3', 'run-1:4']);
    // Nothing after 2 was tried before 2 went through.
    expect(attempts.slice(0, 7)).toEqual(['run-1:1', ...Array(6).fill('run-1:2')]);
  }, 120_000);

  it('gives an event up after the retry window and goes on with the next', async () => {
    const retry = { initialIntervalMs: 1000, maximumIntervalMs: 10 * 60_000, windowMs: 3600_000 };
    const { attempts, delivered } = await deliver((id) => id === 'run-1:1', retry, [[message(1), message(2)]]);
    expect(delivered).toEqual(['run-1:2']);
    expect(attempts.filter((id) => id === 'run-1:1').length).toBeGreaterThan(3);
  }, 120_000);
});
