/**
 * The seven steps of a publish run (docs/process.md), each recording its progress in the run's
 * status. A step that fails on something the publisher must fix records why and throws StepFailed.
 */
import { ActivityFailure, CancellationScope, condition, isCancellation, patched } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import { apiUrl } from '../../domain/api-paths';
import type { PublishPlan } from '../../domain/pipeline';
import type { Finding } from '../../domain/status';
import { stepDefinition } from '../../domain/steps';
import { stepMessage } from '../../domain/step-messages';
import { certificationSummary, replicationSummary } from '../../domain/ui-metadata';
import { DEFAULT_REGION_STORAGE_RETRY, DEFAULT_REGIONS_PER_COPY_ACTIVITY } from '../../domain/messages';
import { CERTIFY_ATTEMPTS, REGION_COPY_HOURS } from './activity-proxies';
import { StepFailed, type PublishContext } from './context';

export async function validate(ctx: PublishContext): Promise<void> {
  const { run } = ctx;
  run.startStep('validate');
  await ctx.withTimeFrame('validate', async () => {
    const result = await ctx.activities.light.validateOffer(ctx.ref).catch((err) => ctx.failStepFrom('validate', err));
    ctx.contactEmails = result.contactEmails ?? [];
    if (result.plan) {
      ctx.title = result.plan.title;
      ctx.plan = result.plan;
    }
    const errors = result.findings.filter((f) => f.level === 'Error');
    if (errors.length > 0 || !result.plan) {
      run.failStep('validate', result.findings);
      ctx.notify('validationFailed', { findings: errors, stepName: stepDefinition('validate').stepName });
      ctx.failureNotified = true;
      throw new StepFailed('validation failed');
    }
    run.addFindings('validate', [...result.findings, { level: 'Info', text: stepMessage('prerequisitesMet') }]);
    if (run.notificationEmails.length === 0) {
      run.waitForPublisher('validate', 'WaitingForPublisherInput');
      run.addFindings('validate', [{ level: 'Info', text: stepMessage('notificationEmailNeeded') }]);
      await condition(() => run.notificationEmails.length > 0);
      run.resumeStep('validate');
    }
  });
  run.completeStep('validate');
}

/** Said before "a problem on our side…" when certification did not finish on any of its attempts. */
function attemptsSpent(err: unknown): string {
  return err instanceof ActivityFailure && err.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED ? `Certification did not finish in ${CERTIFY_ATTEMPTS} attempts: ` : '';
}

export async function certify(ctx: PublishContext, p: PublishPlan): Promise<void> {
  const { run } = ctx;
  run.startStep('certify');
  const result = await ctx
    .withTimeFrame('certify', () => ctx.activities.certifier.certifyImages.executeWithOptions({ summary: certificationSummary(p) }, [ctx.ref, p]))
    .catch((err) => ctx.failStepFrom('certify', err, attemptsSpent(err)));
  run.setReport('certification', result.reportRef);
  const findings: Finding[] = result.notable.map((c) => ({
    level: c.result === 'Failed' ? 'Error' : 'Warning',
    text: `${c.testId} ${c.name}${c.disk ? ` (${c.disk})` : ''}: ${c.result}. Actual: ${c.actualValue}. Required: ${c.requiredValue}. ${c.remediation}`,
  }));
  if (!result.passed) {
    run.failStep('certify', findings);
    ctx.notify('certificationFailed', {
      failedChecks: result.notable.filter((c) => c.result === 'Failed'),
      stepName: stepDefinition('certify').stepName,
    });
    ctx.failureNotified = true;
    throw new StepFailed('certification failed');
  }
  run.addFindings('certify', [...findings, { level: 'Info', text: stepMessage('checksPassed', { count: result.checkCount }) }]);
  run.completeStep('certify');
}

/** Runs that copy several regions per activity; runs started before copy one region per activity. */
export const PROVISION_BATCHES_PATCH = 'provision-region-batches';

/**
 * A few lanes at a time; each lane takes its regions a few per activity, copied in turn (the
 * activity costs more than a copy the storage service finishes as it starts). A region a batch
 * could not copy, and those after it, are copied one activity each, so a failing region is retried
 * and shown on its own, with its usual attempts.
 */
export async function provision(ctx: PublishContext, p: PublishPlan): Promise<void> {
  const { run, options } = ctx;
  run.startStep('provision');
  const regions = options.regions;
  run.setRegions(regions);
  ctx.replicasMayExist = true;
  const lanes = Math.min(options.provisionConcurrency, regions.length);
  const most = options.regionsPerCopyActivity ?? DEFAULT_REGIONS_PER_COPY_ACTIVITY;
  const perActivity = patched(PROVISION_BATCHES_PATCH) ? Math.min(most, Math.ceil(regions.length / lanes)) : 1;
  const { replicator } = ctx.activities;
  const attempts = (options.regionStorageRetry ?? DEFAULT_REGION_STORAGE_RETRY).maximumAttempts;
  /** One region in its own activity; `triedOnce` when a batch's try counts as its first attempt. */
  const copyRegion = async (region: string, triedOnce = false) => {
    run.setRegionState(region, 'Copying');
    const retry = triedOnce && attempts > 1 ? { retry: { maximumAttempts: attempts - 1 } } : {};
    try {
      await replicator.replicateRegion.executeWithOptions({ summary: replicationSummary(region, p.disks), ...retry }, [ctx.ref, region, p.disks]);
    } catch (err) {
      if (!isCancellation(err)) run.setRegionState(region, 'Failed');
      ctx.failStepFrom('provision', err, `Replication to region ${region} failed: `);
    }
    run.setRegionState(region, 'Complete');
  };
  const copyBatch = async (batch: string[]) => {
    for (const region of batch) run.setRegionState(region, 'Copying');
    // One attempt: whatever it did not copy (it stopped at a failure, or its worker was lost) is
    // copied region by region. Each region gets the time one region's activity has.
    const batchOptions = { summary: replicationSummary(batch, p.disks), retry: { maximumAttempts: 1 }, startToCloseTimeout: REGION_COPY_HOURS * batch.length * 3_600_000 };
    const result = await replicator.replicateRegions
      .executeWithOptions(batchOptions, [ctx.ref, batch, p.disks])
      .catch((err: unknown) => {
        if (isCancellation(err)) throw err;
        return undefined;
      });
    const done = new Set(result?.replicated.map((r) => r.region));
    for (const region of batch) if (done.has(region)) run.setRegionState(region, 'Complete');
    for (const region of batch) if (!done.has(region)) await copyRegion(region, region === result?.stopped?.region);
  };
  await ctx.withTimeFrame('provision', async () => {
    const pending = [...regions];
    const copyScope = new CancellationScope();
    let firstError: unknown;
    const lane = async () => {
      for (let batch = pending.splice(0, perActivity); batch.length > 0; batch = pending.splice(0, perActivity)) {
        if (batch.length > 1) await copyBatch(batch);
        else await copyRegion(batch[0]);
      }
    };
    // On the first failure, stop the other lanes' copies and wait for them to stop before cleanup.
    await copyScope.run(() =>
      Promise.all(
        Array.from({ length: lanes }, () =>
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
  run.setReport('replicas', await ctx.activities.light.writeProvisionReport(ctx.ref, regions));
  run.addFindings('provision', [{ level: 'Info', text: stepMessage('replicated', { disks: p.disks.length, regions: regions.length }) }]);
  run.completeStep('provision');
}

export async function packageStep(ctx: PublishContext, p: PublishPlan): Promise<void> {
  const { run, options, ref } = ctx;
  run.startStep('package');
  const previewUrl = apiUrl(options.publicBaseUrl, 'previewPage', { publisherId: ref.publisherId, offerId: ref.offerId });
  const result = await ctx
    .withTimeFrame('package', () => ctx.activities.light.packageOffer(ref, p, options.regions, previewUrl))
    .catch((err) => ctx.failStepFrom('package', err));
  run.setReport('productPage', result.pageRef);
  if (result.lead) {
    run.setLeadDelivery(result.lead);
    run.addFindings('package', [
      result.lead.delivered
        ? { level: 'Info', text: stepMessage('leadDelivered', { destination: result.lead.destination, detail: result.lead.detail }) }
        : { level: 'Warning', text: stepMessage('leadNotDelivered', { destination: result.lead.destination, detail: result.lead.detail }) },
    ]);
  } else {
    run.addFindings('package', [{ level: 'Info', text: stepMessage('noLeadDestination') }]);
  }
  run.setPreviewLinks([previewUrl]);
  run.completeStep('package');
}

export async function preview(ctx: PublishContext): Promise<void> {
  const { run } = ctx;
  run.startStep('preview');
  ctx.notify('previewReady', { links: run.snapshot().previewLinks });
  run.addFindings('preview', [{ level: 'Info', text: stepMessage('previewAvailable') }]);
  run.completeStep('preview');
}

export async function signoff(ctx: PublishContext): Promise<void> {
  const { run } = ctx;
  run.startStep('signoff');
  run.waitForPublisher('signoff', 'WaitingForPublisherReview');
  await condition(() => ctx.goLiveRequested);
  run.addFindings('signoff', [{ level: 'Info', text: stepMessage('goLiveAccepted') }]);
  run.completeStep('signoff');
}

export async function live(ctx: PublishContext): Promise<void> {
  const { run, options, ref } = ctx;
  run.startStep('live');
  await ctx.activities.light.promoteToLive(ref).catch((err) => ctx.failStepFrom('live', err));
  const liveUrl = apiUrl(options.publicBaseUrl, 'livePage', { publisherId: ref.publisherId, offerId: ref.offerId });
  run.setLiveLinks([liveUrl]);
  run.completeStep('live');
  run.succeed();
  ctx.notify('live', { links: [liveUrl] });
}

/** Removes what the run created (replicas, preview page); never interrupted by a cancel. */
export async function cleanup(ctx: PublishContext): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    if (!ctx.replicasMayExist) return;
    try {
      await ctx.activities.cleaner.cleanupRun(ctx.ref, ctx.options.regions);
    } catch (err) {
      ctx.recordCleanupFailure(err);
      return;
    }
    ctx.run.markRegionsRemoved();
  });
}
