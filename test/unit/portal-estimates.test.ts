/** Step durations from past runs (median, 90th percentile) and the estimates the Status tab derives from them. */
import { completedStepDurations, durationStats, summarizeRuns, type StepDurations } from '../../domain/step-durations';
import type { StepState } from '../../domain/status';
import { estimateFor, MIN_SAMPLES } from '../../portal/estimates';

const step = (over: Partial<StepState>): StepState => ({
  id: 'certify',
  stepName: 'Certification',
  description: '',
  estimatedTimeFrame: 'Less than 5 days',
  status: 'NotStarted',
  startedAt: null,
  completedAt: null,
  overdue: false,
  progressPercentage: 0,
  messages: [],
  ...over,
});

describe('step durations', () => {
  it('median and 90th percentile (nearest rank)', () => {
    expect(durationStats([])).toBeUndefined();
    expect(durationStats([5])).toEqual({ samples: 1, medianMs: 5, p90Ms: 5 });
    expect(durationStats([40, 10, 30, 20])).toEqual({ samples: 4, medianMs: 25, p90Ms: 40 });
    expect(durationStats([1, 2, 3, 4, 5, 6, 7, 8, 9, 100])).toEqual({ samples: 10, medianMs: 6, p90Ms: 9 });
  });

  it('counts completed steps only, never sign-off (the publisher\'s own time)', () => {
    const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
    const run = {
      steps: [
        step({ id: 'validate', status: 'Complete', startedAt: at(0), completedAt: at(2) }),
        step({ id: 'certify', status: 'Failed', startedAt: at(2), completedAt: at(9) }),
        step({ id: 'signoff', status: 'Complete', startedAt: at(10), completedAt: at(50) }),
      ],
    };
    expect(completedStepDurations(run)).toEqual({ validate: 2000 });
    expect(summarizeRuns([{ validate: 2000 }, { validate: 4000, provision: 1 }, {}])).toEqual({
      runs: 3,
      steps: { validate: { samples: 2, medianMs: 3000, p90Ms: 4000 }, provision: { samples: 1, medianMs: 1, p90Ms: 1 } },
    });
  });
});

describe('estimates', () => {
  const stats = (samples: number, medianMs = 60_000, p90Ms = 120_000) => ({ samples, medianMs, p90Ms });
  const durations = (own: number, all: number): StepDurations => ({
    publisher: { runs: own, steps: own ? { certify: stats(own, 10_000, 20_000) } : {} },
    all: { runs: all, steps: all ? { certify: stats(all) } : {} },
  });

  it("uses the publisher's own runs when there are enough, else everyone's, else says there is too little history", () => {
    expect(estimateFor(step({}), false, durations(MIN_SAMPLES, 50))).toMatchObject({ kind: 'typical', scope: 'publisher', stats: { medianMs: 10_000 } });
    expect(estimateFor(step({}), false, durations(MIN_SAMPLES - 1, 50))).toMatchObject({ kind: 'typical', scope: 'all', stats: { medianMs: 60_000 } });
    expect(estimateFor(step({}), false, durations(1, MIN_SAMPLES - 1))).toEqual({ kind: 'tooLittle', samples: MIN_SAMPLES - 1 });
    expect(estimateFor(step({}), false, durations(0, 0))).toEqual({ kind: 'tooLittle', samples: 0 });
    expect(estimateFor(step({}), false, undefined)).toEqual({ kind: 'unavailable' });
  });

  it('gives a running step the times it should end by', () => {
    const e = estimateFor(step({ status: 'InProgress', startedAt: '2025-01-01T10:00:00.000Z' }), false, durations(0, 20));
    expect(e).toMatchObject({ kind: 'finish', scope: 'all', medianAt: '2025-01-01T10:01:00.000Z', p90At: '2025-01-01T10:02:00.000Z' });
  });

  it('says how long a finished step took, and nothing for waiting steps, sign-off or an ended run', () => {
    expect(estimateFor(step({ status: 'Complete', startedAt: '2025-01-01T10:00:00.000Z', completedAt: '2025-01-01T10:00:42.000Z' }), true, undefined)).toEqual({
      kind: 'took',
      ms: 42_000,
    });
    expect(estimateFor(step({ id: 'signoff' }), false, durations(9, 9))).toEqual({ kind: 'none' });
    expect(estimateFor(step({ id: 'validate', status: 'WaitingForPublisherInput' }), false, durations(9, 9))).toEqual({ kind: 'none' });
    expect(estimateFor(step({}), true, durations(9, 9))).toEqual({ kind: 'none' });
  });
});
