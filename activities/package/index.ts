/**
 * Packaging: copies the logos into the catalog's own storage, merges marketing and technical
 * content into the product page (JSON + HTML in the preview catalog), sends the test lead when a
 * destination is configured, and only then points the preview endpoint at this run — so a failed
 * lead leaves no half-published preview. Every URL on the page is ours and carries no credential.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { PackageResult, PublishPlan, RunRef } from '../../domain/pipeline';
import type { OfferDraft } from '../../domain/offer';
import type { LeadDeliveryOutcome } from '../../domain/status';
import type { ActivityDeps } from '../deps';
import { renderProductPageHtml } from '../../lib/product-page/render-html';
import { describeAzureTableDestination, sendAzureTableTestLead } from './leads/azure-table';
import { appendLeadDelivery } from './leads/delivery-log';
import { describeDynamics365Destination, sendDynamics365TestLead } from './leads/dynamics365';
import { describeHttpsDestination, sendHttpsTestLead } from './leads/https';
import { describeMarketoDestination, sendMarketoTestLead } from './leads/marketo';
import { describeSalesforceDestination, sendSalesforceTestLead } from './leads/salesforce';
import { buildTestLead } from './leads/test-lead';
import { copyLogos } from './logos';
import { buildProductPage } from './product-page';
import { writePreviewPointer } from '../../lib/storage/catalog';
import { writeJson, writeText } from '../../lib/storage/json-blobs';
import { CONTAINERS, previewPageBlobName, replicaBlobName } from '../../lib/storage/layout';
import { loadOfferSnapshot } from '../../lib/storage/offer-snapshots';
import { publicBlobUrl } from '../../lib/storage/public-url';
import { recordTestLead } from '../metrics';

/** `previewUrl`: where the preview endpoint serves this offer's page (shown on the page). */
export async function packageOffer(
  deps: ActivityDeps,
  ref: RunRef,
  plan: PublishPlan,
  regions: string[],
  previewUrl: string,
): Promise<PackageResult> {
  const offer = await loadOfferSnapshot(deps, ref.offerRef);
  const logos = await copyLogos(deps, ref, offer);
  const page = {
    ...buildProductPage(offer, ref, plan.title, regions, previewUrl, logos),
    // Where each region's copy lies (activities/provision writes them under these names).
    deployFrom: regions.map((region) => ({
      region,
      images: plan.disks.map((d) => ({
        skuId: d.skuId,
        version: d.version,
        role: d.role,
        ...(d.lun !== undefined ? { lun: d.lun } : {}),
        url: publicBlobUrl(deps.regionAccounts.replicas(region).getBlobClient(replicaBlobName(ref, d))),
      })),
    })),
  };
  const pageRef = previewPageBlobName(ref, 'json');
  await writeText(deps.blobs, CONTAINERS.preview, previewPageBlobName(ref, 'html'), renderProductPageHtml(page), 'text/html; charset=utf-8');
  await writeJson(deps.blobs, CONTAINERS.preview, pageRef, page);

  const lead = await sendTestLead(deps, ref, offer, page.title);
  await writePreviewPointer(deps.blobs, ref, offer.preview?.subscriptionIds ?? []);
  return { pageRef, lead };
}

/** Sends the test lead and logs the outcome; undefined when no destination is configured. */
async function sendTestLead(deps: ActivityDeps, ref: RunRef, offer: OfferDraft, title: string): Promise<LeadDeliveryOutcome | undefined> {
  const dest = offer.leadDestination;
  if (!dest) return undefined;
  const at = new Date();
  const lead = buildTestLead(ref, title);
  const policy = deps.config.leadUrlPolicy;
  let describe: () => string;
  let send: () => Promise<LeadDeliveryOutcome>;
  switch (dest.type) {
    case 'AzureTable':
      describe = () => describeAzureTableDestination(dest);
      send = () => sendAzureTableTestLead(dest, lead, { partitionKey: `${ref.publisherId}.${ref.offerId}`, rowKey: `test-${ref.runId}` }, policy, at);
      break;
    case 'Https':
      describe = () => describeHttpsDestination(dest);
      send = () => sendHttpsTestLead(dest, lead, policy, at);
      break;
    case 'Salesforce':
      describe = () => describeSalesforceDestination(dest);
      send = () => sendSalesforceTestLead(dest, lead, policy, at);
      break;
    case 'Marketo':
      describe = () => describeMarketoDestination(dest);
      send = () => sendMarketoTestLead(dest, lead, policy, at);
      break;
    case 'Dynamics365':
      describe = () => describeDynamics365Destination(dest);
      send = () => sendDynamics365TestLead(dest, lead, policy, at);
      break;
    default: {
      const type = (dest as { type: string }).type;
      const outcome = { destination: type, at: at.toISOString(), delivered: false, detail: `${type} is not a known lead destination; no test lead was sent` };
      await appendLeadDelivery(deps.blobs, ref, outcome);
      return outcome;
    }
  }
  try {
    const outcome = await send();
    recordTestLead(dest.type, outcome.delivered ? 'Delivered' : 'Rejected');
    await appendLeadDelivery(deps.blobs, ref, outcome);
    return outcome;
  } catch (err) {
    recordTestLead(dest.type, err instanceof ApplicationFailure && err.nonRetryable ? 'Rejected' : 'Error');
    // Log the failed attempt too: "leads never arrive and nothing says why" is the complaint to answer.
    await appendLeadDelivery(deps.blobs, ref, {
      destination: describe(),
      at: at.toISOString(),
      delivered: false,
      detail: err instanceof ApplicationFailure && err.nonRetryable ? err.message : `attempt failed, will retry: ${(err as Error).message}`,
    });
    throw err;
  }
}
