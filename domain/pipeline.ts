/**
 * What flows between the workflow and its activities. Nothing here carries an image URL, a
 * connection string or a client secret: those live in the stored offer snapshot, which activities
 * load by reference, so workflow history never holds a secret (publisher SAS tokens included).
 */
import type { Finding, LeadDeliveryOutcome } from './status';
import type { CertificationCheck } from './certification';
import type { Language } from './languages';

/** Identifies one publish run; storage paths are derived from it. */
export interface RunRef {
  publisherId: string;
  offerId: string;
  workflowId: string;
  runId: string;
  /** Blob name of the offer snapshot the API stored for this publish request. */
  offerRef: string;
}

/** What names a run's blobs (replicas, pages): enough to find and remove them after the run. */
export type RunKey = Pick<RunRef, 'publisherId' | 'offerId' | 'runId'>;

/** One disk of the offer, as the pipeline tracks it (no URL). */
export interface DiskRef {
  skuId: string;
  version: string;
  role: 'os' | 'data';
  lun?: number;
  /** Path of the URL field in the offer, e.g. `skus[0].diskVersions[0].osVhdUrl`. */
  field: string;
  /** Stable name for the replica, e.g. `standard/1.0.0/os.vhd`. */
  blobName: string;
}

/** What `validate` learns about the offer that later steps need, all of it safe for history. */
export interface PublishPlan {
  title: string;
  disks: DiskRef[];
  osFamilyBySku: Record<string, string>;
  leadDestinationType: string | null;
}

export interface ValidateResult {
  findings: Finding[];
  /** Present when there are no Error findings. */
  plan?: PublishPlan;
  /** The offer's engineering contact, e-mailed until the publisher gives notification e-mails. */
  contactEmails?: string[];
}

export interface CertifyResult {
  passed: boolean;
  checkCount: number;
  bytesRead: number;
  /** Failed checks, and warnings, capped so history stays small; the full list is in the report. */
  notable: CertificationCheck[];
  reportRef: string;
}

export interface ReplicateRegionResult {
  region: string;
  disks: number;
  bytes: number;
  /** Disks that already matched and were not copied again. */
  skipped: number;
}

/** One copy activity for several regions: those replicated, in order, and where it stopped. */
export interface ReplicateRegionsResult {
  replicated: ReplicateRegionResult[];
  /** The first region whose copy failed, and why; the regions after it were not tried. */
  stopped?: { region: string; reason: string };
}

export interface PackageResult {
  pageRef: string;
  lead?: LeadDeliveryOutcome;
}

export interface PromoteResult {
  liveRef: string;
}

export type NotificationEvent =
  | 'validationFailed'
  | 'certificationFailed'
  | 'previewReady'
  | 'live'
  | 'canceled'
  | 'failed'
  /** A step failed on our side (an infrastructure failure that outlived its retries): nothing to fix. */
  | 'internalFailure'
  | 'overdue';

export interface NotificationRequest {
  event: NotificationEvent;
  to: string[];
  publisherId: string;
  offerId: string;
  runId: string;
  offerTitle: string;
  /** Step concerned (failure, overdue). */
  stepName?: string;
  /** What to fix, already safe to show (no secrets). */
  findings?: Finding[];
  failedChecks?: CertificationCheck[];
  links?: string[];
  statusUrl: string;
  supportUrl: string;
  /** The run's language (PublishInput.language); absent: English. */
  language?: Language;
}
