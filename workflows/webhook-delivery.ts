/**
 * webhookDelivery: one long-lived run per offer (`webhook/{publisherId}/{offerId}`) that delivers
 * the offer's events to the publisher's webhook durably and in order. Events arrive by
 * signal(-with-start) from the history recording activity, so the publish never waits for a
 * receiver. The head of the queue is retried with backoff (WEBHOOK_RETRY_*) for up to the window
 * (a day by default) before the next event goes: a receiver down for an hour gets every event, in
 * order, once per webhook-id (the id is the event's, stable across attempts). Idle for an hour,
 * the run ends; the next event starts a new one. Long histories continue as new with the queue.
 */
import { condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { LightActivities } from '../activities';
import { webhookEventsSignal, type WebhookDeliveryInput, type WebhookMessage } from '../domain/webhooks';

/** Ids remembered to drop duplicates (a retried recording signals its events again). */
const SEEN_KEPT = 1000;
const IDLE = '1 hour';

export async function webhookDelivery(input: WebhookDeliveryInput): Promise<void> {
  const { retry } = input;
  const { deliverWebhook } = proxyActivities<LightActivities>({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: retry.windowMs,
    retry: { initialInterval: retry.initialIntervalMs, maximumInterval: retry.maximumIntervalMs, backoffCoefficient: 2 },
  });
  const queue: WebhookMessage[] = [...(input.pending ?? [])];
  const seen = new Set<string>(input.seen ?? []);
  setHandler(webhookEventsSignal, (messages) => {
    for (const m of messages) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      queue.push(m);
    }
  });

  for (;;) {
    if (!(await condition(() => queue.length > 0, IDLE))) return;
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof webhookDelivery>({ ...input, pending: queue, seen: [...seen].slice(-SEEN_KEPT) });
    }
    const message = queue[0];
    try {
      const outcome = await deliverWebhook(input.publisherId, message);
      if (outcome !== 'delivered') log.warn('webhook event not delivered', { id: message.id, outcome });
    } catch (err) {
      // Past the window: the attempts are in the delivery log; the next event goes.
      log.error('webhook event given up', { id: message.id, error: String(err) });
    }
    queue.shift();
  }
}
