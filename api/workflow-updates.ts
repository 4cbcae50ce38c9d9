/**
 * Sending an update behind the HTTP API and turning what Temporal answers into the contract's
 * codes. Shared by every gateway whose workflows take updates (publish, deprecation).
 */
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ErrorType, refusalOf } from '../domain/errors';
import { ApiError } from './errors';

/**
 * An update that arrives while a workflow task is in flight rides on that task; if the server
 * fails the task (e.g. UnhandledCommand, when new events raced its completion), it aborts the
 * update with FAILED_PRECONDITION and expects the client to send it again.
 */
const GRPC_FAILED_PRECONDITION = 9;

export async function retryAbortedUpdate<T>(send: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const cause = (err as { cause?: { code?: number; details?: string } }).cause;
      const aborted = err instanceof ServiceError && cause?.code === GRPC_FAILED_PRECONDITION && /workflow task failure/i.test(cause.details ?? '');
      if (!aborted || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/** What to answer when the workflow is not running: it never existed (404), or it has ended (409). */
export interface ClosedWorkflowTexts {
  neverExisted: string;
  ended: string;
}

/** Runs an update whose validator may refuse it: refusals are 409 with their type and reason. */
export async function updateOrRefuse<Ret>(handle: WorkflowHandle, send: (handle: WorkflowHandle) => Promise<Ret>, texts: ClosedWorkflowTexts): Promise<Ret> {
  try {
    return await retryAbortedUpdate(() => send(handle));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      const exists = await handle.describe().then(
        () => true,
        () => false,
      );
      if (!exists) throw new ApiError(404, 'NotFound', texts.neverExisted);
      throw new ApiError(409, ErrorType.InvalidState, texts.ended);
    }
    if (err instanceof WorkflowUpdateFailedError) {
      // A validator's refusal carries its catalogued type and the reason; anything else is not
      // for the caller to read, so it gets a generic reason.
      const refusal = refusalOf(err.cause);
      throw new ApiError(409, refusal?.type ?? ErrorType.InvalidState, refusal?.message ?? 'The request is not possible now.');
    }
    throw err;
  }
}
