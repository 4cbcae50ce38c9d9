/**
 * The run's current details in the Temporal UI (`temporal workflow metadata`): the step and the
 * status, kept in step with the status body. Current details are workflow state answered by the
 * SDK's metadata query, not a command, so setting them changes no history and needs no patch.
 */
import { setCurrentDetails } from '@temporalio/workflow';
import { currentDetails } from '../../domain/ui-metadata';
import type { PublishRun } from '../publish-run';

/** Call after the run's other visibility hook is set: it is chained, not replaced. */
export function showCurrentDetails(run: PublishRun): void {
  const next = run.onVisibleChange;
  run.onVisibleChange = (body) => {
    setCurrentDetails(currentDetails(body));
    next(body);
  };
  setCurrentDetails(currentDetails(run));
}
