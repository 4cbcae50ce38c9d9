/**
 * Where the pipeline keeps things in Azure Storage: the control account of
 * AZURE_STORAGE_CONNECTION_STRING, and each region's account for replicas. One place for every
 * container and blob name.
 */
import type { DiskRef, RunRef } from '../../domain/pipeline';

export const CONTAINERS = {
  /** Offer drafts as submitted, one blob per publish request (they hold SAS URLs and lead secrets). */
  offerSnapshots: 'offer-snapshots',
  /** Reports too big for workflow history: certification detail, replica lists. */
  reports: 'publish-reports',
  /** Product pages per run, served to allow-listed preview subscriptions. */
  preview: 'catalog-preview',
  /** The live product page of each offer, promoted at Go live. */
  live: 'catalog-live',
  /** Files a run's pages show (logos), copied from the publisher's storage and served by the API. */
  catalogAssets: 'catalog-assets',
} as const;

/** A region's replicas, in that region's account; the container is named for the region so accounts can be shared. */
export function replicaContainer(region: string): string {
  return `replicas-${region}`;
}

/** A run's replica of one disk, in every region's container. */
export function replicaBlobName(ref: Pick<RunRef, 'publisherId' | 'offerId' | 'runId'>, disk: Pick<DiskRef, 'blobName'>): string {
  return `${runPrefix(ref)}${disk.blobName}`;
}

export function runPrefix(ref: Pick<RunRef, 'publisherId' | 'offerId' | 'runId'>): string {
  return `${ref.publisherId}/${ref.offerId}/${ref.runId}/`;
}

export function reportBlobName(ref: RunRef, report: 'certify' | 'provision' | 'lead-delivery'): string {
  return `${runPrefix(ref)}${report}.json`;
}

export function previewPageBlobName(ref: Pick<RunRef, 'publisherId' | 'offerId' | 'runId'>, ext: 'json' | 'html'): string {
  return `${runPrefix(ref)}page.${ext}`;
}

/** A run's copy of one of the offer's logos (its pages link to the API route that serves it). */
export function logoBlobName(ref: Pick<RunRef, 'publisherId' | 'offerId' | 'runId'>, kind: string): string {
  return `${runPrefix(ref)}logos/${kind}.png`;
}

/** Points at the newest preview run of an offer, so the preview endpoint finds it in one read. */
export function previewPointerBlobName(publisherId: string, offerId: string): string {
  return `${publisherId}/${offerId}/current.json`;
}

/** One immutable version of an offer's live page per run that went live. */
export function liveVersionBlobName(ref: Pick<RunRef, 'publisherId' | 'offerId' | 'runId'>, ext: 'json' | 'html'): string {
  return `${liveVersionsPrefix(ref.publisherId, ref.offerId)}${ref.runId}/page.${ext}`;
}

export function liveVersionsPrefix(publisherId: string, offerId: string): string {
  return `${publisherId}/${offerId}/versions/`;
}

/** Names the live version: customers' reads start here, and replacing this one blob switches versions atomically. */
export function livePointerBlobName(publisherId: string, offerId: string): string {
  return `${publisherId}/${offerId}/current.json`;
}

/** The deprecations of an offer the live catalog applies, one record per scope (lib/storage/catalog-deprecations.ts). */
export function liveDeprecationsPrefix(publisherId: string, offerId: string): string {
  return `${publisherId}/${offerId}/deprecations/`;
}

export function liveDeprecationBlobName(publisherId: string, offerId: string, scopeKey: string): string {
  return `${liveDeprecationsPrefix(publisherId, offerId)}${scopeKey}.json`;
}
