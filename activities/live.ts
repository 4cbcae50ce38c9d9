/**
 * Go live: promotes the run's preview page to the live catalog, atomically: the page is written
 * as this run's immutable version, then the offer's pointer is switched to it. The JSON gains
 * `liveSince` (kept when a retry of the same run finds the pointer already switched) and the
 * HTML is re-rendered from it, so it carries the live banner instead of the preview one.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { PromoteResult, RunRef } from '../domain/pipeline';
import type { ActivityDeps } from './deps';
import { renderProductPageHtml } from './html/product-page';
import type { ProductPage } from './product-page';
import { readJson, writeJson, writeText } from './storage/json-blobs';
import { CONTAINERS, livePointerBlobName, liveVersionBlobName, previewPageBlobName } from './storage/layout';
import type { LivePointer } from './storage/catalog';

export async function promoteToLive(deps: ActivityDeps, ref: RunRef): Promise<PromoteResult> {
  const preview = await readJson<ProductPage>(deps.blobs, CONTAINERS.preview, previewPageBlobName(ref, 'json'));
  if (!preview) {
    throw ApplicationFailure.nonRetryable('The preview page of this publish request no longer exists; press Publish again.', 'PreviewPageMissing');
  }
  const pointerName = livePointerBlobName(ref.publisherId, ref.offerId);
  const current = await readJson<LivePointer>(deps.blobs, CONTAINERS.live, pointerName);
  const liveSince = current?.runId === ref.runId ? current.liveSince : new Date().toISOString();
  const { previewUrl: _previewOnly, ...rest } = preview;
  const page: ProductPage = { ...rest, stage: 'live', liveSince };
  // The version first (immutable, this run's own names), then the pointer: until the pointer is
  // replaced customers read the old version whole, and after it the new one whole.
  const pointer: LivePointer = { runId: ref.runId, pageJson: liveVersionBlobName(ref, 'json'), pageHtml: liveVersionBlobName(ref, 'html'), liveSince };
  await writeText(deps.blobs, CONTAINERS.live, pointer.pageHtml, renderProductPageHtml(page), 'text/html; charset=utf-8');
  await writeJson(deps.blobs, CONTAINERS.live, pointer.pageJson, page);
  await writeJson(deps.blobs, CONTAINERS.live, pointerName, pointer);
  return { liveRef: pointerName };
}
