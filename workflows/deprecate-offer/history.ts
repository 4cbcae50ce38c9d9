/**
 * The one place the deprecation workflow records what happened, with its actor, for the offer's
 * history: each event is built as the history store's event (domain/history.ts
 * DEPRECATION_EVENT_TYPES, `data` for its facts). It is written to the workflow's log (replay-safe)
 * only, for now: handing it to the store's `recordHistory` activity means issuing commands where
 * the event happens, some of them inside update handlers, and must be done from the main path in
 * the order described in workflows/deprecate-offer.ts (the restore update), behind `patched()`.
 */
import { log, workflowInfo } from '@temporalio/workflow';
import type { Actor, HistoryEvent } from '../../domain/history';

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
  publisherId: string;
  offerId: string;
  at: string;
  effectiveAt?: string;
  count?: number;
}

export function recordDeprecationEvent({ kind, actor, publisherId, offerId, at, effectiveAt, count }: DeprecationEvent): void {
  const { runId } = workflowInfo();
  const event: HistoryEvent = {
    // Each kind happens once per run, except a reschedule (at its own time): stable across replays.
    id: `${runId}:${TYPES[kind]}:${at}`,
    type: TYPES[kind],
    actor,
    at,
    runId,
    data: { ...(effectiveAt ? { effectiveAt } : {}), ...(count !== undefined ? { replicasDeleted: count } : {}) },
  };
  log.info(`history event ${event.type}`, { publisherId, offerId, ...event });
}
