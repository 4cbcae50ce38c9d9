/**
 * Deprecation after Go live (docs/process.md, "After Go live"): what a publisher asks for, the
 * schedule of notices the workflow keeps, and the record the live catalog reads. One workflow per
 * offer (`deprecate/{publisherId}/{offerId}`, workflows/deprecate-offer.ts).
 * Imported by workflow code: no Node built-ins.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { Actor } from './history';

export const DEPRECATION_WORKFLOW_TYPE = 'deprecateOffer';

export function deprecationWorkflowId(publisherId: string, offerId: string): string {
  return `deprecate/${publisherId}/${offerId}`;
}

export const DEPRECATION_REASONS = ['criticalSecurityIssue', 'endOfSupport', 'other'] as const;
export type DeprecationReason = (typeof DEPRECATION_REASONS)[number];

export const DEPRECATION_STATES = ['Scheduled', 'Effective', 'Restored'] as const;
export type DeprecationState = (typeof DEPRECATION_STATES)[number];

/** The whole offer, one plan, or one image version of a plan. */
export type DeprecationScope = 'offer' | { skuId: string; version?: string };

export interface DeprecationAlternative {
  offerId?: string;
  skuId?: string;
}

/** What the publisher asks for (the API has filled in `effectiveAt`). */
export interface DeprecationRequest {
  scope: DeprecationScope;
  reason: DeprecationReason;
  text?: string;
  alternative?: DeprecationAlternative;
  /** ISO time it takes effect. */
  effectiveAt: string;
}

export interface DeprecationInput {
  publisherId: string;
  offerId: string;
  offerTitle: string;
  request: DeprecationRequest;
  /** Who asked, for the status and the history. */
  actor: Actor;
  notificationEmails: string[];
  minNoticeMs: number;
  restoreWindowMs: number;
  publicBaseUrl: string;
  supportUrl: string;
  /** Task queue of the replication activities (restore re-copies deleted replicas). */
  ioTaskQueue: string;
}

export type DeprecationNoticeKind = 'scheduled' | 'rescheduled' | 'reminder' | 'effective' | 'restored';

/** One e-mail of the schedule; a reminder is named by how long before the date it goes (`30d`). */
export interface DeprecationNotice {
  kind: DeprecationNoticeKind;
  /** For reminders: the nominal lead time it stands for (30d, 7d, 1d), scaled for short notices. */
  label?: string;
  dueAt: string;
  sentAt?: string;
  /** When it was given up after its attempts (the schedule went on). */
  failedAt?: string;
}

export interface DeprecationStatus {
  publisherId: string;
  offerId: string;
  scope: DeprecationScope;
  reason: DeprecationReason;
  text?: string;
  alternative?: DeprecationAlternative;
  state: DeprecationState;
  requestedBy: Actor;
  scheduledAt: string;
  effectiveAt: string;
  /** Until when a restore is possible once effective. */
  restorableUntil?: string;
  restoredAt?: string;
  restoredBy?: Actor;
  /** When the deprecated replicas were deleted (after the restore window). */
  replicasDeletedAt?: string;
  /**
   * Regions whose missing replicas a restore could not copy again (e.g. the offer snapshot's
   * secrets were removed); `*` when the live run could not be read to find them.
   */
  replicasNotRestored?: string[];
  notices: DeprecationNotice[];
}

/** What the live catalog shows: written at scheduling, updated at the effective time, removed by a restore. */
export interface CatalogDeprecation {
  scope: DeprecationScope;
  reason: DeprecationReason;
  text?: string;
  alternative?: DeprecationAlternative;
  effectiveAt: string;
  state: 'Scheduled' | 'Effective';
}

/** The schedule's standard notice: reminders go 30, 7 and 1 days before; shorter notices scale them down. */
export const STANDARD_NOTICE_MS = 90 * 86_400_000;
export const REMINDERS: ReadonlyArray<{ label: string; beforeMs: number }> = [
  { label: '30d', beforeMs: 30 * 86_400_000 },
  { label: '7d', beforeMs: 7 * 86_400_000 },
  { label: '1d', beforeMs: 86_400_000 },
];

/**
 * The reminders of a deprecation scheduled at `scheduledAtMs` for `effectiveAtMs`: at their nominal
 * lead time for the standard notice or longer, proportionally earlier-to-the-date for a shorter one
 * (a 30-second notice reminds 10 s, 2.3 s and 0.3 s before). None for an immediate deprecation.
 */
export function reminderTimes(scheduledAtMs: number, effectiveAtMs: number): Array<{ label: string; atMs: number }> {
  const notice = effectiveAtMs - scheduledAtMs;
  if (notice <= 0) return [];
  const scale = Math.min(1, notice / STANDARD_NOTICE_MS);
  return REMINDERS.map((r) => ({ label: r.label, atMs: effectiveAtMs - Math.round(r.beforeMs * scale) })).filter((r) => r.atMs > scheduledAtMs);
}

/** The one scope key a scope is stored under (catalog records, replica prefixes). */
export function scopeKey(scope: DeprecationScope): string {
  if (scope === 'offer') return 'offer';
  return scope.version ? `version~${scope.skuId}~${scope.version}` : `plan~${scope.skuId}`;
}

export function sameScope(a: DeprecationScope, b: DeprecationScope): boolean {
  return scopeKey(a) === scopeKey(b);
}

/** Words for a scope, for notices and the page. */
export function describeScope(scope: DeprecationScope): string {
  if (scope === 'offer') return 'the offer';
  return scope.version ? `version ${scope.version} of plan ${scope.skuId}` : `plan ${scope.skuId}`;
}

export const SA_DEPRECATION_STATE = defineSearchAttributeKey('DeprecationState', 'KEYWORD');

export const deprecationStatusQuery = defineQuery<DeprecationStatus>('deprecationStatus');

export interface RestoreArg {
  actor: Actor;
}
export interface RescheduleArg {
  request: DeprecationRequest;
  actor: Actor;
}
/** Answers once the live page shows the banner of the schedule as it is now (the API's POST waits for it). */
export const bannerShownUpdate = defineUpdate<DeprecationStatus>('awaitDeprecationBanner');
/** Behind the API (DELETE and a second POST): validators refuse with a reason (409); a reschedule answers once its banner shows. */
export const restoreUpdate = defineUpdate<DeprecationStatus, [RestoreArg]>('restoreDeprecation');
export const rescheduleUpdate = defineUpdate<DeprecationStatus, [RescheduleArg]>('rescheduleDeprecation');
/** For operators (CLI, Web UI; the actor is `operator`): best effort, ignored and logged when a restore is not possible now. */
export const restoreSignal = defineSignal('restore');

/** What the notice activity needs to write one e-mail (nothing secret). */
export interface DeprecationNoticeRequest {
  kind: DeprecationNoticeKind;
  label?: string;
  to: string[];
  publisherId: string;
  offerId: string;
  offerTitle: string;
  /** `{workflowId}/{runId}`: the same notice of the same deprecation has the same Message-ID. */
  deprecationId: string;
  scope: DeprecationScope;
  reason: DeprecationReason;
  text?: string;
  alternative?: DeprecationAlternative;
  effectiveAt: string;
  restorableUntil?: string;
  statusUrl: string;
  supportUrl: string;
}

const isoOf = (ms: number) => new Date(ms).toISOString();

/** The reminders and the effective notice of a schedule made (or changed) at `fromMs`. */
export function upcomingNotices(fromMs: number, effectiveAt: string): DeprecationNotice[] {
  const effectiveMs = Date.parse(effectiveAt);
  return [
    ...reminderTimes(fromMs, effectiveMs).map((r) => ({ kind: 'reminder' as const, label: r.label, dueAt: isoOf(r.atMs) })),
    { kind: 'effective', dueAt: isoOf(Math.max(fromMs, effectiveMs)) },
  ];
}

/** A deprecation as scheduled at `scheduledAtMs` (the workflow's start; the API's first answer). */
export function initialDeprecationStatus(input: DeprecationInput, scheduledAtMs: number): DeprecationStatus {
  const { request } = input;
  return {
    publisherId: input.publisherId,
    offerId: input.offerId,
    scope: request.scope,
    reason: request.reason,
    ...(request.text ? { text: request.text } : {}),
    ...(request.alternative ? { alternative: request.alternative } : {}),
    state: 'Scheduled',
    requestedBy: input.actor,
    scheduledAt: isoOf(scheduledAtMs),
    effectiveAt: request.effectiveAt,
    notices: [{ kind: 'scheduled', dueAt: isoOf(scheduledAtMs) }, ...upcomingNotices(scheduledAtMs, request.effectiveAt)],
  };
}
