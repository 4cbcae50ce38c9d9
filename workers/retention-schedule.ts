/**
 * The Temporal Schedule that runs the offer snapshots' retention (workflows/sweep-offer-snapshots.ts,
 * activities/retention) every hour on the workflow task queue. The workflow worker makes sure it
 * exists when it starts, so a deployment needs no other step. Temporal keeps it across worker
 * restarts, runs one sweep at a time, and catches up an interval missed while it was down. One
 * schedule per task queue: deployments (and test stacks) sharing a namespace keep apart.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { SNAPSHOT_SWEEP_WORKFLOW_TYPE } from '../domain/messages';

/** How often the sweep runs: retention is in days, so an hour late is nothing. */
export const SWEEP_INTERVAL_MS = 60 * 60_000;

export function retentionScheduleId(taskQueue: string): string {
  return `offer-snapshot-retention/${taskQueue}`;
}

/** Creates the schedule, or brings an existing one to this version's definition; returns its id. */
export async function ensureRetentionSchedule(client: Client, taskQueue: string): Promise<string> {
  const scheduleId = retentionScheduleId(taskQueue);
  const spec = { intervals: [{ every: SWEEP_INTERVAL_MS }] };
  const action = { type: 'startWorkflow' as const, workflowType: SNAPSHOT_SWEEP_WORKFLOW_TYPE, taskQueue, workflowId: scheduleId, args: [] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' as const };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    // Only when it differs: every worker runs this at start, and concurrent updates would conflict.
    const handle = client.schedule.getHandle(scheduleId);
    const current = await handle.describe();
    const same =
      current.action.workflowType === SNAPSHOT_SWEEP_WORKFLOW_TYPE &&
      current.action.taskQueue === taskQueue &&
      current.spec.intervals?.length === 1 &&
      current.spec.intervals[0].every === SWEEP_INTERVAL_MS;
    if (!same) await handle.update((previous) => ({ ...previous, spec, action, policies }));
  }
  return scheduleId;
}
