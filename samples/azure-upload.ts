/**
 * Uploads local files into Azure Storage as a publisher would: a VHD as a page blob (only its
 * non-zero 4 MiB ranges, so a sparse 30 GiB image costs almost nothing) and small files as block
 * blobs, each returned as a read-only SAS URL. Used by the demo and the tests.
 */
import fs from 'node:fs';
import { BlobSASPermissions, type BlobServiceClient } from '@azure/storage-blob';
import { LOGO_SIZES, type LogoKind } from '../domain/offer';
import { MiB } from '../domain/units';
import { pngBuffer } from './png-writer';

const CHUNK = 4 * MiB; // the largest page write Azure accepts

export async function uploadVhdAsPageBlob(blobs: BlobServiceClient, containerName: string, blobName: string, filePath: string): Promise<string> {
  const container = blobs.getContainerClient(containerName);
  await container.createIfNotExists();
  const size = fs.statSync(filePath).size;
  if (size % 512 !== 0) throw new Error(`${filePath}: a page blob needs a length that is a multiple of 512 (got ${size})`);
  const page = container.getPageBlobClient(blobName);
  await page.create(size);
  const fd = fs.openSync(filePath, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    const zeros = Buffer.alloc(CHUNK);
    for (let offset = 0; offset < size; offset += CHUNK) {
      const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, size - offset), offset);
      // A native compare: scanning a sparse GiB byte by byte in JS takes seconds.
      if (!buf.subarray(0, n).equals(zeros.subarray(0, n))) await page.uploadPages(Buffer.from(buf.subarray(0, n)), offset, n);
    }
  } finally {
    fs.closeSync(fd);
  }
  return readSasUrl(blobs, containerName, blobName);
}

export async function uploadBlockBlob(
  blobs: BlobServiceClient,
  containerName: string,
  blobName: string,
  body: Buffer,
  contentType: string,
): Promise<string> {
  const container = blobs.getContainerClient(containerName);
  await container.createIfNotExists();
  await container.getBlockBlobClient(blobName).uploadData(body, { blobHTTPHeaders: { blobContentType: contentType } });
  return readSasUrl(blobs, containerName, blobName);
}

/** PNG logos of the four sizes the marketplace requires, uploaded under `prefix/`, as SAS URLs by kind. */
export async function uploadSampleLogos(blobs: BlobServiceClient, containerName: string, prefix: string): Promise<Record<LogoKind, string>> {
  const entries = await Promise.all(
    (Object.entries(LOGO_SIZES) as Array<[LogoKind, { width: number; height: number }]>).map(async ([kind, { width, height }]) => {
      const url = await uploadBlockBlob(blobs, containerName, `${prefix}/logo-${width}x${height}.png`, pngBuffer(width, height), 'image/png');
      return [kind, url] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<LogoKind, string>;
}

/** A read-only SAS URL valid for a week: long enough for a publish that waits days for sign-off. */
export async function readSasUrl(blobs: BlobServiceClient, containerName: string, blobName: string): Promise<string> {
  return blobs
    .getContainerClient(containerName)
    .getBlobClient(blobName)
    .generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 7 * 24 * 3600 * 1000) });
}
