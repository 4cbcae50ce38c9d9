/**
 * The activities, in two sets created over their dependencies (workers/create-workers.ts builds
 * the deps once per process):
 *  - light activities run on the workflow's task queue (validate, package, live, cleanup, e-mail,
 *    the offer snapshots' retention);
 *  - I/O activities run on their own queue (certification, replication) so they scale on their own
 *    workers (`WORKER_ROLES=io`).
 * Each worker registers only its own set, and the workflow proxies each set with its own type, so
 * calling a heavy activity on the light queue does not type-check.
 * Each wrapper loads what the workflow deliberately does not carry (the offer snapshot, with its
 * URLs and secrets) and wires Temporal's heartbeat and cancellation into the plain step modules.
 */
import { Context } from '@temporalio/activity';
import type { DiskRef, NotificationRequest, PublishPlan, RunRef, ValidateResult } from '../domain/pipeline';
import { isValidEmail } from '../domain/emails';
import { loadOfferSnapshot } from '../lib/storage/offer-snapshots';
import { cleanupRun } from '../lib/storage/run-replicas';
import type { ActivityDeps } from './deps';
import { validateOffer } from './validate';
import { certifyImages } from './certify';
import { replicateRegion, replicateRegionsInTurn, writeProvisionReport, type ActivityControl } from './provision';
import { packageOffer } from './package';
import { promoteToLive } from './live';
import { sendNotification } from './notify';
import { sweepOfferSnapshots } from './retention';
import { temporalOfferRuns } from './retention/temporal-runs';
import { createDeprecationActivities } from './deprecate';
import { createHistoryActivities } from './history/activities';
import { runImageTest } from './image-tests';
import type { ImageTestInput } from '../domain/image-tests';
import { measured, recordCertification, recordEmail, recordReplication } from './metrics';

/** Heartbeat and abort signal of the running activity, for modules that know nothing of Temporal. */
function activityControl() {
  const ctx = Context.current();
  return { heartbeat: (details?: unknown) => ctx.heartbeat(details), signal: ctx.cancellationSignal };
}

/** Activities of the workflow's own task queue: short, light on CPU and memory. */
export function createLightActivities(deps: ActivityDeps) {
  return {
    async validateOffer(ref: RunRef): Promise<ValidateResult> {
      const offer = await loadOfferSnapshot(deps, ref.offerRef);
      const contact = offer.contacts?.engineering?.email;
      return { ...(await validateOffer(deps, offer)), contactEmails: isValidEmail(contact) ? [contact] : [] };
    },
    async writeProvisionReport(ref: RunRef, regions: string[]) {
      return writeProvisionReport(deps, ref, regions);
    },
    async packageOffer(ref: RunRef, plan: PublishPlan, regions: string[], previewBaseUrl: string) {
      return packageOffer(deps, ref, plan, regions, previewBaseUrl);
    },
    async promoteToLive(ref: RunRef) {
      return promoteToLive(deps, ref);
    },
    async cleanupRun(ref: RunRef, regions: string[]) {
      return cleanupRun(deps, ref, regions);
    },
    async sendNotification(req: NotificationRequest) {
      return measured(
        () => sendNotification(deps, req),
        (_r, _since, err) => recordEmail(req.event, err),
      );
    },
    /** Run by the retention schedule; Temporal's visibility (the worker's client) says which runs are open. */
    async sweepOfferSnapshots() {
      const ctx = Context.current();
      return sweepOfferSnapshots(deps.blobs, temporalOfferRuns(ctx.client), deps.config.offerSnapshotRetentionMs, new Date(), () => ctx.heartbeat());
    },
    /** The deprecation workflow's (activities/deprecate). */
    ...createDeprecationActivities(deps),
    /** The offer's history and its webhook deliveries (activities/history). */
    ...createHistoryActivities(deps),
  };
}

/** Activities of the I/O task queue: long, heartbeating, reading or copying whole images. */
export function createIoActivities(deps: ActivityDeps) {
  const copyRegion = (ref: RunRef, region: string, disks: DiskRef[], ctl: ActivityControl) =>
    measured(
      () => replicateRegion(deps, ref, region, disks, ctl),
      (result, since) => recordReplication(region, result, since),
    );
  return {
    async certifyImages(ref: RunRef, plan: PublishPlan) {
      return measured(async () => certifyImages(deps, ref, await loadOfferSnapshot(deps, ref.offerRef), plan, activityControl()), recordCertification);
    },
    async replicateRegion(ref: RunRef, region: string, disks: DiskRef[]) {
      return copyRegion(ref, region, disks, activityControl());
    },
    /** A lane's regions in turn (activities/provision); the workflow copies one that fails, and those after it, one activity each. */
    async replicateRegions(ref: RunRef, regions: string[], disks: DiskRef[]) {
      const ctl = activityControl();
      return replicateRegionsInTurn(regions, (region) => copyRegion(ref, region, disks, ctl), ctl);
    },
    /** An image self-test (activities/image-tests): the certify engine on one image. */
    async runImageTest(input: ImageTestInput) {
      return runImageTest(deps, input, activityControl());
    },
  };
}

export type LightActivities = ReturnType<typeof createLightActivities>;
export type IoActivities = ReturnType<typeof createIoActivities>;
