/** The status body of a publish run (docs/http-api.md, "The status body"). */
import type { StepId } from './steps';

export const RUN_STATUSES = [
  'Running',
  'WaitingForPublisherInput',
  'WaitingForPublisherReview',
  'Succeeded',
  'Failed',
  'Canceled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export type StepStatus =
  | 'NotStarted'
  | 'InProgress'
  | 'WaitingForPublisherInput'
  | 'WaitingForPublisherReview'
  | 'Complete'
  | 'Failed'
  | 'Canceled';

export type MessageLevel = 'Info' | 'Warning' | 'Error';

/** A message as an activity reports it; the workflow stamps it with a timestamp. */
export interface Finding {
  level: MessageLevel;
  text: string;
  /** Path of the offer field it is about, e.g. `skus[0].diskVersions[0].osVhdUrl`. */
  field?: string;
}

export interface StepMessage extends Finding {
  timestamp: string;
}

export interface StepState {
  id: StepId;
  stepName: string;
  description: string;
  estimatedTimeFrame: string;
  status: StepStatus;
  startedAt: string | null;
  completedAt: string | null;
  overdue: boolean;
  progressPercentage: number;
  messages: StepMessage[];
}

/** Per-region replication state, shown while `provision` runs. */
export type RegionState = 'Pending' | 'Copying' | 'Complete' | 'Failed' | 'Removed';

export interface ProvisionProgress {
  regionsDone: number;
  regionsTotal: number;
  regions: Record<string, RegionState>;
}

export interface LeadDeliveryOutcome {
  destination: string;
  at: string;
  delivered: boolean;
  detail: string;
}

export interface PublishStatusBody {
  publisherId: string;
  offerId: string;
  runId: string;
  status: RunStatus;
  currentStep: StepId;
  cancellable: boolean;
  notificationEmails: string[];
  startedAt: string;
  updatedAt: string;
  steps: StepState[];
  previewLinks: string[];
  liveLinks: string[];
  provisioning?: ProvisionProgress;
  leadDelivery?: LeadDeliveryOutcome;
  /** References to stored reports (certification detail, replica lists). */
  reports: Record<string, string>;
  supportUrl: string;
}
