/**
 * The seven steps of a publish run (docs/process.md), each recording its progress in the run's
 * status. A step that fails on something the publisher must fix records why and throws StepFailed.
 */
import { ActivityFailure, CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import { apiUrl } from '../../domain/api-paths';
import type { PublishPlan } from '../../domain/pipeline';
import type { Finding } from '../../domain/status';
import { stepDefinition } from '../../domain/steps';
import { stepMessage } from '../../domain/step-messages';
import { certificationSummary, replicationSummary } from '../../domain/ui-metadata';
import { CERTIFY_ATTEMPTS } from './activity-proxies';
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

/** One copy activity per region, a few lanes at a time, so each region is retried and shown on its own. */
export async function provision(ctx: PublishContext, p: PublishPlan): Promise<void> {
  const { run, options } = ctx;
  run.startStep('provision');
  const regions = options.regions;
  run.setRegions(regions);
  ctx.replicasMayExist = true;
  await ctx.withTimeFrame('provision', async () => {
    const pending = [...regions];
    const copyScope = new CancellationScope();
    let firstError: unknown;
    const lane = async () => {
      for (let region = pending.shift(); region !== undefined; region = pending.shift()) {
        run.setRegionState(region, 'Copying');
        try {
          await ctx.activities.replicator.replicateRegion.executeWithOptions({ summary: replicationSummary(region, p.disks) }, [ctx.ref, region, p.disks]);
        } catch (err) {
          if (!isCancellation(err)) run.setRegionState(region, 'Failed');
          ctx.failStepFrom('provision', err, `Replication to region ${region} failed: `);
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
