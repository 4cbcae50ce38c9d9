/**
 * The run's product metrics (domain/metrics.ts), recorded through the workflow's metric meter: the
 * SDK emits nothing while replaying, so a replayed or recovered run does not count twice, and
 * recording adds no command to the history (no patch needed). Fed by the run's events.
 */
import { metricMeter } from '@temporalio/workflow';
import { PRODUCT_METRICS as M } from '../../domain/metrics';
import type { StepId } from '../../domain/steps';
import type { PublishRun } from '../publish-run';

/**
 * The instruments, made inside the workflow: the workflow's `metricMeter` exists only in workflow
 * context, and modules of the workflow are also imported outside it (tests, types).
 */
function instruments() {
  return {
    runsStarted: metricMeter.createCounter(M.runsStarted, 'runs', 'Publish runs started'),
    runsEnded: metricMeter.createCounter(M.runsEnded, 'runs', 'Publish runs ended, by result and the step they ended at'),
    stepDuration: metricMeter.createHistogram(M.stepDuration, 'float', 's', 'Time from a step start to its end, waits included'),
    stepsOverdue: metricMeter.createCounter(M.stepsOverdue, 'steps', 'Steps that ran past their time frame'),
  };
}

function recordStepEnd(stepDuration: ReturnType<typeof instruments>['stepDuration'], run: PublishRun, id: StepId): void {
  const s = run.step(id);
  if (!s.startedAt || !s.completedAt) return;
  const seconds = (Date.parse(s.completedAt) - Date.parse(s.startedAt)) / 1000;
  stepDuration.record(Math.max(0, seconds), { step: id, outcome: s.status });
}

/** Counts the run's start now, and its steps, overdue marks and end from the run's events. */
export function recordRunMetrics(run: PublishRun): void {
  const { runsStarted, runsEnded, stepDuration, stepsOverdue } = instruments();
  runsStarted.add(1);
  const next = run.onEvent;
  run.onEvent = (type, step, reason) => {
    next(type, step, reason);
    switch (type) {
      case 'publish.step.completed':
        recordStepEnd(stepDuration, run, step);
        break;
      case 'publish.overdue':
        stepsOverdue.add(1, { step });
        break;
      case 'publish.failed':
      case 'publish.canceled':
        recordStepEnd(stepDuration, run, step);
        runsEnded.add(1, { result: run.status, step });
        break;
      case 'publish.live':
        runsEnded.add(1, { result: 'Succeeded', step });
        break;
    }
  };
}
