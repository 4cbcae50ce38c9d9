/**
 * Records a run's events, with their actor, into the offer's history (lib/history) and from there
 * to the publisher's webhook; shared by the publish and deprecation workflows. Events are queued
 * synchronously where they happen and written by one background loop: whatever one activation (or
 * the write before it) queued goes in one local activity, so recording costs about one marker per
 * batch, never blocks a step or a handler, and keeps the order of the events. Runs recorded before
 * the workflow's patch record nothing.
 */
import { CancellationScope, condition, log, patched, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { LightActivities } from '../activities';
import type { Actor, HistoryEvent, HistoryEventType, RunSummary } from '../domain/history';

/**
 * A local activity: a write of a few milliseconds on the worker that runs the workflow task, with
 * no trip through the task queue and one marker in the history, so recording barely touches the
 * throughput. Storage that is down for a while delays the history; past these attempts the batch
 * is logged and dropped, and the run goes on.
 */
const { recordHistory } = proxyLocalActivities<LightActivities>({
  startToCloseTimeout: '10 seconds',
  // Waits past this are timers, so a slow store never holds the workflow task (and the updates queued behind it).
  localRetryThreshold: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 30 },
});

/** The offer whose history the events go to. */
export interface HistoryTarget {
  publisherId: string;
  offerId: string;
  /** The publish run's snapshot name (publish runs only). */
  offerRef?: string;
  /** The run the events belong to (`<runId>:<seq>` ids); defaults to this workflow run. */
  runId?: string;
}

/** What an event carries beside its id, type, actor and run. */
export type HistoryEventFields = Omit<HistoryEvent, 'id' | 'type' | 'actor' | 'runId'>;

export class HistoryEventRecorder {
  private readonly enabled: boolean;
  private readonly pending: HistoryEvent[] = [];
  private readonly runId: string;
  private seq = 0;
  private closed = false;
  private loop: Promise<void> | undefined;

  /** Construct at the workflow's start: `patched(patchId)` decides once whether this run records. */
  constructor(
    private readonly target: HistoryTarget,
    patchId: string,
    /** The run as it is when a batch is written (publish runs); other workflows record events only. */
    private readonly summary?: () => RunSummary,
  ) {
    this.runId = target.runId ?? workflowInfo().runId;
    this.enabled = patched(patchId);
  }

  /** Queues an event, `<runId>:<seq>`, at now unless `fields.at` says otherwise. */
  add(type: HistoryEventType, actor: Actor, fields: Partial<HistoryEventFields> = {}): void {
    if (!this.enabled || this.closed) return;
    this.pending.push({ id: `${this.runId}:${++this.seq}`, type, actor, at: new Date().toISOString(), runId: this.runId, ...fields });
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
      const { publisherId, offerId, offerRef } = this.target;
      try {
        await recordHistory({ publisherId, offerId, ...(offerRef !== undefined ? { offerRef } : {}), ...(this.summary ? { run: this.summary() } : {}), events });
      } catch (err) {
        log.error('history events not recorded', { count: events.length, first: events[0]?.id, error: String(err) });
      }
    }
  }
}
