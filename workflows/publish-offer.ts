/**
 * publishOffer: one run per publish request, from `validate` to `live` (domain.md §1).
 *
 * Shape: the cancellable part (validate … signoff) runs in `mainScope`; a cancel (signal, update
 * or a Temporal cancellation request) cancels that scope, and cleanup then runs non-cancellably.
 * Go live closes cancellation, and `live` runs outside the scope. Publisher-fixable problems fail
 * the step with messages; infrastructure errors are retried by Temporal and never reach here.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  cancelSignal,
  cancelUpdate,
  goLiveSignal,
  goLiveUpdate,
  INVALID_STATE,
  SA_PUBLISHER_ID,
  SA_PUBLISH_STATUS,
  SA_PUBLISH_STEP,
  setNotificationEmailsSignal,
  setNotificationEmailsUpdate,
  statusQuery,
  type PublishInput,
} from '../domain/messages';
import type { NotificationEvent, NotificationRequest, PublishPlan, RunRef } from '../domain/pipeline';
import type { Finding, PublishStatusBody } from '../domain/status';
import { stepDefinition, type StepId } from '../domain/steps';
import { isValidEmail } from '../domain/emails';
import { PublishRun } from './publish-run';

function activityProxies(ioTaskQueue: string) {
  const light = proxyActivities<Activities>({
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const certifier = proxyActivities<Activities>({
    taskQueue: ioTaskQueue,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes' },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  /** A region that keeps failing fails the step (naming it) instead of retrying for ever. */
  const replicator = proxyActivities<Activities>({
    taskQueue: ioTaskQueue,
    startToCloseTimeout: '6 hours',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 8 },
    // Cleanup must not start until every copy has stopped, or a late copy would leave a replica behind.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  /** E-mail must not block the publish for ever: after the attempts, the status says it was not sent. */
  const mailer = proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  return { light, certifier, replicator, mailer };
}

/** Thrown inside the main scope when a step failed; the run has already recorded why. */
class StepFailed extends Error {}

export async function publishOffer(input: PublishInput): Promise<PublishStatusBody> {
  const { publisherId, offerId, options } = input;
  const { workflowId, runId } = workflowInfo();
  const { light, certifier, replicator, mailer } = activityProxies(options.ioTaskQueue);
  const ref: RunRef = { publisherId, offerId, workflowId, runId, offerRef: input.offerRef };
  const run = new PublishRun({ publisherId, offerId, runId, notificationEmails: input.notificationEmails, supportUrl: options.supportUrl });
  const statusUrl = `${options.publicBaseUrl}/api/publishers/${encodeURIComponent(publisherId)}/offers/${encodeURIComponent(offerId)}/status`;
  let plan: PublishPlan | undefined;
  let title = typeof workflowInfo().memo?.title === 'string' ? (workflowInfo().memo!.title as string) : offerId;
  /** Validation and certification failures have their own e-mail; other failures get the generic one. */
  let failureNotified = false;
  let goLiveRequested = false;
  /** Recipients until the publisher gives notification e-mails (the offer's engineering contact). */
  let contactEmails: string[] = [];
  let replicasMayExist = false;
  const background: Promise<unknown>[] = [];

  // Kept current only when the starter set them (the API always does): a namespace without the
  // custom attributes registered, like the time-skipping test server's, would refuse the upsert.
  const keepVisibility = workflowInfo().typedSearchAttributes.get(SA_PUBLISHER_ID) !== undefined;
  run.onVisibleChange = (body) => {
    upsertMemo({ title, updatedAt: body.updatedAt });
    if (!keepVisibility) return;
    upsertSearchAttributes([
      { key: SA_PUBLISH_STEP, value: body.currentStep },
      { key: SA_PUBLISH_STATUS, value: body.status },
    ]);
  };

  const mainScope = new CancellationScope();
  /** A cancel is accepted once: from here on the status says it can no longer be canceled. */
  const requestCancel = (reason: string) => {
    if (!run.cancellable) return;
    cancelReason = reason;
    run.closeCancellation();
    mainScope.cancel();
  };
  let cancelReason = 'The publish was canceled.';

  // --- operator signals: best effort, ignored (and logged) when they do not apply now -----------
  setHandler(statusQuery, () => run.snapshot());
  /** Go live closes cancellation at once: no cancel may slip in before the main flow resumes. */
  const acceptGoLive = () => {
    goLiveRequested = true;
    run.closeCancellation();
  };
  setHandler(goLiveSignal, () => {
    if (run.isWaitingAt('signoff', 'WaitingForPublisherReview')) acceptGoLive();
    else log.warn('goLive signal ignored: the run is not waiting at signoff', { step: run.currentStep, status: run.status });
  });
  setHandler(cancelSignal, (arg) => {
    if (run.cancellable) requestCancel(cancelReasonText(arg?.reason));
    else log.warn('cancel signal ignored: the run can no longer be canceled', { step: run.currentStep, status: run.status });
  });
  setHandler(setNotificationEmailsSignal, (arg) => {
    const emails = arg?.emails ?? [];
    if (!run.ended && emails.length > 0 && emails.every(isValidEmail)) run.setNotificationEmails(emails);
    else log.warn('setNotificationEmails signal ignored: needs a non-empty list of valid e-mail addresses on a running publish');
  });

  // --- updates behind the HTTP API: validators say synchronously why a request is refused -------
  setHandler(
    goLiveUpdate,
    () => {
      acceptGoLive();
      return run.snapshot();
    },
    {
      validator: () => {
        if (!run.isWaitingAt('signoff', 'WaitingForPublisherReview')) {
          throw new Error(`${INVALID_STATE}: Go live is possible only while the publish waits for sign-off; it is ${run.status} at step ${run.currentStep}.`);
        }
      },
    },
  );
  setHandler(
    cancelUpdate,
    (arg) => {
      requestCancel(cancelReasonText(arg?.reason));
      return run.snapshot();
    },
    {
      validator: (_arg) => {
        if (!run.cancellable) {
          throw new Error(
            run.ended
              ? `${INVALID_STATE}: the publish has already ended (${run.status}).`
              : `${INVALID_STATE}: Go live was accepted; the publish can no longer be canceled.`,
          );
        }
      },
    },
  );
  setHandler(
    setNotificationEmailsUpdate,
    (arg) => {
      run.setNotificationEmails(arg.emails);
      return run.snapshot();
    },
    {
      validator: (arg) => {
        if (!run.isWaitingAt('validate', 'WaitingForPublisherInput')) {
          throw new Error(`${INVALID_STATE}: the publish is not waiting for notification e-mails; it is ${run.status} at step ${run.currentStep}.`);
        }
        if (!arg?.emails?.length || !arg.emails.every(isValidEmail)) {
          throw new Error(`${INVALID_STATE}: give at least one valid e-mail address.`);
        }
      },
    },
  );

  // --- helpers ---------------------------------------------------------------------------------
  function notify(event: NotificationEvent, extra: Partial<NotificationRequest> = {}): void {
    const req: NotificationRequest = {
      event,
      to: run.notificationEmails.length > 0 ? run.notificationEmails : contactEmails,
      publisherId,
      offerId,
      runId,
      offerTitle: title,
      statusUrl,
      supportUrl: options.supportUrl,
      ...extra,
    };
    if (req.to.length === 0) return;
    // Non-cancellable: a cancel must not swallow the e-mail about what happened before it.
    const sending = CancellationScope.nonCancellable(() => mailer.sendNotification(req)).catch((err) => {
      log.error('notification not sent', { event, error: String(err) });
      run.addFindings(run.currentStep, [{ level: 'Warning', text: `The "${event}" e-mail could not be sent; the status here is up to date.` }]);
    });
    background.push(sending);
  }

  /** Runs a step's work with its time frame: past it, the step is marked overdue and one e-mail goes out. */
  async function withTimeFrame<T>(id: StepId, work: () => Promise<T>): Promise<T> {
    const ms = options.timeFramesMs?.[id] ?? stepDefinition(id).timeFrameMs;
    if (!ms) return work();
    const timerScope = new CancellationScope();
    const timer = timerScope
      .run(() => sleep(ms))
      .then(
        () => {
          if (run.markOverdue(id)) notify('overdue', { stepName: stepDefinition(id).stepName });
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

  /** An activity's failure that reached the workflow is something the publisher must fix. */
  function failStepFrom(id: StepId, err: unknown, prefix = ''): never {
    if (isCancellation(err)) throw err;
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    const text = cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : 'The step failed.';
    run.failStep(id, [{ level: 'Error', text: prefix + text }]);
    throw new StepFailed(text);
  }

  // --- the steps -------------------------------------------------------------------------------
  async function validate(): Promise<void> {
    run.startStep('validate');
    await withTimeFrame('validate', async () => {
      const result = await light.validateOffer(ref).catch((err) => failStepFrom('validate', err));
      contactEmails = result.contactEmails ?? [];
      if (result.plan) {
        title = result.plan.title;
        plan = result.plan;
      }
      const errors = result.findings.filter((f) => f.level === 'Error');
      if (errors.length > 0 || !result.plan) {
        run.failStep('validate', result.findings);
        notify('validationFailed', { findings: errors, stepName: stepDefinition('validate').stepName });
        failureNotified = true;
        throw new StepFailed('validation failed');
      }
      run.addFindings('validate', [...result.findings, { level: 'Info', text: 'All prerequisites are met.' }]);
      if (run.notificationEmails.length === 0) {
        run.waitForPublisher('validate', 'WaitingForPublisherInput');
        run.addFindings('validate', [{ level: 'Info', text: 'Give an e-mail address for status notifications to continue.' }]);
        await condition(() => run.notificationEmails.length > 0);
        run.resumeStep('validate');
      }
    });
    run.completeStep('validate');
  }

  async function certify(p: PublishPlan): Promise<void> {
    run.startStep('certify');
    const result = await withTimeFrame('certify', () => certifier.certifyImages(ref, p)).catch((err) => failStepFrom('certify', err));
    run.setReport('certification', result.reportRef);
    const findings: Finding[] = result.notable.map((c) => ({
      level: c.result === 'Failed' ? 'Error' : 'Warning',
      text: `${c.testId} ${c.name}${c.disk ? ` (${c.disk})` : ''}: ${c.result}. Actual: ${c.actualValue}. Required: ${c.requiredValue}. ${c.remediation}`,
    }));
    if (!result.passed) {
      run.failStep('certify', findings);
      notify('certificationFailed', {
        failedChecks: result.notable.filter((c) => c.result === 'Failed'),
        stepName: stepDefinition('certify').stepName,
      });
      failureNotified = true;
      throw new StepFailed('certification failed');
    }
    run.addFindings('certify', [...findings, { level: 'Info', text: `All ${result.checkCount} certification checks passed.` }]);
    run.completeStep('certify');
  }

  async function provision(p: PublishPlan): Promise<void> {
    run.startStep('provision');
    const regions = options.regions;
    run.setRegions(regions);
    replicasMayExist = true;
    await withTimeFrame('provision', async () => {
      const pending = [...regions];
      const copyScope = new CancellationScope();
      let firstError: unknown;
      const lane = async () => {
        for (let region = pending.shift(); region !== undefined; region = pending.shift()) {
          run.setRegionState(region, 'Copying');
          try {
            await replicator.replicateRegion(ref, region, p.disks);
          } catch (err) {
            if (!isCancellation(err)) run.setRegionState(region, 'Failed');
            failStepFrom('provision', err, `Replication to region ${region} failed: `);
          }
          run.setRegionState(region, 'Complete');
        }
      };
      // On the first failure, stop the other lanes' copies and wait for them to stop before cleanup.
      await copyScope.run(() =>
        Promise.all(
          Array.from({ length: Math.min(options.provisionConcurrency, regions.length) }, () =>
            lane().catch((err) => {
              if (firstError === undefined) {
                firstError = err;
                copyScope.cancel();
              }
            }),
          ),
        ),
      );
      if (firstError !== undefined) throw firstError;
    });
    run.setReport('replicas', await light.writeProvisionReport(ref, regions));
    run.addFindings('provision', [{ level: 'Info', text: `${p.disks.length} disk(s) replicated to ${regions.length} region(s).` }]);
    run.completeStep('provision');
  }

  async function packageStep(p: PublishPlan): Promise<void> {
    run.startStep('package');
    const previewUrl = `${options.publicBaseUrl}/api/preview/offers/${encodeURIComponent(publisherId)}/${encodeURIComponent(offerId)}`;
    const result = await withTimeFrame('package', () => light.packageOffer(ref, p, options.regions, previewUrl)).catch((err) =>
      failStepFrom('package', err),
    );
    run.setReport('productPage', result.pageRef);
    if (result.lead) {
      run.setLeadDelivery(result.lead);
      run.addFindings('package', [
        result.lead.delivered
          ? { level: 'Info', text: `Test lead delivered to ${result.lead.destination}: ${result.lead.detail}` }
          : { level: 'Warning', text: `No test lead delivered to ${result.lead.destination}: ${result.lead.detail}` },
      ]);
    } else {
      run.addFindings('package', [{ level: 'Info', text: 'No lead destination is configured; no test lead was sent.' }]);
    }
    run.setPreviewLinks([previewUrl]);
    run.completeStep('package');
  }

  async function preview(): Promise<void> {
    run.startStep('preview');
    notify('previewReady', { links: run.snapshot().previewLinks });
    run.addFindings('preview', [{ level: 'Info', text: 'The offer is available for preview to the allow-listed subscriptions.' }]);
    run.completeStep('preview');
  }

  async function signoff(): Promise<void> {
    run.startStep('signoff');
    run.waitForPublisher('signoff', 'WaitingForPublisherReview');
    await condition(() => goLiveRequested);
    run.addFindings('signoff', [{ level: 'Info', text: 'Go live accepted.' }]);
    run.completeStep('signoff');
  }

  async function live(): Promise<void> {
    run.startStep('live');
    await light.promoteToLive(ref).catch((err) => failStepFrom('live', err));
    const liveUrl = `${options.publicBaseUrl}/api/marketplace/offers/${encodeURIComponent(publisherId)}/${encodeURIComponent(offerId)}`;
    run.setLiveLinks([liveUrl]);
    run.completeStep('live');
    run.succeed();
    notify('live', { links: [liveUrl] });
  }

  /** Remove what the run created (replicas, preview page); never interrupted by a cancel. */
  async function cleanup(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      if (!replicasMayExist) return;
      await light.cleanupRun(ref, options.regions);
      run.markRegionsRemoved();
    });
  }

  // --- orchestration ---------------------------------------------------------------------------
  try {
    await mainScope.run(async () => {
      await validate();
      await certify(plan!);
      await provision(plan!);
      await packageStep(plan!);
      await preview();
      await signoff();
    });
    await CancellationScope.nonCancellable(live);
  } catch (err) {
    if (isCancellation(err) && !run.ended) {
      await cleanup();
      run.cancel(cancelReason);
      notify('canceled');
    } else if (err instanceof StepFailed || run.status === 'Failed') {
      await cleanup();
      const failed = run.step(run.currentStep);
      if (!failureNotified) notify('failed', { stepName: failed.stepName, findings: failed.messages.filter((m) => m.level === 'Error') });
    } else {
      throw err;
    }
  }

  await CancellationScope.nonCancellable(() => Promise.all(background));
  return run.snapshot();
}

function cancelReasonText(reason?: string): string {
  const r = typeof reason === 'string' ? reason.trim().slice(0, 500) : '';
  return r ? `The publish was canceled: ${r}` : 'The publish was canceled.';
}
