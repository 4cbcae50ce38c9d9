/**
 * deprecateOffer: one run per deprecation of a live offer, its plan or an image version
 * (`deprecate/{publisherId}/{offerId}`; docs/process.md, "After Go live").
 *
 * The schedule is workflow timers: the banner goes on the live page at once, notices go when
 * scheduled, at the reminders (domain/deprecation.ts reminderTimes) and at the effective time,
 * when what is deprecated leaves the catalog for new customers. A restore window follows; after
 * it the deprecated replicas are deleted and the run ends. Reschedule and restore are updates
 * (validators refuse with a reason, API 409), and operators have a `restore` signal; each wakes the
 * waiting timer, so a change takes hold at once and a worker restart loses nothing.
 */
import { condition, log, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { apiUrl } from '../domain/api-paths';
import {
  bannerShownUpdate,
  deprecationStatusQuery,
  initialDeprecationStatus,
  rescheduleUpdate,
  restoreSignal,
  restoreUpdate,
  sameScope,
  upcomingNotices,
  SA_DEPRECATION_STATE,
  type CatalogDeprecation,
  type DeprecationInput,
  type DeprecationNoticeKind,
  type DeprecationRequest,
  type DeprecationState,
  type DeprecationStatus,
} from '../domain/deprecation';
import { ErrorType, refusalFailure } from '../domain/errors';
import type { Actor } from '../domain/history';
import { deprecationActivities } from './deprecate-offer/activity-proxies';
import { DeprecationHistory } from './deprecate-offer/history';

const iso = (ms: number) => new Date(ms).toISOString();

export async function deprecateOffer(input: DeprecationInput): Promise<DeprecationStatus> {
  const { publisherId, offerId } = input;
  // First, so its patch marker precedes every command of a new run.
  const history = new DeprecationHistory({ publisherId, offerId });
  const { catalog, mailer, replicator, restorer } = deprecationActivities(input.ioTaskQueue);
  const statusUrl = apiUrl(input.publicBaseUrl, 'deprecation', { publisherId, offerId });
  const scheduledAtMs = Date.now();
  let request: DeprecationRequest = input.request;

  const status: DeprecationStatus = initialDeprecationStatus(input, scheduledAtMs);

  /** Bumped by each reschedule: wakes the timer and has the banner and a notice follow. */
  let generation = 0;
  let published = -1;
  /** The generation whose banner the live page shows. */
  let shown = -1;
  const bannerShown = (gen: number) => condition(() => shown >= gen || restoreBy !== undefined || status.state !== 'Scheduled');
  let restoreBy: Actor | undefined;
  /** Set once replicas are being deleted: from then on nothing can be restored. */
  let purging = false;
  /** Set when the effective time has come: from then on the date cannot change. */
  let takingEffect = false;
  /** Set by the run when it starts restoring; a restore update answers only then (see its handler). */
  let restoring = false;

  // Kept current only when the starter set it (the API does): a namespace without the attribute
  // registered, like the time-skipping test server's, would refuse the upsert.
  const keepVisibility = workflowInfo().typedSearchAttributes.get(SA_DEPRECATION_STATE) !== undefined;
  const setState = (state: DeprecationState) => {
    status.state = state;
    if (keepVisibility) upsertSearchAttributes([{ key: SA_DEPRECATION_STATE, value: state }]);
  };

  const restorable = (): string | undefined => {
    if (restoreBy !== undefined || status.state === 'Restored') return 'the deprecation has already been restored.';
    if (status.state === 'Scheduled') return undefined;
    if (purging || Date.now() >= Date.parse(status.restorableUntil ?? '')) {
      return `the restore window ended at ${status.restorableUntil}; the deprecated replicas are being deleted.`;
    }
    return undefined;
  };
  const requestRestore = (actor: Actor) => {
    restoreBy = actor;
    history.record({ kind: 'restoreRequested', actor, at: iso(Date.now()) });
  };

  setHandler(deprecationStatusQuery, () => status);
  setHandler(bannerShownUpdate, async () => {
    await bannerShown(0);
    return status;
  });
  setHandler(
    restoreUpdate,
    // Completes once the run has started restoring, so its completion always follows the commands
    // the request unblocks. Completed at once, it could come before them in one execution and after
    // them in a replay (which skips the validator), and the replay would fail as nondeterministic.
    async (arg) => {
      requestRestore(arg.actor);
      await condition(() => restoring);
      return status;
    },
    {
      validator: (_arg) => {
        const refused = restorable();
        if (refused) throw refusalFailure(ErrorType.InvalidState, `Restore is not possible: ${refused}`);
      },
    },
  );
  setHandler(restoreSignal, () => {
    const refused = restorable();
    if (refused) log.warn(`restore signal ignored: ${refused}`);
    else requestRestore('operator');
  });
  setHandler(
    rescheduleUpdate,
    async (arg) => {
      request = arg.request;
      Object.assign(status, {
        reason: request.reason,
        text: request.text,
        alternative: request.alternative,
        effectiveAt: request.effectiveAt,
      });
      const now = Date.now();
      status.notices = [...status.notices.filter((n) => n.sentAt || n.failedAt), ...upcomingNotices(now, request.effectiveAt)];
      const gen = ++generation;
      history.record({ kind: 'rescheduled', actor: arg.actor, at: iso(now), effectiveAt: request.effectiveAt });
      await bannerShown(gen);
      return status;
    },
    {
      validator: (arg) => {
        if (status.state !== 'Scheduled' || takingEffect || restoreBy !== undefined) {
          throw refusalFailure(ErrorType.InvalidState, `A deprecation is ${restoreBy ? 'being restored' : status.state} for this offer; it can no longer be rescheduled.`);
        }
        if (!sameScope(arg.request.scope, status.scope)) {
          throw refusalFailure(ErrorType.DeprecationScheduled, 'Another part of this offer has a deprecation scheduled; restore it first, or reschedule it with the same scope.');
        }
        const earliest = Date.now() + input.minNoticeMs;
        if (arg.request.reason !== 'criticalSecurityIssue' && Date.parse(arg.request.effectiveAt) < earliest - 1000) {
          throw refusalFailure(ErrorType.NoticeTooShort, `effectiveAt may not be earlier than ${iso(earliest)} (the minimum notice).`);
        }
      },
    },
  );

  const catalogRecord = (state: CatalogDeprecation['state']): CatalogDeprecation => ({
    scope: status.scope,
    reason: request.reason,
    ...(request.text ? { text: request.text } : {}),
    ...(request.alternative ? { alternative: request.alternative } : {}),
    effectiveAt: request.effectiveAt,
    state,
  });

  /** Sends one notice and marks it sent; a notice that cannot be sent is logged, the schedule goes on. */
  const notify = async (kind: DeprecationNoticeKind, label?: string) => {
    const notice = status.notices.find((n) => n.kind === kind && n.label === label && !n.sentAt && !n.failedAt) ?? { kind, ...(label ? { label } : {}), dueAt: iso(Date.now()) };
    if (!status.notices.includes(notice)) status.notices.push(notice);
    try {
      await mailer.sendDeprecationNotice({
        kind,
        ...(label ? { label } : {}),
        to: input.notificationEmails,
        publisherId,
        offerId,
        offerTitle: input.offerTitle,
        deprecationId: `${workflowInfo().workflowId}/${workflowInfo().runId}`,
        scope: status.scope,
        reason: request.reason,
        ...(request.text ? { text: request.text } : {}),
        ...(request.alternative ? { alternative: request.alternative } : {}),
        effectiveAt: request.effectiveAt,
        ...(status.restorableUntil ? { restorableUntil: status.restorableUntil } : {}),
        statusUrl,
        supportUrl: input.supportUrl,
      });
      notice.sentAt = iso(Date.now());
    } catch (err) {
      // Marked, so the schedule goes on to the next notice instead of trying this one again.
      notice.failedAt = iso(Date.now());
      log.warn('a deprecation notice could not be sent', { kind, label, error: String(err) });
    }
  };

  history.record({ kind: 'scheduled', actor: input.actor, at: status.scheduledAt, effectiveAt: request.effectiveAt });

  // Until the effective time: the banner (again after each reschedule), then each due notice in turn.
  while (restoreBy === undefined) {
    if (published !== generation) {
      const first = published < 0;
      published = generation;
      await catalog.publishCatalogDeprecation(publisherId, offerId, catalogRecord('Scheduled'));
      shown = Math.max(shown, published);
      await notify(first ? 'scheduled' : 'rescheduled');
      continue;
    }
    const next = status.notices.filter((n) => !n.sentAt && !n.failedAt && n.kind !== 'scheduled' && n.kind !== 'rescheduled').sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0];
    const wait = Date.parse(next.dueAt) - Date.now();
    const gen = generation;
    if (wait > 0 && (await condition(() => generation !== gen || restoreBy !== undefined, wait))) continue;
    if (next.kind === 'effective') {
      takingEffect = true;
      break;
    }
    await notify(next.kind, next.label);
  }

  if (restoreBy === undefined) {
    await catalog.publishCatalogDeprecation(publisherId, offerId, catalogRecord('Effective'));
    status.restorableUntil = iso(Date.now() + input.restoreWindowMs);
    setState('Effective');
    history.record({ kind: 'effective', actor: 'system', at: iso(Date.now()) });
    await notify('effective');
    if (!(await condition(() => restoreBy !== undefined, input.restoreWindowMs))) {
      purging = true;
      const { replicasDeleted } = await catalog.deleteDeprecatedReplicas(publisherId, offerId, status.scope);
      status.replicasDeletedAt = iso(Date.now());
      history.record({ kind: 'replicasDeleted', actor: 'system', at: status.replicasDeletedAt, count: replicasDeleted });
      await history.drain();
      return status;
    }
  }

  // Restore: replicas back first (re-copied where missing), then the catalog, so no page points at a missing image.
  restoring = true;
  if (status.state === 'Effective') {
    const missing = await restorer.findMissingDeprecatedReplicas(publisherId, offerId, status.scope).catch((err: unknown) => {
      // The live run's history or snapshot is gone (Temporal's retention, OFFER_SNAPSHOT_RETENTION): nothing to copy from.
      log.error('the replicas to copy again on restore could not be found', { error: String(err) });
      status.replicasNotRestored = ['*'];
      return [];
    });
    for (const copy of missing) {
      try {
        await replicator.replicateRegion(copy.ref, copy.region, copy.disks);
      } catch (err) {
        log.error('a deprecated replica could not be copied again on restore', { region: copy.region, error: String(err) });
        status.replicasNotRestored = [...(status.replicasNotRestored ?? []), copy.region];
      }
    }
  }
  await catalog.withdrawCatalogDeprecation(publisherId, offerId, status.scope);
  status.restoredAt = iso(Date.now());
  status.restoredBy = restoreBy;
  status.notices = status.notices.filter((n) => n.sentAt || n.failedAt);
  setState('Restored');
  history.record({ kind: 'restored', actor: restoreBy ?? 'operator', at: status.restoredAt });
  await notify('restored');
  await history.drain();
  return status;
}
