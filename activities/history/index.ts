/**
 * Recording the offer's history (on the light queue: a local activity of the publish workflow's recorder; an activity of
 * any other workflow that records into an offer's history, e.g. deprecation) and handing its webhook
 * events to the offer's delivery workflow.
 */
import type { Client } from '@temporalio/client';
import type { ActivityDeps } from '../deps';
import { isWebhookEventType, type HistoryBatch, type HistoryEvent } from '../../domain/history';
import { WEBHOOK_WORKFLOW_TYPE, webhookEventsSignal, webhookWorkflowId, type WebhookDeliveryInput, type WebhookMessage } from '../../domain/webhooks';
import { historyTableFor, writeHistoryBatch, type RunDraftRef } from '../../lib/history/store';
import { secretDigests } from '../../lib/history/secret-digests';
import { loadOfferSnapshot } from '../../lib/storage/offer-snapshots';
import { getWebhook } from '../../lib/webhooks/store';

const historyTableOf = (deps: Pick<ActivityDeps, 'config'>) => historyTableFor(deps.config.storageConnectionString);

export function webhookMessage(batch: Pick<HistoryBatch, 'publisherId' | 'offerId'>, e: HistoryEvent): WebhookMessage | undefined {
  if (!isWebhookEventType(e.type) || !e.status) return undefined;
  return {
    id: e.id,
    type: e.type,
    timestamp: e.at,
    data: {
      publisherId: batch.publisherId,
      offerId: batch.offerId,
      runId: e.runId,
      ...(e.step ? { step: e.step } : {}),
      status: e.status,
      ...(e.reason ? { reason: e.reason } : {}),
    },
  };
}

/**
 * Writes the batch (idempotent: fixed row keys), then, when the publisher has a webhook, signals
 * its events to the offer's delivery workflow (starting it if needed). A retried attempt may
 * signal the same events again; the delivery workflow drops ids it has seen.
 */
export async function recordHistory(deps: ActivityDeps, client: Client, taskQueue: string, batch: HistoryBatch): Promise<void> {
  let draft: RunDraftRef | undefined;
  if (batch.events.some((e) => e.type === 'publish.started') && batch.offerRef) {
    // Fingerprints of the draft's secrets, kept with the run: GET …/changes compares them after
    // retention has removed the secrets from the snapshot.
    const offer = await loadOfferSnapshot(deps, batch.offerRef).catch(() => undefined);
    draft = { offerRef: batch.offerRef, ...(offer && deps.config.offerSecretsKey ? { secretDigests: secretDigests(deps.config.offerSecretsKey, offer) } : {}) };
  }
  await writeHistoryBatch(historyTableOf(deps), batch, draft);
  await forwardToWebhook(deps, client, taskQueue, batch);
}

export async function forwardToWebhook(deps: ActivityDeps, client: Client, taskQueue: string, batch: Pick<HistoryBatch, 'publisherId' | 'offerId' | 'events'>): Promise<void> {
  const messages = batch.events.map((e) => webhookMessage(batch, e)).filter((m): m is WebhookMessage => m !== undefined);
  if (messages.length === 0) return;
  if (!(await getWebhook(deps.config, batch.publisherId))) return;
  const input: WebhookDeliveryInput = { publisherId: batch.publisherId, offerId: batch.offerId, retry: deps.config.webhookRetry };
  await client.workflow.signalWithStart(WEBHOOK_WORKFLOW_TYPE, {
    workflowId: webhookWorkflowId(batch.publisherId, batch.offerId),
    taskQueue,
    args: [input],
    signal: webhookEventsSignal,
    signalArgs: [messages],
  });
}
