/** An offer's publish runs, from Temporal's visibility (the client the worker gives its activities). */
import type { Client } from '@temporalio/client';
import { publishWorkflowId } from '../../domain/messages';
import type { OfferRuns } from '.';
import { IMAGE_TEST_OFFER_ID } from '../../domain/image-tests';

/** What the API accepts as an id (api/schemas.ts): nothing else reaches a visibility query. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function temporalOfferRuns(client: Client): OfferRuns {
  return async (publisherId, offerId) => {
    // Image self-test requests have no publish runs; they take minutes, so "ended 10 min after written" holds.
    if (offerId === IMAGE_TEST_OFFER_ID) return [];
    if (!ID.test(publisherId) || !ID.test(offerId)) return undefined;
    const runs = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${publishWorkflowId(publisherId, offerId)}'` })) {
      runs.push({ startedAt: wf.startTime, closedAt: wf.status.name === 'RUNNING' ? undefined : (wf.closeTime ?? wf.startTime) });
    }
    return runs;
  };
}
