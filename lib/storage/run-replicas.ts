/**
 * A run's replicas across the regions' accounts: listing them, and removing everything a run
 * created (replicas, preview page, copied logos). Shared by provision (report, cleanup on failure or cancel)
 * and live (retention of old versions).
 */
import type { BlobServiceClient, PageBlobClient } from '@azure/storage-blob';
import type { RunKey } from '../../domain/pipeline';
import { mapLimit } from '../map-limit';
import { deleteRunAssets } from './catalog-assets';
import { deletePreviewOfRun } from './catalog';
import { runPrefix } from './layout';
import type { RegionAccounts } from './region-accounts';
import { statusOf } from './rest-errors';

/** The stores a run's replicas and pages live in (ActivityDeps has them). */
export interface ReplicaStores {
  blobs: BlobServiceClient;
  regionAccounts: RegionAccounts;
  config: { provisionConcurrency: number };
}

/** Aborts a pending copy; "no pending copy" (finished already, or never started) is fine. */
export async function abortQuietly(replica: Pick<PageBlobClient, 'abortCopyFromURL'>, copyId: string | undefined): Promise<void> {
  if (!copyId) return;
  try {
    await replica.abortCopyFromURL(copyId);
  } catch (err) {
    const status = statusOf(err);
    if (status !== 409 && status !== 404) throw err;
  }
}

/** Names of the run's replicas in one region (none when the container does not exist). */
export async function listRunReplicas(deps: ReplicaStores, ref: RunKey, region: string) {
  const c = deps.regionAccounts.replicas(region);
  const found: Array<{ name: string; length: number; copyStatus?: string; copyId?: string }> = [];
  try {
    for await (const b of c.listBlobsFlat({ prefix: runPrefix(ref), includeCopy: true })) {
      found.push({ name: b.name, length: b.properties.contentLength ?? 0, copyStatus: b.properties.copyStatus, copyId: b.properties.copyId });
    }
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  return { container: c, replicas: found };
}

/**
 * Removes what a run created: its replicas in every region (pending copies aborted first), its
 * preview page, plus the preview pointer if it still points at this run, and its copied logos.
 * Missing things are fine.
 */
export async function cleanupRun(
  deps: ReplicaStores,
  ref: RunKey,
  regions: string[],
): Promise<{ replicasDeleted: number; previewDeleted: number; assetsDeleted: number }> {
  let replicasDeleted = 0;
  await mapLimit(regions, deps.config.provisionConcurrency, async (region) => {
    const { container: c, replicas } = await listRunReplicas(deps, ref, region);
    for (const r of replicas) {
      const blob = c.getPageBlobClient(r.name);
      if (r.copyStatus === 'pending') await abortQuietly(blob, r.copyId);
      if ((await blob.deleteIfExists()).succeeded) replicasDeleted++;
    }
  });
  const previewDeleted = await deletePreviewOfRun(deps.blobs, ref);
  // After the page: while a page of the run is served, its logos must be too.
  const assetsDeleted = await deleteRunAssets(deps.blobs, ref);
  return { replicasDeleted, previewDeleted, assetsDeleted };
}
