/**
 * Past step durations, for the estimates the portal shows: the results (status bodies) of recent
 * closed publish runs, from Temporal visibility. A closed run's result never changes, so each is
 * fetched once and kept; the listing is kept for a few seconds, so a page polling for updates
 * costs nothing here.
 */
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../domain/messages';
import { completedStepDurations, summarizeRuns, type DurationSummary, type StepDurations } from '../domain/step-durations';
import type { PublishStatusBody } from '../domain/status';
import type { StepId } from '../domain/steps';
import { mapLimit } from '../lib/map-limit';

/** The most recent closed runs looked at, per publisher and over everyone. */
const RUNS_LOOKED_AT = 200;
const LISTING_TTL_MS = 10_000;
/** Durations kept per run id; past it the oldest go (they are fetched again if still recent). */
const RUNS_KEPT = 20_000;
const LISTINGS_KEPT = 1_000;

type RunDurations = Partial<Record<StepId, number>>;

export class StepHistory {
  private readonly byRun = new Map<string, Promise<RunDurations>>();
  private readonly listings = new Map<string, { at: number; summary: Promise<DurationSummary> }>();

  constructor(
    private readonly client: Client,
    private readonly now: () => number = Date.now,
  ) {}

  /** `publisherId` must be a checked id: it goes into the visibility query. */
  async durations(publisherId: string): Promise<StepDurations> {
    const [publisher, all] = await Promise.all([this.summary(publisherId), this.summary(undefined)]);
    return { publisher, all };
  }

  private summary(publisherId: string | undefined): Promise<DurationSummary> {
    const key = publisherId ?? '';
    const cached = this.listings.get(key);
    if (cached && this.now() - cached.at < LISTING_TTL_MS) return cached.summary;
    const summary = this.compute(publisherId);
    this.listings.delete(key);
    this.listings.set(key, { at: this.now(), summary });
    summary.catch(() => this.listings.delete(key));
    trim(this.listings, LISTINGS_KEPT);
    return summary;
  }

  private async compute(publisherId: string | undefined): Promise<DurationSummary> {
    const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Completed'${publisherId ? ` AND PublisherId = '${publisherId}'` : ''}`;
    const runs: Array<{ workflowId: string; runId: string }> = [];
    for await (const wf of this.client.workflow.list({ query, pageSize: 100 })) {
      runs.push({ workflowId: wf.workflowId, runId: wf.runId });
      if (runs.length >= RUNS_LOOKED_AT) break;
    }
    return summarizeRuns(await mapLimit(runs, 8, (r) => this.runDurations(r.workflowId, r.runId)));
  }

  private runDurations(workflowId: string, runId: string): Promise<RunDurations> {
    let durations = this.byRun.get(runId);
    if (!durations) {
      durations = this.client.workflow
        .getHandle(workflowId, runId, { followRuns: false })
        .result()
        .then((result: unknown) => (isStatusBody(result) ? completedStepDurations(result) : {}));
      // A failed read is not remembered: the next listing tries again.
      durations.catch(() => this.byRun.delete(runId));
      this.byRun.set(runId, durations);
      trim(this.byRun, RUNS_KEPT);
    }
    return durations.catch(() => ({}));
  }
}

const isStatusBody = (v: unknown): v is PublishStatusBody => typeof v === 'object' && v !== null && Array.isArray((v as PublishStatusBody).steps);

/** Drops the oldest entries (insertion order) past `max`. */
function trim(map: Map<string, unknown>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
