/**
 * The status read path (docs/architecture.md, "Reading status"): status is served from the body the
 * run publishes in its memo, through the API's read model, so it answers with no worker running,
 * never shows a step going backwards while a publish runs, and shows an accepted Go live, cancel or
 * change of notification e-mails on the very next read.
 */
import { PublishGateway } from '../../api/publish-gateway';
import { STEP_IDS } from '../../domain/steps';
import type { PublishStatusBody, StepStatus } from '../../domain/status';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { startStack, type Stack } from '../helpers/stack';

const STEP_RANK: Record<StepStatus, number> = {
  NotStarted: 0,
  InProgress: 1,
  WaitingForPublisherInput: 1,
  WaitingForPublisherReview: 1,
  Complete: 2,
  Failed: 2,
  Canceled: 2,
};

/** Everything about a status that may only grow while a publish runs forward. */
function progressOf(s: PublishStatusBody): number[] {
  return [
    STEP_IDS.indexOf(s.currentStep),
    ...s.steps.map((st) => STEP_RANK[st.status]),
    ...s.steps.map((st) => st.progressPercentage),
    ...s.steps.map((st) => st.messages.length),
    s.provisioning?.regionsDone ?? 0,
    Date.parse(s.updatedAt),
  ];
}

async function publish(stack: Stack, offerId: string, notificationEmails = [`${offerId}@contoso.example`]): Promise<void> {
  const r = await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer: await hostedOffer(stack.blobs), notificationEmails } });
  expect(r.status).toBe(202);
}

const atSignoff = (s: PublishStatusBody) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed';

describe('status read path', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('never shows a step going backwards to concurrent readers while a publish runs', async () => {
    const offerId = uniqueOfferId('read-monotonic');
    await publish(stack, offerId);
    const reader = async () => {
      const seen: number[][] = [];
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const r = await call<PublishStatusBody>(stack, 'GET', `${offerPath(offerId)}/status`);
        expect(r.status).toBe(200);
        seen.push(progressOf(r.body));
        if (atSignoff(r.body)) {
          expect(r.body.status).toBe('WaitingForPublisherReview');
          return seen;
        }
      }
      throw new Error('the publish did not reach sign-off');
    };
    const readers = await Promise.all([reader(), reader(), reader(), reader()]);
    for (const seen of readers) {
      expect(seen.length).toBeGreaterThan(2);
      for (let i = 1; i < seen.length; i++) {
        seen[i].forEach((value, k) => expect([i, k, value]).toEqual([i, k, Math.max(value, seen[i - 1][k])]));
      }
    }
  }, 120_000);

  it('answers from the published body with no worker running, and shows an accepted Go live on the next read', async () => {
    const offerId = uniqueOfferId('read-golive');
    await publish(stack, offerId);
    const waiting = await waitForStatus(stack, offerId, atSignoff, 90_000);
    expect(waiting.status).toBe('WaitingForPublisherReview');

    // No worker: a workflow query could not be answered; the memo is read from the server. The
    // API's read model may answer from memory, so a gateway without it also reads it from Temporal.
    await stack.stopWorkers();
    try {
      const r = await call<PublishStatusBody>(stack, 'GET', `${offerPath(offerId)}/status`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(waiting);
      expect(await new PublishGateway(stack.client, stack.config.taskQueue, { freshMs: 0 }).status('contoso', offerId)).toEqual(waiting);
    } finally {
      await stack.startWorkers();
    }

    const goLive = await call<PublishStatusBody>(stack, 'POST', `${offerPath(offerId)}/golive`);
    expect(goLive.status).toBe(202);
    const next = await call<PublishStatusBody>(stack, 'GET', `${offerPath(offerId)}/status`);
    expect(next.status).toBe(200);
    expect(next.body.cancellable).toBe(false);
    expect((await call(stack, 'POST', `${offerPath(offerId)}/cancel`, { body: { reason: 'too late' } })).status).toBe(409);

    const done = await waitForStatus(stack, offerId, (s) => s.status === 'Succeeded' || s.status === 'Failed');
    expect(done.status).toBe('Succeeded');
    expect(done.liveLinks).toHaveLength(1);
  }, 150_000);

  it('shows accepted notification e-mails on the next read', async () => {
    const offerId = uniqueOfferId('read-emails');
    await publish(stack, offerId, []);
    const waiting = await waitForStatus(stack, offerId, (s) => s.status !== 'Running', 90_000);
    expect(waiting.status).toBe('WaitingForPublisherInput');
    const emails = [`${offerId}@contoso.example`];
    expect((await call(stack, 'POST', `${offerPath(offerId)}/notification-emails`, { body: { emails } })).status).toBe(202);
    const next = await call<PublishStatusBody>(stack, 'GET', `${offerPath(offerId)}/status`);
    expect(next.body.notificationEmails).toEqual(emails);
    expect(next.body.status).not.toBe('WaitingForPublisherInput');
    expect((await call(stack, 'POST', `${offerPath(offerId)}/cancel`)).status).toBe(202);
  }, 150_000);

  it('shows an accepted cancel on the next read', async () => {
    const offerId = uniqueOfferId('read-cancel');
    await publish(stack, offerId);
    await waitForStatus(stack, offerId, atSignoff, 90_000);
    const cancel = await call(stack, 'POST', `${offerPath(offerId)}/cancel`, { body: { reason: 'wrong price' } });
    expect(cancel.status).toBe(202);
    const next = await call<PublishStatusBody>(stack, 'GET', `${offerPath(offerId)}/status`);
    expect(next.status).toBe(200);
    expect(next.body.cancellable).toBe(false);
    const ended = await waitForStatus(stack, offerId, (s) => s.status === 'Canceled');
    expect(ended.steps.find((s) => s.id === 'signoff')!.messages.some((m) => /wrong price/.test(m.text))).toBe(true);
  }, 150_000);
});
