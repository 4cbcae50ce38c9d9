/**
 * Go live: promotes the run's preview page to the live catalog. The JSON gains `liveSince` (kept
 * from an earlier attempt of the same run, so retries are idempotent) and the HTML is re-rendered
 * from it, so it carries the live banner instead of the preview one.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { PromoteResult, RunRef } from '../domain/pipeline';
import type { ActivityDeps } from './deps';
import { renderProductPageHtml } from './html/product-page';
import type { ProductPage } from './product-page';
import { readJson, writeJson, writeText } from './storage/json-blobs';
import { CONTAINERS, livePageBlobName, previewPageBlobName } from './storage/layout';

export async function promoteToLive(deps: ActivityDeps, ref: RunRef): Promise<PromoteResult> {
  const preview = await readJson<ProductPage>(deps.blobs, CONTAINERS.preview, previewPageBlobName(ref, 'json'));
  if (!preview) {
    throw ApplicationFailure.nonRetryable('The preview page of this publish request no longer exists; press Publish again.', 'PreviewPageMissing');
  }
  const liveRef = livePageBlobName(ref.publisherId, ref.offerId, 'json');
  const current = await readJson<ProductPage>(deps.blobs, CONTAINERS.live, liveRef);
  const liveSince = current?.runId === ref.runId && current.liveSince ? current.liveSince : new Date().toISOString();
  const { previewUrl: _previewOnly, ...rest } = preview;
  const page: ProductPage = { ...rest, stage: 'live', liveSince };
  // HTML first: the JSON is what lists the offer as live, so it is written last.
  await writeText(deps.blobs, CONTAINERS.live, livePageBlobName(ref.publisherId, ref.offerId, 'html'), renderProductPageHtml(page), 'text/html; charset=utf-8');
  await writeJson(deps.blobs, CONTAINERS.live, liveRef, page);
  return { liveRef };
}
