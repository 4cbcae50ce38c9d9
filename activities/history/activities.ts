/** The history and webhook activities, on the light queue (spread into createLightActivities). */
import { activityInfo, Context } from '@temporalio/activity';
import type { ActivityDeps } from '../deps';
import type { HistoryBatch } from '../../domain/history';
import type { WebhookMessage } from '../../domain/webhooks';
import { recordHistory } from '.';
import { deliverWebhook } from '../webhooks/deliver';

export function createHistoryActivities(deps: ActivityDeps) {
  return {
    /**
     * Records events into an offer's history and forwards the webhook ones. Any workflow on the
     * light queue may call it (the deprecation workflow too): events need a unique `id`
     * (`<runId>:<seq>`), an actor, and the run they belong to.
     */
    async recordHistory(batch: HistoryBatch): Promise<void> {
      return recordHistory(deps, Context.current().client, activityInfo().taskQueue, batch);
    },
    async deliverWebhook(publisherId: string, message: WebhookMessage) {
      return deliverWebhook(deps, publisherId, message);
    },
  };
}
