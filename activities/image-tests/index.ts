/**
 * The image self-test's activity (I/O queue): the certify step's engine on the one image of a
 * stored self-test request, with the same URL policy, budgets and report.
 */
import type { ActivityDeps } from '../deps';
import type { PublishPlan } from '../../domain/pipeline';
import { IMAGE_TEST_OFFER_ID, IMAGE_TEST_SKU, type ImageTestInput, type ImageTestResult } from '../../domain/image-tests';
import type { OfferDraft } from '../../domain/offer';
import { loadOfferSnapshot } from '../../lib/storage/offer-snapshots';
import { certifyImages, type CertifyOptions } from '../certify';

/** The stored request: an offer draft with one plan and one OS disk, so the certify engine reads it as it reads offers. */
export function imageTestDraft(vhdUrl: string, os: { family: string; type: string }): OfferDraft {
  return { skus: [{ skuId: IMAGE_TEST_SKU, os, diskVersions: [{ version: '1.0.0', osVhdUrl: vhdUrl, dataDisks: [] }] }] };
}

export function imageTestPlan(osFamily: string): PublishPlan {
  return {
    title: 'Image self-test',
    disks: [{ skuId: IMAGE_TEST_SKU, version: '1.0.0', role: 'os', field: 'skus[0].diskVersions[0].osVhdUrl', blobName: `${IMAGE_TEST_SKU}/1.0.0/os.vhd` }],
    osFamilyBySku: { [IMAGE_TEST_SKU]: osFamily },
    leadDestinationType: null,
  };
}

export async function runImageTest(deps: Pick<ActivityDeps, 'config' | 'blobs'>, input: ImageTestInput, opts: CertifyOptions): Promise<ImageTestResult> {
  const offer = await loadOfferSnapshot(deps, input.offerRef);
  const ref = { publisherId: input.publisherId, offerId: IMAGE_TEST_OFFER_ID, workflowId: '', runId: input.testId, offerRef: input.offerRef };
  const result = await certifyImages(deps, ref, offer, imageTestPlan(input.osFamily), opts);
  return { passed: result.passed, bytesRead: result.bytesRead, reportRef: result.reportRef };
}
