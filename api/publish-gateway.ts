/**
 * What the HTTP API asks of Temporal, with Temporal's errors turned into the contract's codes.
 * One Client (one connection) for the whole process, made in server.ts.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import {
  publishWorkflowId,
  SA_OFFER_ID,
  SA_PUBLISHER_ID,
  SA_PUBLISH_STATUS,
  SA_PUBLISH_STEP,
  statusQuery,
  WORKFLOW_TYPE,
  type PublishInput,
} from '../domain/messages';
import { ErrorType } from '../domain/errors';
import type { PublishStatusBody } from '../domain/status';
import { decodeStatusMemo, encodeStatusMemo, HISTORY_BEFORE_FIRST_TASK, STATUS_MEMO_AT_START, STATUS_MEMO_CORE, type StatusMemoCore } from '../domain/status-memo';
import { publishDetails, publishSummary } from '../domain/ui-metadata';
import { PublishRun } from '../workflows/publish-run';
import { ApiError } from './errors';
import { updateOrRefuse } from './workflow-updates';
import { StepHistory } from './step-history';
import type { StepDurations } from '../domain/step-durations';
import { StatusReadModel, type StatusReadModelOptions, type StatusReadOutcome, type StatusSnapshot } from './status-read-model';

export interface OfferSummary {
  offerId: string;
  title: string;
  status: string;
  currentStep: string;
  updatedAt: string;
}

const TERMINAL = new Set<string>(['Succeeded', 'Failed', 'Canceled']);

export class PublishGateway {
  private readonly history: StepHistory;
  /** Status served from memory, keyed by workflow id (api/status-read-model.ts). */
  private readonly statuses: StatusReadModel;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    statusCache: StatusReadModelOptions = {},
  ) {
    this.history = new StepHistory(client);
    this.statuses = new StatusReadModel((workflowId) => this.loadStatus(workflowId), statusCache);
  }

  /** Status reads so far by how they were answered (api/status-read-model.ts), for the API's metrics. */
  get statusReads(): Readonly<Record<StatusReadOutcome, number>> {
    return this.statuses.reads;
  }

  /** The process's Temporal client, for routes with workflows of their own (api/routes/offer-audit.ts). */
  get temporal(): Client {
    return this.client;
  }

  /** Durations of each step in recent closed runs (the portal's estimates). */
  stepDurations(publisherId: string): Promise<StepDurations> {
    return this.history.durations(publisherId);
  }

  /**
   * Starts a run; 409 while another run of this offer is in progress (the id is the lock). A run
   * whose status is already terminal is only finishing (cleanup, the last e-mail): wait for it to
   * close, briefly, rather than refuse a republish the status says is possible.
   */
  async start(input: PublishInput, title: string): Promise<PublishStatusBody> {
    const workflowId = publishWorkflowId(input.publisherId, input.offerId);
    let first: PublishStatusBody;
    try {
      first = await this.startOrWait(input, title);
    } catch (err) {
      // A start may have gone through even when its answer failed: the next read asks Temporal.
      this.statuses.invalidate(workflowId);
      throw err;
    }
    // The run's first status is what a read would find before its first workflow task (version 0).
    this.statuses.seed(workflowId, { body: first, runId: first.runId, startedAtMs: Date.parse(first.startedAt), version: STATUS_MEMO_AT_START });
    return first;
  }

  private async startOrWait(input: PublishInput, title: string): Promise<PublishStatusBody> {
    try {
      return await this.startOnce(input, title);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      if (await this.waitForFinishingRun(input.publisherId, input.offerId)) return this.startOnce(input, title);
      throw new ApiError(409, ErrorType.PublishInProgress, 'A publish of this offer is in progress; wait for it to end or cancel it.');
    }
  }

  private async startOnce(input: PublishInput, title: string): Promise<PublishStatusBody> {
    const workflowId = publishWorkflowId(input.publisherId, input.offerId);
    const first = new PublishRun({
      publisherId: input.publisherId,
      offerId: input.offerId,
      runId: '', // not known before the start; the reader fills it in
      notificationEmails: input.notificationEmails,
      supportUrl: input.options.supportUrl,
    }).snapshot();
    const handle = await this.client.workflow.start(WORKFLOW_TYPE, {
      workflowId,
      taskQueue: this.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      // The run's first status, so a read before its first workflow task needs no query.
      memo: { title, ...encodeStatusMemo(first, STATUS_MEMO_AT_START) },
      // What the Temporal UI and `temporal workflow describe` show for the run (domain/ui-metadata.ts).
      staticSummary: publishSummary(input.publisherId, input.offerId, title),
      staticDetails: publishDetails({ publisherId: input.publisherId, offerId: input.offerId, title, regions: input.options.regions }),
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SA_PUBLISHER_ID, value: input.publisherId },
        { key: SA_OFFER_ID, value: input.offerId },
        { key: SA_PUBLISH_STEP, value: 'validate' },
        { key: SA_PUBLISH_STATUS, value: 'Running' },
      ]),
    });
    // The run's first status, without waiting for a worker to answer a query.
    return { ...first, runId: handle.firstExecutionRunId };
  }

  /** True once an open run whose status is terminal has closed (within `timeoutMs`). */
  private async waitForFinishingRun(publisherId: string, offerId: string, timeoutMs = 15_000): Promise<boolean> {
    const workflowId = publishWorkflowId(publisherId, offerId);
    const handle = this.client.workflow.getHandle(workflowId);
    // Asked of Temporal, not the read model: a status up to a second old could still say Running.
    const status = await this.loadStatus(workflowId).catch(() => undefined);
    if (!status || !TERMINAL.has(status.body.status)) return false;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await handle.describe()).status.name !== 'RUNNING') return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }

  /**
   * Status of the latest run, from the API's read model (api/status-read-model.ts): in memory,
   * refreshed from Temporal with `loadStatus` at most about once per second per offer.
   */
  status(publisherId: string, offerId: string): Promise<PublishStatusBody> {
    return this.statuses.read(publishWorkflowId(publisherId, offerId));
  }

  /**
   * Status of the latest run, from the body the run publishes in its memo (domain/status-memo.ts):
   * one describe(), answered by the Temporal server, with no workflow query and so no wait for a
   * worker. Runs started before that (no body in the memo) are asked with the status query while
   * they run, and read from their recorded result once they completed.
   */
  private async loadStatus(workflowId: string): Promise<StatusSnapshot> {
    const handle = this.client.workflow.getHandle(workflowId);
    const description = await handle.describe().catch((err) => {
      if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'NotFound', 'This offer has never been published.');
      throw err;
    });
    const run = { runId: description.runId, startedAtMs: description.startTime.getTime() };
    const closed = description.status.name !== 'RUNNING';
    const published = closed && description.status.name !== 'COMPLETED' ? undefined : decodeStatusMemo(description.memo);
    if (published && (published.version !== STATUS_MEMO_AT_START || description.historyLength <= HISTORY_BEFORE_FIRST_TASK)) {
      return { ...run, body: { ...published.body, runId: published.body.runId || description.runId }, version: published.version };
    }
    if (closed && description.status.name === 'COMPLETED') return { ...run, body: (await handle.result()) as PublishStatusBody, version: undefined };
    try {
      return { ...run, body: await handle.query(statusQuery), version: undefined };
    } catch (err) {
      if (closed) {
        // Terminated or timed out by an operator: the history has no status body to show.
        throw new ApiError(410, 'RunEnded', `The latest run ended as ${description.status.name} without a status; publish again.`);
      }
      throw new ApiError(503, 'StatusUnavailable', 'The status cannot be read right now (no worker answered); retry shortly.');
    }
  }

  /**
   * Runs an update whose validator may refuse it; refusals and closed runs are 409. Whatever the
   * outcome (an update may apply even when its answer is lost), the next status read asks Temporal.
   */
  async update<Ret>(publisherId: string, offerId: string, send: (handle: WorkflowHandle) => Promise<Ret>): Promise<Ret> {
    const workflowId = publishWorkflowId(publisherId, offerId);
    let result: Ret;
    try {
      result = await updateOrRefuse(this.client.workflow.getHandle(workflowId), send, {
        neverExisted: 'This offer has never been published.',
        ended: 'The latest publish of this offer has ended.',
      });
    } finally {
      this.statuses.invalidate(workflowId);
    }
    // Loaded now, while the caller waits for its update anyway: the reads after it are answered from
    // memory instead of the first of them waiting for Temporal. (The update's own answer is the run
    // as the handler left it, before the run went on in the same workflow task; the memo has that.)
    await this.statuses.read(workflowId).catch(() => undefined);
    return result;
  }

  /** The latest run of each offer of a publisher, from Temporal visibility (search attributes). */
  async listOffers(publisherId: string): Promise<OfferSummary[]> {
    const latest = new Map<string, { started: number; summary: OfferSummary }>();
    const query = `WorkflowType = '${WORKFLOW_TYPE}' AND PublisherId = '${publisherId}'`;
    for await (const wf of this.client.workflow.list({ query })) {
      const sa = wf.typedSearchAttributes;
      const offerId = sa.get(SA_OFFER_ID);
      if (!offerId) continue;
      const started = wf.startTime.getTime();
      const seen = latest.get(offerId);
      if (seen && seen.started >= started) continue;
      const memo = (wf.memo ?? {}) as { title?: string; updatedAt?: string; [STATUS_MEMO_CORE]?: StatusMemoCore };
      latest.set(offerId, {
        started,
        summary: {
          offerId,
          title: memo.title ?? offerId,
          status: sa.get(SA_PUBLISH_STATUS) ?? 'Running',
          currentStep: sa.get(SA_PUBLISH_STEP) ?? 'validate',
          updatedAt: memo[STATUS_MEMO_CORE]?.updatedAt ?? memo.updatedAt ?? (wf.closeTime ?? wf.startTime).toISOString(),
        },
      });
    }
    return [...latest.values()].map((v) => v.summary).sort((a, b) => a.offerId.localeCompare(b.offerId));
  }

  async healthy(timeoutMs = 2000): Promise<boolean> {
    try {
      await Promise.race([
        this.client.workflowService.getSystemInfo({}),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      return true;
    } catch {
      return false;
    }
  }
}
