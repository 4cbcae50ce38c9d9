/**
 * The workflow's outer contract (docs/architecture.md): ids, task queues, signals, queries,
 * updates and search attributes. The API imports this without pulling in workflow code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { PublishStatusBody } from './status';
import type { StepId } from './steps';
import type { Language } from './languages';
import type { Actor } from './history';

export const WORKFLOW_TYPE = 'publishOffer';
/** Default task queue of the workflow and its light activities (validate, package, notify, live). */
export const TASK_QUEUE = 'offer-publishing';
/** Default task queue of heavy I/O activities (certify, provision), so they scale on their own workers. */
export const IO_TASK_QUEUE = 'offer-publishing-io';

export function publishWorkflowId(publisherId: string, offerId: string): string {
  return `publish/${publisherId}/${offerId}`;
}

/** The workflow a Temporal Schedule runs to remove the secrets of offer snapshots past retention (workers/retention-schedule.ts). */
export const SNAPSHOT_SWEEP_WORKFLOW_TYPE = 'sweepOfferSnapshots';

export interface PublishOptions {
  regions: string[];
  /** Region copies running at once. */
  provisionConcurrency: number;
  /** The most regions one copy activity copies in turn; absent in runs started before it (the default). */
  regionsPerCopyActivity?: number;
  /** Per-step time frames, overriding the defaults of domain/steps.ts (tests use short ones). */
  timeFramesMs?: Partial<Record<StepId, number>>;
  /** Base URL of the HTTP API, for links in e-mails and the status. */
  publicBaseUrl: string;
  supportUrl: string;
  /** Task queue of the certification and replication activities. */
  ioTaskQueue: string;
  /**
   * Retries of work on the regions' storage (replication, removing replicas): past them the
   * failure is ours and fails the step (tests use small ones). Absent in runs started before it.
   */
  regionStorageRetry?: RetryOptions;
}

export interface RetryOptions {
  maximumAttempts: number;
  initialIntervalMs: number;
  maximumIntervalMs: number;
}

/** Regions one copy activity copies in turn, unless REGIONS_PER_COPY_ACTIVITY says (a status shows them all copying until it returns). */
export const DEFAULT_REGIONS_PER_COPY_ACTIVITY = 8;

export const DEFAULT_REGION_STORAGE_RETRY: RetryOptions = { maximumAttempts: 8, initialIntervalMs: 2_000, maximumIntervalMs: 60_000 };

export interface PublishInput {
  publisherId: string;
  offerId: string;
  /** Blob name of the stored offer snapshot (see domain/pipeline.ts). */
  offerRef: string;
  notificationEmails: string[];
  options: PublishOptions;
  /** The publisher's language when publishing: the run's e-mails are written in it (default English). */
  language?: Language;
  /** Who asked for the publish (the API sets `publisher:<id>`); absent: an operator started it. */
  startedBy?: Actor;
}

/** Who sent an update: the API says which publisher; absent in updates from before it (taken as the offer's publisher). */
export interface ActorArg {
  actor?: Actor;
}

export interface EmailsArg extends ActorArg {
  emails: string[];
}

export const goLiveSignal = defineSignal('goLive');
export const cancelSignal = defineSignal<[{ reason?: string }?]>('cancel');
export const setNotificationEmailsSignal = defineSignal<[EmailsArg]>('setNotificationEmails');
export const statusQuery = defineQuery<PublishStatusBody>('status');

/** Updates behind the HTTP API: their validators answer synchronously, so the API can say 409 with the reason. */
/** The argument is optional on the wire: updates sent before it carried none (the handler reads `arg?.actor`). */
export const goLiveUpdate = defineUpdate<PublishStatusBody, [ActorArg]>('requestGoLive');
export const cancelUpdate = defineUpdate<PublishStatusBody, [{ reason?: string } & ActorArg]>('requestCancel');
export const setNotificationEmailsUpdate = defineUpdate<PublishStatusBody, [EmailsArg]>('submitNotificationEmails');

export const SA_PUBLISHER_ID = defineSearchAttributeKey('PublisherId', 'KEYWORD');
export const SA_OFFER_ID = defineSearchAttributeKey('OfferId', 'KEYWORD');
export const SA_PUBLISH_STEP = defineSearchAttributeKey('PublishStep', 'KEYWORD');
export const SA_PUBLISH_STATUS = defineSearchAttributeKey('PublishStatus', 'KEYWORD');

/** `name=Type` pairs for `temporal server start-dev --search-attribute` and the compose file. */
/** DeprecationState: the deprecation workflow's (domain/deprecation.ts SA_DEPRECATION_STATE). */
export const CUSTOM_SEARCH_ATTRIBUTES = ['PublisherId', 'OfferId', 'PublishStep', 'PublishStatus', 'DeprecationState'] as const;
