/**
 * Deprecation records of the live catalog, one blob per offer and scope next to the live pointer:
 * written when a deprecation is scheduled (the banner), updated when it takes effect (hidden from
 * new customers), deleted by a restore. Kept apart from the page versions, so a version published
 * while a deprecation is scheduled shows it too.
 */
import type { BlobServiceClient } from '@azure/storage-blob';
import { scopeKey, type CatalogDeprecation, type DeprecationScope } from '../../domain/deprecation';
import { readJson, writeJson } from './json-blobs';
import { CONTAINERS, liveDeprecationBlobName, liveDeprecationsPrefix } from './layout';
import { statusOf } from './rest-errors';

export async function writeCatalogDeprecation(blobs: BlobServiceClient, publisherId: string, offerId: string, record: CatalogDeprecation): Promise<void> {
  await writeJson(blobs, CONTAINERS.live, liveDeprecationBlobName(publisherId, offerId, scopeKey(record.scope)), record);
}

/** Removes the record of `scope`; a missing one is fine (a retried restore). */
export async function deleteCatalogDeprecation(blobs: BlobServiceClient, publisherId: string, offerId: string, scope: DeprecationScope): Promise<void> {
  await blobs.getContainerClient(CONTAINERS.live).getBlobClient(liveDeprecationBlobName(publisherId, offerId, scopeKey(scope))).deleteIfExists();
}

/** Every deprecation record of the offer, effective ones first. */
export async function readCatalogDeprecations(blobs: BlobServiceClient, publisherId: string, offerId: string): Promise<CatalogDeprecation[]> {
  const names: string[] = [];
  try {
    for await (const b of blobs.getContainerClient(CONTAINERS.live).listBlobsFlat({ prefix: liveDeprecationsPrefix(publisherId, offerId) })) names.push(b.name);
  } catch (err) {
    if (statusOf(err) === 404) return [];
    throw err;
  }
  const records = await Promise.all(names.map((n) => readJson<CatalogDeprecation>(blobs, CONTAINERS.live, n)));
  return records.filter((r): r is CatalogDeprecation => r !== undefined).sort((a, b) => (a.state === b.state ? a.effectiveAt.localeCompare(b.effectiveAt) : a.state === 'Effective' ? -1 : 1));
}
