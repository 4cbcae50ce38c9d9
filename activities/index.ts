/**
 * The activities, created over their dependencies (workers/main.ts builds the deps once).
 * Each wrapper loads what the workflow deliberately does not carry (the offer snapshot, with
 * its URLs and secrets) and wires Temporal's heartbeat and cancellation into the plain modules.
 */
import { Context } from '@temporalio/activity';
import type { DiskRef, NotificationRequest, PublishPlan, RunRef, ValidateResult } from '../domain/pipeline';
import { isValidEmail } from '../domain/emails';
import type { ActivityDeps } from './deps';
import { loadOfferSnapshot } from '../lib/storage/offer-snapshots';
import { validateOffer } from './validate';
import { certifyImages } from './certify';
import { replicateRegion, writeProvisionReport } from './provision';
import { cleanupRun } from '../lib/storage/run-replicas';
import { packageOffer } from './package';
import { promoteToLive } from './live';
import { sendNotification } from './notify';

/** Heartbeat and abort signal of the running activity, for modules that know nothing of Temporal. */
function activityControl() {
  const ctx = Context.current();
  return { heartbeat: (details?: unknown) => ctx.heartbeat(details), signal: ctx.cancellationSignal };
}

export function createActivities(deps: ActivityDeps) {
  return {
    async validateOffer(ref: RunRef): Promise<ValidateResult> {
      const offer = await loadOfferSnapshot(deps.blobs, ref.offerRef);
      const contact = offer.contacts?.engineering?.email;
      return { ...(await validateOffer(deps, offer)), contactEmails: isValidEmail(contact) ? [contact] : [] };
    },
    async certifyImages(ref: RunRef, plan: PublishPlan) {
      return certifyImages(deps, ref, await loadOfferSnapshot(deps.blobs, ref.offerRef), plan, activityControl());
    },
    async replicateRegion(ref: RunRef, region: string, disks: DiskRef[]) {
      return replicateRegion(deps, ref, region, disks, activityControl());
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
      return sendNotification(deps, req);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
