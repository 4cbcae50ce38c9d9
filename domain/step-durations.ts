/**
 * How long each step took in past runs (`GET …/step-durations`): the median and the 90th
 * percentile of the durations of completed steps, over the publisher's recent closed runs and over
 * everyone's. The portal turns them into "expected to finish around …".
 */
import { STEP_IDS, type StepId } from './steps';
import type { PublishStatusBody } from './status';

export interface DurationStats {
  /** Completed runs of the step the figures come from. */
  samples: number;
  medianMs: number;
  p90Ms: number;
}

export interface DurationSummary {
  /** Closed runs looked at. */
  runs: number;
  steps: Partial<Record<StepId, DurationStats>>;
}

export interface StepDurations {
  publisher: DurationSummary;
  all: DurationSummary;
}

/** `signoff` is the publisher's own time, not the pipeline's: it has no estimate. */
export const ESTIMATED_STEPS: readonly StepId[] = STEP_IDS.filter((id) => id !== 'signoff');

/** Median and 90th percentile (nearest rank) of `values`, or undefined for none. */
export function durationStats(values: readonly number[]): DurationStats | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  const medianMs = n % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
  return { samples: n, medianMs, p90Ms: sorted[Math.ceil(0.9 * n) - 1] };
}

/** The duration of each step a run completed, in ms. */
export function completedStepDurations(run: Pick<PublishStatusBody, 'steps'>): Partial<Record<StepId, number>> {
  const out: Partial<Record<StepId, number>> = {};
  for (const step of run.steps ?? []) {
    if (step.status !== 'Complete' || !step.startedAt || !step.completedAt || !ESTIMATED_STEPS.includes(step.id)) continue;
    const ms = Date.parse(step.completedAt) - Date.parse(step.startedAt);
    if (Number.isFinite(ms) && ms >= 0) out[step.id] = ms;
  }
  return out;
}

export function summarizeRuns(runs: ReadonlyArray<Partial<Record<StepId, number>>>): DurationSummary {
  const steps: Partial<Record<StepId, DurationStats>> = {};
  for (const id of ESTIMATED_STEPS) {
    const stats = durationStats(runs.flatMap((r) => (r[id] === undefined ? [] : [r[id]])));
    if (stats) steps[id] = stats;
  }
  return { runs: runs.length, steps };
}
