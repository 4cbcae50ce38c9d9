/** JSON documents in blob storage: the one reader and writer every store uses. */
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { statusOf } from './rest-errors';

const ensured = new WeakMap<BlobServiceClient, Map<string, Promise<ContainerClient>>>();

/**
 * The container, created on first use by this process: once, however many activities start with
 * it at the same time (idempotent in any case; a failed creation is tried again on the next use).
 */
export function container(blobs: BlobServiceClient, name: string): Promise<ContainerClient> {
  let byName = ensured.get(blobs);
  if (!byName) ensured.set(blobs, (byName = new Map()));
  let ready = byName.get(name);
  if (!ready) {
    const client = blobs.getContainerClient(name);
    ready = client.createIfNotExists().then(() => client);
    byName.set(name, ready);
    ready.catch(() => byName.delete(name));
  }
  return ready;
}

export async function writeJson(blobs: BlobServiceClient, containerName: string, blobName: string, value: unknown): Promise<void> {
  const body = JSON.stringify(value, null, 2);
  const c = await container(blobs, containerName);
  await c.getBlockBlobClient(blobName).upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: 'application/json' },
  });
}

export async function writeText(
  blobs: BlobServiceClient,
  containerName: string,
  blobName: string,
  body: string,
  contentType: string,
): Promise<void> {
  const c = await container(blobs, containerName);
  await c.getBlockBlobClient(blobName).upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: contentType },
  });
}

/**
 * The document, or undefined when the blob (or its container) does not exist. One Get Blob, so the
 * text is one version whole even while the blob is replaced (`downloadToBuffer` reads the length
 * first and then the bytes: a pointer replaced in between came back cut at the old length).
 */
export async function readText(blobs: BlobServiceClient, containerName: string, blobName: string): Promise<string | undefined> {
  try {
    const res = await blobs.getContainerClient(containerName).getBlobClient(blobName).download();
    const chunks: Buffer[] = [];
    for await (const chunk of res.readableStreamBody!) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

export async function readJson<T>(blobs: BlobServiceClient, containerName: string, blobName: string): Promise<T | undefined> {
  const text = await readText(blobs, containerName, blobName);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}
