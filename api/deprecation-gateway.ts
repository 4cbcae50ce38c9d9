/**
 * What the deprecation routes ask of Temporal: the workflow `deprecate/{publisherId}/{offerId}`
 * (workflows/deprecate-offer.ts), started with its search attributes, read, rescheduled and
 * restored through updates whose validators' refusals become 409s.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { TypedSearchAttributes } from '@temporalio/common';
import {
  bannerShownUpdate,
  DEPRECATION_WORKFLOW_TYPE,
  deprecationStatusQuery,
  deprecationWorkflowId,
  initialDeprecationStatus,
  rescheduleUpdate,
  restoreUpdate,
  SA_DEPRECATION_STATE,
  type DeprecationInput,
  type DeprecationStatus,
} from '../domain/deprecation';
import { SA_OFFER_ID, SA_PUBLISHER_ID } from '../domain/messages';
import { ApiError } from './errors';
import { retryAbortedUpdate, updateOrRefuse } from './workflow-updates';

/** How long the POST waits for the banner before answering with the schedule as started. */
const BANNER_WAIT_MS = 10_000;

export class DeprecationGateway {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Starts the offer's deprecation, or reschedules the one in progress (same scope only). */
  async schedule(input: DeprecationInput): Promise<{ status: DeprecationStatus; rescheduled: boolean }> {
    try {
      const handle = await this.client.workflow.start(DEPRECATION_WORKFLOW_TYPE, {
        workflowId: deprecationWorkflowId(input.publisherId, input.offerId),
        taskQueue: this.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        memo: { title: input.offerTitle },
        typedSearchAttributes: new TypedSearchAttributes([
          { key: SA_PUBLISHER_ID, value: input.publisherId },
          { key: SA_OFFER_ID, value: input.offerId },
          { key: SA_DEPRECATION_STATE, value: 'Scheduled' },
        ]),
      });
      // Answered once the banner shows, so a page read after the 202 has it; without a worker
      // answering soon, the schedule as started (the banner follows when a worker runs it).
      const shown = retryAbortedUpdate(() => handle.executeUpdate(bannerShownUpdate)).catch(() => undefined);
      const status = await Promise.race([shown, delay(BANNER_WAIT_MS, undefined, { ref: false })]);
      return { status: status ?? initialDeprecationStatus(input, Date.now()), rescheduled: false };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    const status = await this.update(input.publisherId, input.offerId, (h) =>
      h.executeUpdate(rescheduleUpdate, { args: [{ request: input.request, actor: input.actor }] }),
    );
    return { status, rescheduled: true };
  }

  /** The latest deprecation: the live query while its workflow runs, its result once it ended. */
  async status(publisherId: string, offerId: string): Promise<DeprecationStatus> {
    const handle = this.client.workflow.getHandle(deprecationWorkflowId(publisherId, offerId));
    const description = await handle.describe().catch((err) => {
      if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'NotFound', 'This offer has no deprecation.');
      throw err;
    });
    if (description.status.name === 'COMPLETED') return (await handle.result()) as DeprecationStatus;
    if (description.status.name !== 'RUNNING') {
      throw new ApiError(410, 'RunEnded', `The deprecation workflow ended as ${description.status.name} without a status.`);
    }
    return handle.query(deprecationStatusQuery).catch(() => {
      throw new ApiError(503, 'StatusUnavailable', 'The deprecation cannot be read right now (no worker answered); retry shortly.');
    });
  }

  async restore(publisherId: string, offerId: string, actor: string): Promise<DeprecationStatus> {
    return this.update(publisherId, offerId, (h) => h.executeUpdate(restoreUpdate, { args: [{ actor }] }));
  }

  private async update(publisherId: string, offerId: string, send: (h: WorkflowHandle) => Promise<DeprecationStatus>): Promise<DeprecationStatus> {
    return updateOrRefuse(this.client.workflow.getHandle(deprecationWorkflowId(publisherId, offerId)), send, {
      neverExisted: 'This offer has no deprecation.',
      ended: 'The deprecation has ended (restored, or its restore window is over).',
    });
  }
}
