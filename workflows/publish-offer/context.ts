/**
 * The state one publishOffer run carries between its steps and its message handlers, and the
 * helpers every step uses: e-mail, time frames, failing a step, cancelling.
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, log, patched, sleep, workflowInfo } from '@temporalio/workflow';
import { isPublisherFailure } from '../../domain/errors';
import { apiUrl } from '../../domain/api-paths';
import type { PublishInput } from '../../domain/messages';
import type { NotificationEvent, NotificationRequest, PublishPlan, RunRef } from '../../domain/pipeline';
import { stepDefinition, type StepId } from '../../domain/steps';
import { stepMessage } from '../../domain/step-messages';
import { PublishRun } from '../publish-run';
import { activityProxies, type ActivityProxies } from './activity-proxies';
import { HistoryRecorder } from './history-recorder';
import { FAILURES_BY_TYPE_PATCH, LEFTOVERS_TEXT, logOurFailure, ourFailureText } from './failures';

/** Thrown inside the main scope when a step failed; the run has already recorded why. */
export class StepFailed extends Error {}

export class PublishContext {
  readonly ref: RunRef;
  readonly run: PublishRun;
  readonly activities: ActivityProxies;
  readonly statusUrl: string;
  /** The cancellable part of the run (validate … signoff). */
  readonly mainScope = new CancellationScope();
  plan: PublishPlan | undefined;
  title: string;
  /** Validation and certification failures have their own e-mail; other failures get the generic one. */
  failureNotified = false;
  /** The e-mail a failed step sends: `internalFailure` when the problem is ours. */
  failureEvent: NotificationEvent = 'failed';
  goLiveRequested = false;
  /** Recipients until the publisher gives notification e-mails (the offer's engineering contact). */
  contactEmails: string[] = [];
  replicasMayExist = false;
  cancelReason = 'The publish was canceled.';
  /** E-mails in flight; the run waits for them before it ends. */
  readonly background: Promise<unknown>[] = [];
  /** The offer's history and webhooks: the run's events with who caused them. */
  readonly history: HistoryRecorder;

  constructor(readonly input: PublishInput) {
    const { publisherId, offerId, options } = input;
    const { workflowId, runId, memo } = workflowInfo();
    this.activities = activityProxies(options);
    this.ref = { publisherId, offerId, workflowId, runId, offerRef: input.offerRef };
    this.run = new PublishRun({ publisherId, offerId, runId, notificationEmails: input.notificationEmails, supportUrl: options.supportUrl });
    this.statusUrl = apiUrl(options.publicBaseUrl, 'status', { publisherId, offerId });
    this.title = typeof memo?.title === 'string' ? memo.title : offerId;
    this.history = new HistoryRecorder(this.ref, () => this.run.snapshot(), input.startedBy ?? 'operator');
    this.run.onEvent = (type, step, reason) => this.history.record(type, 'system', { step, reason });
    this.history.record('publish.started', this.history.startedBy, { step: 'validate' });
  }

  get options() {
    return this.input.options;
  }

  /** A cancel is accepted once: from here on the status says it can no longer be canceled. */
  requestCancel(reason: string): void {
    if (!this.run.cancellable) return;
    this.cancelReason = reason;
    this.run.closeCancellation();
    this.mainScope.cancel();
  }

  /** Go live closes cancellation at once: no cancel may slip in before the main flow resumes. */
  acceptGoLive(): void {
    this.goLiveRequested = true;
    this.run.closeCancellation();
  }

  /** Sends an e-mail in the background; a failure to send becomes a warning in the status. */
  notify(event: NotificationEvent, extra: Partial<NotificationRequest> = {}): void {
    const { run } = this;
    const req: NotificationRequest = {
      event,
      to: run.notificationEmails.length > 0 ? run.notificationEmails : this.contactEmails,
      publisherId: this.ref.publisherId,
      offerId: this.ref.offerId,
      runId: this.ref.runId,
      offerTitle: this.title,
      statusUrl: this.statusUrl,
      supportUrl: this.options.supportUrl,
      // Only when given: a run started without it (and its recorded history) sends the same request as before.
      ...(this.input.language ? { language: this.input.language } : {}),
      ...extra,
    };
    if (req.to.length === 0) return;
    // Non-cancellable: a cancel must not swallow the e-mail about what happened before it.
    const sending = CancellationScope.nonCancellable(() => this.activities.mailer.sendNotification(req)).catch((err) => {
      log.error('notification not sent', { event, error: String(err) });
      run.addFindings(run.currentStep, [{ level: 'Warning', text: stepMessage('emailNotSent', { event }) }]);
    });
    this.background.push(sending);
  }

  /** Runs a step's work with its time frame: past it, the step is marked overdue and one e-mail goes out. */
  async withTimeFrame<T>(id: StepId, work: () => Promise<T>): Promise<T> {
    const ms = this.options.timeFramesMs?.[id] ?? stepDefinition(id).timeFrameMs;
    if (!ms) return work();
    const timerScope = new CancellationScope();
    const timer = timerScope
      .run(() => sleep(ms))
      .then(
        () => {
          if (this.run.markOverdue(id)) this.notify('overdue', { stepName: stepDefinition(id).stepName });
        },
        (err) => {
          if (!isCancellation(err)) throw err;
        },
      );
    try {
      return await work();
    } finally {
      timerScope.cancel();
      await timer;
    }
  }

  /**
   * Fails the step on an activity's failure that reached the workflow. A catalogued publisher
   * failure says what to fix. Anything else outlived its retries and is ours: the step says so
   * (never the internal text), support is told, and the e-mail is `internalFailure`.
   */
  failStepFrom(id: StepId, err: unknown, prefix = ''): never {
    if (isCancellation(err)) throw err;
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    if (!isPublisherFailure(cause) && patched(FAILURES_BY_TYPE_PATCH)) {
      logOurFailure(this.ref, id, `Step ${id}`, err);
      const text = ourFailureText(prefix);
      this.failureEvent = 'internalFailure';
      this.run.failStep(id, [{ level: 'Error', text }]);
      throw new StepFailed(text);
    }
    // A publisher failure, or any failure in a run recorded before the patch: the step says what to fix.
    const text = cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : 'The step failed.';
    this.run.failStep(id, [{ level: 'Error', text: prefix + text }]);
    throw new StepFailed(text);
  }

  /**
   * A cleanup that outlived its retries (a region account that refuses us): the run still ends, so
   * the offer can be published again; support is told what may be left behind.
   */
  recordCleanupFailure(err: unknown): void {
    if (!(err instanceof ActivityFailure) || !patched(FAILURES_BY_TYPE_PATCH)) throw err;
    logOurFailure(this.ref, this.run.currentStep, 'Removing the replicas and preview page of the run', err);
    this.run.addFindings(this.run.currentStep, [{ level: 'Warning', text: LEFTOVERS_TEXT }]);
  }
}
