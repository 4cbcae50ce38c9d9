/**
 * The publish run's history recorder (workflows/history-recorder.ts): its events with the run's
 * step and status, and the run's summary with each batch. Runs recorded before the patch record nothing.
 */
import { HistoryEventRecorder } from '../history-recorder';
import type { Actor, HistoryEventType, RunSummary } from '../../domain/history';
import type { PublishStatusBody } from '../../domain/status';
import type { StepId } from '../../domain/steps';
import type { RunRef } from '../../domain/pipeline';

export const HISTORY_PATCH = 'history-recording-v1';

const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

export function runSummary(body: PublishStatusBody, startedBy: Actor): RunSummary {
  const ended = TERMINAL.has(body.status);
  return {
    runId: body.runId,
    startedAt: body.startedAt,
    endedAt: ended ? body.updatedAt : null,
    result: body.status,
    endStep: body.currentStep,
    startedBy,
    steps: body.steps
      .filter((s) => s.startedAt)
      .map((s) => ({
        id: s.id,
        status: s.status,
        startedAt: s.startedAt,
        completedAt: s.completedAt,
        durationMs: s.startedAt && s.completedAt ? Date.parse(s.completedAt) - Date.parse(s.startedAt) : null,
      })),
  };
}

/** The publish run's recorder: each event carries the run's step and status, each batch the run's summary. */
export class HistoryRecorder extends HistoryEventRecorder {
  constructor(
    ref: RunRef,
    private readonly snapshot: () => PublishStatusBody,
    readonly startedBy: Actor,
  ) {
    super(ref, HISTORY_PATCH, () => runSummary(snapshot(), startedBy));
  }

  /** Queues an event; `step` defaults to the run's current step. */
  record(type: HistoryEventType, actor: Actor, extra: { step?: StepId; reason?: string } = {}): void {
    const body = this.snapshot();
    this.add(type, actor, { step: extra.step ?? body.currentStep, status: body.status, ...(extra.reason ? { reason: extra.reason } : {}) });
  }
}
