/**
 * Files a run's product pages show (the logos), kept in our own control account under the run's
 * prefix and served by the API: pages never hot-link the publisher's storage, whose URLs carry the
 * publisher's SAS. Removed with the run's other artefacts (run-replicas.ts `cleanupRun`).
 */
import type { BlobServiceClient } from '@azure/storage-blob';
import type { RunKey } from '../../domain/pipeline';
import { container } from './json-blobs';
import { CONTAINERS, logoBlobName, runPrefix } from './layout';
import { scrubbed, statusOf } from './rest-errors';

/**
 * Copies the logo at `sourceUrl` (the publisher's, with its SAS) into the run's assets by a
 * server-side Copy Blob From URL: the storage service reads the source, no byte passes through
 * the worker. Errors are the storage SDK's: callers classify and scrub them.
 */
export async function copyRunLogo(blobs: BlobServiceClient, ref: RunKey, kind: string, sourceUrl: string): Promise<void> {
  const c = await container(blobs, CONTAINERS.catalogAssets);
  await c.getBlockBlobClient(logoBlobName(ref, kind)).syncCopyFromURL(sourceUrl);
}

/** The first `count` bytes of the run's copy of a logo (to check what was copied). */
export async function readRunLogoHead(blobs: BlobServiceClient, ref: RunKey, kind: string, count: number): Promise<Buffer> {
  return blobs.getContainerClient(CONTAINERS.catalogAssets).getBlobClient(logoBlobName(ref, kind)).downloadToBuffer(0, count);
}

/** The run's copy of a logo as a stream with its length, or undefined when there is none. */
export async function openRunLogo(
  blobs: BlobServiceClient,
  ref: RunKey,
  kind: string,
): Promise<{ body: NodeJS.ReadableStream; length: number | undefined } | undefined> {
  try {
    const res = await blobs.getContainerClient(CONTAINERS.catalogAssets).getBlobClient(logoBlobName(ref, kind)).download();
    return { body: res.readableStreamBody!, length: res.contentLength };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    // The API logs what it cannot answer: the SDK's error would carry the request URL.
    throw scrubbed('Reading a catalog logo failed', err);
  }
}

/** Deletes every asset of the run; returns how many. Missing things (or no container yet) are fine. */
export async function deleteRunAssets(blobs: BlobServiceClient, ref: RunKey): Promise<number> {
  const c = blobs.getContainerClient(CONTAINERS.catalogAssets);
  let deleted = 0;
  try {
    for await (const b of c.listBlobsFlat({ prefix: runPrefix(ref) })) {
      if ((await c.getBlobClient(b.name).deleteIfExists()).succeeded) deleted++;
    }
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  return deleted;
}
