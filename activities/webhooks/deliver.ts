/**
 * One delivery attempt of one webhook event: signed per Standard Webhooks (the `standardwebhooks`
 * package), POSTed through the lead URL policy (checked when connecting), logged with its time,
 * status code and latency. A non-2xx answer or no answer throws, and Temporal retries with backoff
 * (workflows/webhook-delivery.ts); a URL the policy refuses or a removed webhook ends the event.
 */
import { Webhook } from 'standardwebhooks';
import type { WebhookMessage } from '../../domain/webhooks';
import { isBlockedByPolicy, policedFetch, redactUrl, UrlPolicyError, type UrlPolicy } from '../../lib/net/url-policy';
import { getWebhookForSigning, logAttempt, type WebhookStoreDeps } from '../../lib/webhooks/store';
import { KiB } from '../../domain/units';

export type DeliveryOutcome = 'delivered' | 'noWebhook' | 'refusedByPolicy';

export async function deliverWebhook(deps: { config: WebhookStoreDeps & { leadUrlPolicy: UrlPolicy } }, publisherId: string, message: WebhookMessage): Promise<DeliveryOutcome> {
  const hook = await getWebhookForSigning(deps.config, publisherId);
  if (!hook) return 'noWebhook';
  const payload = JSON.stringify({ type: message.type, timestamp: message.timestamp, data: message.data });
  const sentAt = new Date();
  const headers = {
    'content-type': 'application/json',
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': new Webhook(hook.secret).sign(message.id, sentAt, payload),
  };
  const started = performance.now();
  const log = (statusCode: number | null, error?: string) =>
    logAttempt(deps.config, publisherId, {
      at: sentAt.toISOString(),
      webhookId: message.id,
      type: message.type,
      offerId: message.data.offerId,
      statusCode,
      latencyMs: Math.round(performance.now() - started),
      delivered: statusCode !== null && statusCode >= 200 && statusCode < 300,
      ...(error ? { error } : {}),
    });
  let status: number;
  try {
    const res = await policedFetch(hook.url, { method: 'POST', headers, body: payload }, deps.config.leadUrlPolicy, { maxBytes: 4 * KiB });
    status = res.status;
    await res.discard();
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0].slice(0, 300) : String(err);
    await log(null, why);
    if (err instanceof UrlPolicyError || isBlockedByPolicy(err)) return 'refusedByPolicy';
    throw new Error(`webhook delivery failed: ${why}`);
  }
  await log(status);
  if (status < 200 || status >= 300) throw new Error(`webhook ${redactUrl(hook.url)} answered ${status}`);
  return 'delivered';
}
