/**
 * Go live: promotes the run's preview page to the live catalog, atomically: the page is written
 * as this run's immutable version, then the offer's pointer is switched to it. The JSON gains
 * `liveSince` (kept when a retry of the same run finds the pointer already switched) and the
 * HTML is re-rendered from it, so it carries the live banner instead of the preview one.
 *
 * Retention: the live version and the one it replaced are kept (a reader who read the old pointer
 * just before the switch still finds that page, and its replicas are there for a rollback); older
 * versions are deleted with their replicas in every region and their preview pages.
 */
import { ErrorType, publisherFailure } from '../../domain/errors';
import type { PromoteResult, RunKey, RunRef } from '../../domain/pipeline';
import type { ActivityDeps } from '../deps';
import { renderProductPageHtml } from '../../lib/product-page/render-html';
import type { ProductPage } from '../../lib/product-page/model';
import { cleanupRun } from '../../lib/storage/run-replicas';
import { readJson, writeJson, writeText } from '../../lib/storage/json-blobs';
import { CONTAINERS, livePointerBlobName, liveVersionBlobName, liveVersionsPrefix, previewPageBlobName } from '../../lib/storage/layout';
import type { LivePointer } from '../../lib/storage/catalog';

export async function promoteToLive(deps: ActivityDeps, ref: RunRef): Promise<PromoteResult> {
  const preview = await readJson<ProductPage>(deps.blobs, CONTAINERS.preview, previewPageBlobName(ref, 'json'));
  if (!preview) {
    throw publisherFailure(ErrorType.PreviewPageMissing, 'The preview page of this publish request no longer exists; press Publish again.');
  }
  const pointerName = livePointerBlobName(ref.publisherId, ref.offerId);
  const current = await readJson<LivePointer>(deps.blobs, CONTAINERS.live, pointerName);
  const retry = current?.runId === ref.runId;
  const liveSince = retry ? current.liveSince : new Date().toISOString();
  const supersedes = retry ? current.supersedes : current?.runId;
  const { previewUrl: _previewOnly, ...rest } = preview;
  const page: ProductPage = { ...rest, stage: 'live', liveSince };
  // The version first (immutable, this run's own names), then the pointer: until the pointer is
  // replaced customers read the old version whole, and after it the new one whole.
  const pointer: LivePointer = {
    runId: ref.runId,
    pageJson: liveVersionBlobName(ref, 'json'),
    pageHtml: liveVersionBlobName(ref, 'html'),
    liveSince,
    ...(supersedes ? { supersedes } : {}),
  };
  await writeText(deps.blobs, CONTAINERS.live, pointer.pageHtml, renderProductPageHtml(page), 'text/html; charset=utf-8');
  await writeJson(deps.blobs, CONTAINERS.live, pointer.pageJson, page);
  await writeJson(deps.blobs, CONTAINERS.live, pointerName, pointer);
  // After the switch, so a failure here never holds it up; a retry finds `supersedes` in the pointer.
  await retireOlderVersions(deps, ref, new Set([ref.runId, ...(supersedes ? [supersedes] : [])]));
  return { liveRef: pointerName };
}

/** Deletes every live version of the offer not in `keep`, with its replicas and preview page. */
async function retireOlderVersions(deps: ActivityDeps, ref: Pick<RunKey, 'publisherId' | 'offerId'>, keep: Set<string>): Promise<void> {
  const live = deps.blobs.getContainerClient(CONTAINERS.live);
  const prefix = liveVersionsPrefix(ref.publisherId, ref.offerId);
  const old = new Map<string, string[]>();
  for await (const b of live.listBlobsFlat({ prefix })) {
    const runId = b.name.slice(prefix.length).split('/')[0];
    if (!keep.has(runId)) old.set(runId, [...(old.get(runId) ?? []), b.name]);
  }
  for (const [runId, blobs] of old) {
    // Replicas and preview first: the version blobs are what lets a retry find this run again.
    await cleanupRun(deps, { ...ref, runId }, deps.config.regions);
    for (const name of blobs) await live.getBlobClient(name).deleteIfExists();
  }
}
