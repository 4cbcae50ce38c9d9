/**
 * The status body as the workflow publishes it in its memo, so the API can serve status with one
 * `describe()` (answered by the Temporal server) instead of a workflow query (which waits for a
 * worker's workflow task slot). Pure: used by the workflow (encode) and the API (decode).
 *
 * Compact, and split over several memo keys so that one upsert carries only the keys that changed
 * (upsertMemo merges keys): the step definitions' texts are not stored (they come from STEPS), the
 * region names are written once, region states are one letter each, and each step's state and each
 * step's messages are keys of their own, written only when they change.
 */
import type { PublishStatusBody, RegionState, RunStatus, StepMessage, StepStatus } from './status';
import { STEPS, type StepId } from './steps';

/** Memo keys; `title` and `updatedAt` (read by the offers list) sit beside them. */
export const STATUS_MEMO_CORE = 'statusCore';
export const STATUS_MEMO_RUN = 'statusRun';
export const STATUS_MEMO_REGIONS = 'statusRegions';
export const statusMemoMessagesKey = (step: StepId) => `statusMessages.${step}`;
export const statusMemoStepKey = (step: StepId) => `statusStep.${step}`;

const REGION_CODES: Record<RegionState, string> = { Pending: 'P', Copying: 'C', Complete: 'D', Failed: 'F', Removed: 'R' };
const REGION_BY_CODE = Object.fromEntries(Object.entries(REGION_CODES).map(([state, code]) => [code, state as RegionState]));

/** One step without its definition's texts: [status, startedAt, completedAt, overdue, progress]. */
type CompactStep = [StepStatus, string | null, string | null, boolean, number];

/** What changes on nearly every publication (a region done, a step's progress): kept small. */
export interface StatusMemoCore {
  /** Increases with every publication of the run; a reader never has to accept a smaller one. */
  v: number;
  status: RunStatus;
  currentStep: StepId;
  cancellable: boolean;
  updatedAt: string;
  /** Region states in the order of `statusRegions`, one letter each. */
  regionStates?: string;
}

/** What changes a few times per run. */
interface StatusMemoRun {
  publisherId: string;
  offerId: string;
  runId: string;
  notificationEmails: string[];
  startedAt: string;
  previewLinks: string[];
  liveLinks: string[];
  reports: Record<string, string>;
  supportUrl: string;
  leadDelivery?: PublishStatusBody['leadDelivery'];
}

/** Every memo key of the body at publication `version`, each as the value to upsert. */
export function encodeStatusMemo(body: PublishStatusBody, version: number): Record<string, unknown> {
  const regions = body.provisioning ? Object.keys(body.provisioning.regions) : undefined;
  const core: StatusMemoCore = {
    v: version,
    status: body.status,
    currentStep: body.currentStep,
    cancellable: body.cancellable,
    updatedAt: body.updatedAt,
    ...(regions ? { regionStates: regions.map((r) => REGION_CODES[body.provisioning!.regions[r]]).join('') } : {}),
  };
  const run: StatusMemoRun = {
    publisherId: body.publisherId,
    offerId: body.offerId,
    runId: body.runId,
    notificationEmails: body.notificationEmails,
    startedAt: body.startedAt,
    previewLinks: body.previewLinks,
    liveLinks: body.liveLinks,
    reports: body.reports,
    supportUrl: body.supportUrl,
    ...(body.leadDelivery ? { leadDelivery: body.leadDelivery } : {}),
  };
  const memo: Record<string, unknown> = { [STATUS_MEMO_CORE]: core, [STATUS_MEMO_RUN]: run };
  if (regions) memo[STATUS_MEMO_REGIONS] = regions;
  for (const s of body.steps) {
    memo[statusMemoStepKey(s.id)] = [s.status, s.startedAt, s.completedAt, s.overdue, s.progressPercentage] satisfies CompactStep;
    memo[statusMemoMessagesKey(s.id)] = s.messages;
  }
  return memo;
}

/** The status body from a run's memo, or undefined when the run does not publish it (started before). */
export function decodeStatusMemo(memo: Record<string, unknown> | undefined): { version: number; body: PublishStatusBody } | undefined {
  const core = memo?.[STATUS_MEMO_CORE] as StatusMemoCore | undefined;
  const run = memo?.[STATUS_MEMO_RUN] as StatusMemoRun | undefined;
  if (!memo || !core || !run || typeof core.v !== 'number') return undefined;
  const steps = STEPS.map((def) => memo[statusMemoStepKey(def.id)] as CompactStep | undefined);
  if (steps.some((s) => !Array.isArray(s))) return undefined;
  const body: PublishStatusBody = {
    publisherId: run.publisherId,
    offerId: run.offerId,
    runId: run.runId,
    status: core.status,
    currentStep: core.currentStep,
    cancellable: core.cancellable,
    notificationEmails: run.notificationEmails,
    startedAt: run.startedAt,
    updatedAt: core.updatedAt,
    steps: STEPS.map((def, i) => {
      const [status, startedAt, completedAt, overdue, progressPercentage] = steps[i]!;
      const messages = (memo![statusMemoMessagesKey(def.id)] as StepMessage[] | undefined) ?? [];
      return { id: def.id, stepName: def.stepName, description: def.description, estimatedTimeFrame: def.estimatedTimeFrame, status, startedAt, completedAt, overdue, progressPercentage, messages };
    }),
    previewLinks: run.previewLinks,
    liveLinks: run.liveLinks,
    reports: run.reports,
    supportUrl: run.supportUrl,
  };
  const names = memo![STATUS_MEMO_REGIONS] as string[] | undefined;
  if (core.regionStates !== undefined && names) {
    const regions = Object.fromEntries(names.map((r, i): [string, RegionState] => [r, REGION_BY_CODE[core.regionStates![i]] ?? 'Pending']));
    body.provisioning = {
      regionsDone: Object.values(regions).filter((r) => r === 'Complete').length,
      regionsTotal: names.length,
      regions,
    };
  }
  if (run.leadDelivery) body.leadDelivery = run.leadDelivery;
  return { version: core.v, body };
}

/**
 * The version of the body the API writes when it starts a run (its first status, before any
 * workflow task): the run replaces it in its first workflow task. A run whose first task has
 * completed and still shows it does not publish its status (older workflow code).
 */
export const STATUS_MEMO_AT_START = 0;

/** History length of a run whose first workflow task has not completed yet (started, scheduled, started). */
export const HISTORY_BEFORE_FIRST_TASK = 3;
