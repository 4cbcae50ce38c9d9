/**
 * The activities' product metrics (domain/metrics.ts), through the running activity's metric meter
 * so they are exported with the SDK's metrics on the worker's endpoint, tagged with the activity
 * type and task queue. Outside an activity (the API's dry runs, unit tests) nothing is recorded.
 */
import { Context } from '@temporalio/activity';
import type { MetricMeter, MetricTags } from '@temporalio/common';
import { PRODUCT_METRICS as M } from '../domain/metrics';

function meter(): MetricMeter | undefined {
  try {
    return Context.current().metricMeter;
  } catch {
    return undefined;
  }
}

function count(name: string, tags: MetricTags, value = 1): void {
  meter()?.createCounter(name).add(value, tags);
}

function seconds(name: string, since: number, tags: MetricTags): void {
  meter()
    ?.createHistogram(name, 'float', 's')
    .record((performance.now() - since) / 1000, tags);
}

/** Times `work` (one activity attempt) and records its outcome; errors are recorded and rethrown. */
export async function measured<T>(work: () => Promise<T>, record: (result: T | undefined, since: number, err?: unknown) => void): Promise<T> {
  const since = performance.now();
  let result: T;
  try {
    result = await work();
  } catch (err) {
    record(undefined, since, err);
    throw err;
  }
  record(result, since);
  return result;
}

export function recordCertification(result: { passed: boolean; bytesRead: number } | undefined, since: number): void {
  if (result) count(M.certificationBytesRead, {}, result.bytesRead);
  seconds(M.certificationDuration, since, { outcome: result ? (result.passed ? 'Passed' : 'Failed') : 'Error' });
}

export function recordReplication(region: string, result: { disks: number; skipped: number } | undefined, since: number): void {
  if (result) {
    if (result.disks > result.skipped) count(M.replicaCopies, { region, outcome: 'Copied' }, result.disks - result.skipped);
    if (result.skipped > 0) count(M.replicaCopies, { region, outcome: 'Skipped' }, result.skipped);
  } else {
    count(M.replicaCopies, { region, outcome: 'Error' });
  }
  seconds(M.replicaCopyDuration, since, { region });
}

/** `outcome`: Delivered, Rejected (the destination said no) or Error (will be retried). */
export function recordTestLead(destinationType: string, outcome: 'Delivered' | 'Rejected' | 'Error'): void {
  count(M.testLeads, { destination_type: destinationType, outcome });
}

export function recordEmail(event: string, err?: unknown): void {
  count(err === undefined ? M.emailsSent : M.emailsFailed, { event });
}
