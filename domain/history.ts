/**
 * An offer's submission history (GET …/history) and the webhook events derived from it. The
 * workflow records events with who caused them; the store keeps them past Temporal's retention.
 * Imported by workflow code: type-only imports, no Node built-ins.
 */
import type { RunStatus } from './status';
import type { StepId } from './steps';

/** Who caused an event: a publisher (through the API), an operator (signals from the Temporal CLI), or the pipeline itself. */
export type Actor = `publisher:${string}` | 'operator' | 'system';

export const publisherActor = (publisherId: string): Actor => `publisher:${publisherId}`;

/** Event types sent to webhooks (docs/http-api.md#webhooks). */
export const WEBHOOK_EVENT_TYPES = [
  'publish.started',
  'publish.step.completed',
  'publish.waiting_for_input',
  'publish.waiting_for_review',
  'publish.overdue',
  'publish.failed',
  'publish.canceled',
  'publish.live',
] as const;

/** Events kept in the history only: requests that changed the run. */
export const REQUEST_EVENT_TYPES = ['publish.notification_emails.given', 'publish.go_live.requested', 'publish.cancel.requested'] as const;

/** Events of an offer's deprecation (workflows/deprecate-offer.ts), recorded without a publish run. */
export const DEPRECATION_EVENT_TYPES = [
  'deprecation.scheduled',
  'deprecation.rescheduled',
  'deprecation.effective',
  'deprecation.restore_requested',
  'deprecation.restored',
  'deprecation.replicas_deleted',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type HistoryEventType = WebhookEventType | (typeof REQUEST_EVENT_TYPES)[number] | (typeof DEPRECATION_EVENT_TYPES)[number];

export const isWebhookEventType = (t: string): t is WebhookEventType => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(t);

export interface HistoryEvent {
  /** `<workflow run id>:<seq>`: unique, stable across retries; the webhook-id of its delivery. */
  id: string;
  type: HistoryEventType;
  actor: Actor;
  at: string;
  runId: string;
  step?: StepId;
  /** The publish run's status after the event (publish events only). */
  status?: RunStatus;
  /** The cancel reason (as the status shows it). */
  reason?: string;
  /** Other facts of the event, e.g. a deprecation's `effectiveAt`. */
  data?: Record<string, string | number>;
}

export interface RunStepDuration {
  id: StepId;
  status: string;
  startedAt: string | null;
  completedAt: string | null;
  /** Null while the step has not ended. */
  durationMs: number | null;
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  endedAt: string | null;
  /** The run's status: Running, Waiting…, Succeeded, Failed or Canceled. */
  result: RunStatus;
  /** The step the run is at, or ended at. */
  endStep: StepId;
  startedBy: Actor;
  steps: RunStepDuration[];
}

/**
 * What a workflow hands the recording activity: the events of one activation (or more) and, for a
 * publish run, the run as it is now with its snapshot's name. Other workflows (a deprecation)
 * record events only.
 */
export interface HistoryBatch {
  publisherId: string;
  offerId: string;
  offerRef?: string;
  run?: RunSummary;
  events: HistoryEvent[];
}

/** One page of GET …/history. */
export interface HistoryPage {
  runs: RunSummary[];
  events: HistoryEvent[];
  /** Give it as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

/** GET …/changes: what the latest run's draft changes against the live version. */
export interface ChangesBody {
  live: boolean;
  liveRunId?: string;
  draftRunId: string;
  /** Secret fields carry no `from`/`to`. */
  changes: Array<{ path: string; change: 'added' | 'removed' | 'changed'; from?: unknown; to?: unknown }>;
}
