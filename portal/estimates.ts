/**
 * What the Status tab says about when a step will finish: the median and 90th percentile of the
 * step's past durations (GET …/step-durations), from the publisher's own runs when there are
 * enough of them, else from everyone's, else that there is too little history.
 */
import type { DurationStats, StepDurations } from '../domain/step-durations';
import type { StepState } from '../domain/status';

/** Fewer past runs than this say too little to estimate from. */
export const MIN_SAMPLES = 3;

export type Estimate =
  | { kind: 'none' }
  | { kind: 'unavailable' }
  | { kind: 'tooLittle'; samples: number }
  | { kind: 'typical'; scope: 'publisher' | 'all'; stats: DurationStats }
  | { kind: 'finish'; scope: 'publisher' | 'all'; stats: DurationStats; medianAt: string; p90At: string }
  | { kind: 'took'; ms: number };

export function estimateFor(step: StepState, runEnded: boolean, durations: StepDurations | undefined): Estimate {
  if (step.status === 'Complete' && step.startedAt && step.completedAt) {
    return { kind: 'took', ms: Date.parse(step.completedAt) - Date.parse(step.startedAt) };
  }
  // Waiting for the publisher, or a run that will not go on: nothing to estimate.
  const pending = step.status === 'NotStarted' || step.status === 'InProgress';
  if (!pending || runEnded || step.id === 'signoff') return { kind: 'none' };
  if (!durations) return { kind: 'unavailable' };
  const own = durations.publisher.steps[step.id];
  const everyone = durations.all.steps[step.id];
  const [scope, stats] = own && own.samples >= MIN_SAMPLES ? (['publisher', own] as const) : (['all', everyone] as const);
  if (!stats || stats.samples < MIN_SAMPLES) return { kind: 'tooLittle', samples: Math.max(own?.samples ?? 0, everyone?.samples ?? 0) };
  if (step.status === 'InProgress' && step.startedAt) {
    const start = Date.parse(step.startedAt);
    return {
      kind: 'finish',
      scope,
      stats,
      medianAt: new Date(start + stats.medianMs).toISOString(),
      p90At: new Date(start + stats.p90Ms).toISOString(),
    };
  }
  return { kind: 'typical', scope, stats };
}
