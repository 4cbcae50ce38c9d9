/**
 * Failures on our side that reached the run (they outlived their retries): what the publisher is
 * told instead of the internal text, and the error log that tells support.
 */
import { type ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { RunRef } from '../../domain/pipeline';
import type { StepId } from '../../domain/steps';

/**
 * Runs from here on decide by the failure's type who is to blame (domain/errors.ts); runs recorded
 * before it replay as they ran, treating every activity failure as the publisher's to fix.
 */
export const FAILURES_BY_TYPE_PATCH = 'step-failures-by-error-type';

const OURS = 'a problem on our side stopped this step, not something in the offer. Our support team has been told. Nothing needs to change: publishing again is safe.';

/** The step's message for a failure of ours; `prefix` says what was being done (e.g. the region). */
export function ourFailureText(prefix = ''): string {
  return prefix ? prefix + OURS : OURS[0].toUpperCase() + OURS.slice(1);
}

/** Added to the status when a run's copies or preview page could not be removed. */
export const LEFTOVERS_TEXT = 'Some copies made for this request could not be removed because of a problem on our side; our support team has been told. Publishing again is not affected.';

/** The type an activity failure's cause carries: its catalogued type, or the kind of failure (a timeout). */
export function failureTypeOf(err: ActivityFailure): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) return cause.type ?? 'ApplicationFailure';
  return cause?.name ?? 'unknown';
}

/** Tells support (an error log with the ids) what failed on our side and why; the text stays out of the status. */
export function logOurFailure(ref: RunRef, step: StepId, what: string, err: ActivityFailure): void {
  log.error(`${what} failed on our side`, {
    workflowId: ref.workflowId,
    runId: ref.runId,
    publisherId: ref.publisherId,
    offerId: ref.offerId,
    step,
    activity: err.activityType,
    errorType: failureTypeOf(err),
    retryState: err.retryState,
    // Activities scrub their messages (no SAS, no keys): safe for logs, never shown to the publisher.
    error: err.cause?.message ?? err.message,
  });
}
