/**
 * Records the run's events, with their actor, into the offer's history (lib/history) and from
 * there to the publisher's webhook. Events are queued synchronously where they happen and written
 * by one background loop: whatever one activation (or the write before it) queued goes in one
 * local activity, so recording costs about one marker per status change, never blocks a step, and
 * keeps the order of the events. Runs recorded before the patch record nothing.
 */
import { CancellationScope, condition, log, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { LightActivities } from '../../activities';
import type { Actor, HistoryEvent, HistoryEventType, RunSummary } from '../../domain/history';
import type { PublishStatusBody } from '../../domain/status';
import type { StepId } from '../../domain/steps';
import type { RunRef } from '../../domain/pipeline';

export const HISTORY_PATCH = 'history-recording-v1';

/**
 * A local activity: a write of a few milliseconds on the worker that runs the workflow task, with
 * no trip through the task queue and one marker in the history, so recording barely touches the
 * throughput of publishes. Storage that is down for a while delays the history; past these
 * attempts the batch is logged and dropped, and the run goes on.
 */
const { recordHistory } = proxyLocalActivities<LightActivities>({
  startToCloseTimeout: '10 seconds',
  // Waits past this are timers, so a slow store never holds the workflow task (and the updates queued behind it).
  localRetryThreshold: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 30 },
});

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

export class HistoryRecorder {
  private readonly enabled: boolean;
  private readonly pending: HistoryEvent[] = [];
  private seq = 0;
  private closed = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly ref: RunRef,
    private readonly snapshot: () => PublishStatusBody,
    readonly startedBy: Actor,
  ) {
    this.enabled = patched(HISTORY_PATCH);
  }

  /** Queues an event; `step` defaults to the run's current step. */
  record(type: HistoryEventType, actor: Actor, extra: { step?: StepId; reason?: string } = {}): void {
    if (!this.enabled || this.closed) return;
    const body = this.snapshot();
    this.pending.push({
      id: `${this.ref.runId}:${++this.seq}`,
      type,
      actor,
      at: new Date().toISOString(),
      runId: this.ref.runId,
      step: extra.step ?? body.currentStep,
      status: body.status,
      ...(extra.reason ? { reason: extra.reason } : {}),
    });
    this.loop ??= CancellationScope.nonCancellable(() => this.writeLoop());
  }

  /** Writes what is still queued; the run awaits it before it returns. */
  async drain(): Promise<void> {
    this.closed = true;
    await this.loop;
  }

  private async writeLoop(): Promise<void> {
    for (;;) {
      await condition(() => this.pending.length > 0 || this.closed);
      if (this.pending.length === 0) return;
      const events = this.pending.splice(0);
      const { publisherId, offerId, offerRef } = this.ref;
      try {
        await recordHistory({ publisherId, offerId, offerRef, run: runSummary(this.snapshot(), this.startedBy), events });
      } catch (err) {
        log.error('history events not recorded', { count: events.length, first: events[0]?.id, error: String(err) });
      }
    }
  }
}
