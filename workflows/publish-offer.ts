/**
 * publishOffer: one run per publish request, from `validate` to `live` (docs/process.md).
 *
 * Shape: the cancellable part (validate … signoff) runs in the context's `mainScope`; a cancel
 * (signal, update or a Temporal cancellation request) cancels that scope, and cleanup then runs
 * non-cancellably. Go live closes cancellation, and `live` runs outside the scope. Publisher-fixable
 * problems fail the step with messages; infrastructure errors are retried by Temporal, and one that
 * outlives its retries fails the step as our problem (publish-offer/failures.ts).
 *
 * The parts: publish-offer/activity-proxies.ts (activity options), context.ts (the run's state and
 * shared helpers), message-handlers.ts (signals, query, updates), steps.ts (the seven steps),
 * failures.ts (failures on our side: what the publisher is told, what support is told).
 */
import { CancellationScope, isCancellation, patched } from '@temporalio/workflow';
import type { PublishInput } from '../domain/messages';
import type { PublishStatusBody } from '../domain/status';
import { PublishContext, StepFailed } from './publish-offer/context';
import { installMessageHandlers } from './publish-offer/message-handlers';
import { publishOnVisibleChange, publishStatusInMemo, STATUS_IN_MEMO_PATCH } from './publish-offer/status-publication';
import { certify, cleanup, live, packageStep, preview, provision, signoff, validate } from './publish-offer/steps';
import { showCurrentDetails } from './publish-offer/ui-metadata';
import { recordRunMetrics } from './publish-offer/metrics';

export async function publishOffer(input: PublishInput): Promise<PublishStatusBody> {
  const ctx = new PublishContext(input);
  const { run } = ctx;
  recordRunMetrics(run);

  // The status body in the memo, for the API's read path; runs recorded before upsert per change.
  if (patched(STATUS_IN_MEMO_PATCH)) publishStatusInMemo(ctx);
  else publishOnVisibleChange(ctx);
  installMessageHandlers(ctx);
  showCurrentDetails(run);

  try {
    await ctx.mainScope.run(async () => {
      await validate(ctx);
      await certify(ctx, ctx.plan!);
      await provision(ctx, ctx.plan!);
      await packageStep(ctx, ctx.plan!);
      await preview(ctx);
      await signoff(ctx);
    });
    await CancellationScope.nonCancellable(() => live(ctx));
  } catch (err) {
    if (isCancellation(err) && !run.ended) {
      await cleanup(ctx);
      run.cancel(ctx.cancelReason);
      ctx.notify('canceled');
    } else if (err instanceof StepFailed || run.status === 'Failed') {
      await cleanup(ctx);
      const failed = run.step(run.currentStep);
      if (!ctx.failureNotified) ctx.notify(ctx.failureEvent, { stepName: failed.stepName, findings: failed.messages.filter((m) => m.level === 'Error') });
    } else {
      throw err;
    }
  }

  await CancellationScope.nonCancellable(() => Promise.all(ctx.background));
  await ctx.history.drain();
  return run.snapshot();
}
