/**
 * Webhook delivery's contract: one long-lived `webhookDelivery` workflow per offer receives the
 * offer's events by signal(-with-start) from the history recorder and delivers them in order.
 */
import { defineSignal } from '@temporalio/workflow';
import type { RunStatus } from './status';
import type { StepId } from './steps';
import type { WebhookEventType } from './history';

export const WEBHOOK_WORKFLOW_TYPE = 'webhookDelivery';

export function webhookWorkflowId(publisherId: string, offerId: string): string {
  return `webhook/${publisherId}/${offerId}`;
}

/** One event as POSTed (Standard Webhooks payload); `id` is its `webhook-id`. */
export interface WebhookMessage {
  id: string;
  type: WebhookEventType;
  timestamp: string;
  data: { publisherId: string; offerId: string; runId: string; step?: StepId; status: RunStatus; reason?: string };
}

export interface WebhookRetry {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  /** How long one event is tried before it is given up (logged). */
  windowMs: number;
}

export interface WebhookDeliveryInput {
  publisherId: string;
  offerId: string;
  retry: WebhookRetry;
  /** Carried over continue-as-new: events not delivered yet, and ids already taken (duplicates from a retried recording). */
  pending?: WebhookMessage[];
  seen?: string[];
}

export const webhookEventsSignal = defineSignal<[WebhookMessage[]]>('webhookEvents');

/** One attempt, as GET …/webhook lists it. */
export interface WebhookAttempt {
  at: string;
  webhookId: string;
  type: string;
  offerId: string;
  /** The receiver's HTTP status, or null when no answer came (refused, timed out). */
  statusCode: number | null;
  latencyMs: number;
  delivered: boolean;
  error?: string;
}
