/**
 * The one place the deprecation workflow records what happened, with its actor, for the offer's
 * history: each event goes to the history store through the shared recorder
 * (workflows/history-recorder.ts: queued where it happens, written by a background loop, one local
 * activity per batch), typed as domain/history.ts DEPRECATION_EVENT_TYPES with its facts in `data`.
 * Runs recorded before DEPRECATION_HISTORY_PATCH only log their events.
 */
import { log } from '@temporalio/workflow';
import type { Actor, HistoryEvent } from '../../domain/history';
import { HistoryEventRecorder } from '../history-recorder';

export const DEPRECATION_HISTORY_PATCH = 'deprecation-history-v1';

const TYPES = {
  scheduled: 'deprecation.scheduled',
  rescheduled: 'deprecation.rescheduled',
  effective: 'deprecation.effective',
  restoreRequested: 'deprecation.restore_requested',
  restored: 'deprecation.restored',
  replicasDeleted: 'deprecation.replicas_deleted',
} as const satisfies Record<string, HistoryEvent['type']>;

export interface DeprecationEvent {
  kind: keyof typeof TYPES;
  /** The publisher, an operator, or `system` (the schedule itself). */
  actor: Actor;
  at: string;
  effectiveAt?: string;
  count?: number;
}

export class DeprecationHistory {
  private readonly recorder: HistoryEventRecorder;

  /** Construct at the workflow's start, before its first command (the patch marker goes first). */
  constructor(private readonly offer: { publisherId: string; offerId: string }) {
    this.recorder = new HistoryEventRecorder({ publisherId: offer.publisherId, offerId: offer.offerId }, DEPRECATION_HISTORY_PATCH);
  }

  /** Queues the event; it never blocks (safe in handlers: no command is issued where it is called). */
  record({ kind, actor, at, effectiveAt, count }: DeprecationEvent): void {
    const data = { ...(effectiveAt ? { effectiveAt } : {}), ...(count !== undefined ? { replicasDeleted: count } : {}) };
    log.info(`history event ${TYPES[kind]}`, { ...this.offer, actor, at, ...data });
    this.recorder.add(TYPES[kind], actor, { at, ...(Object.keys(data).length ? { data } : {}) });
  }

  /** Writes what is still queued; the run awaits it before it returns. */
  drain(): Promise<void> {
    return this.recorder.drain();
  }
}
