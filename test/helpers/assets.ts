/**
 * A publisher's assets in Azurite, as a real publisher would host them: sparse fixed VHDs as page
 * blobs and PNG logos, each behind a read-only SAS URL; and a valid offer pointing at them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { OfferDraft } from '../../domain/offer';
import { uploadSampleLogos, uploadVhdAsPageBlob } from '../../samples/azure-upload';
import { writeSparseVhd, type VhdFixtureOptions } from '../../samples/vhd-writer';
import { GiB, MiB } from '../../domain/units';
import { buildSampleLinuxDisk, type TreeOverrides } from '../../samples/disk-image';
import { validOffer } from '../../samples/offer';

const CONTAINER = 'publisher-uploads';

/**
 * A certifiable Linux OS disk: GPT, an EFI partition and an ext4 root built from a compliant tree
 * (with `overrides` applied), as a sparse 1 GiB fixed VHD.
 */
export async function uploadLinuxImage(blobs: BlobServiceClient, overrides: TreeOverrides = {}): Promise<string> {
  const file = path.join(os.tmpdir(), `e2e-${randomUUID()}.vhd`);
  try {
    await buildSampleLinuxDisk(file, { virtualSize: GiB, overrides });
    return await uploadVhdAsPageBlob(blobs, CONTAINER, `images/${path.basename(file)}`, file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** A disk image `build` writes (e.g. a crafted one from test/fixtures/ext4-image.ts), uploaded as a page blob. */
export async function uploadDiskImage(blobs: BlobServiceClient, build: (file: string) => Promise<unknown>): Promise<string> {
  const file = path.join(os.tmpdir(), `e2e-${randomUUID()}.vhd`);
  try {
    await build(file);
    return await uploadVhdAsPageBlob(blobs, CONTAINER, `images/${path.basename(file)}`, file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** A bare VHD (footer only, no partitions): for checks at the VHD level, which fail before the layers below. */
export async function uploadVhd(blobs: BlobServiceClient, opts: Partial<VhdFixtureOptions> = {}): Promise<string> {
  const file = path.join(os.tmpdir(), `e2e-${randomUUID()}.vhd`);
  try {
    await writeSparseVhd(file, { virtualSize: GiB, ...opts });
    // Something non-zero inside the disk, so a replica's content can be compared.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from('e2e disk content'), 0, 16, 4 * MiB);
    fs.closeSync(fd);
    return await uploadVhdAsPageBlob(blobs, CONTAINER, `images/${path.basename(file)}`, file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

let logos: ReturnType<typeof uploadSampleLogos> | undefined;

/** Uploaded once per test file; every offer of the file points at them. */
export function uploadLogos(blobs: BlobServiceClient): ReturnType<typeof uploadSampleLogos> {
  logos ??= uploadSampleLogos(blobs, CONTAINER, 'logos');
  return logos;
}

/**
 * A valid offer whose images and logos really exist in Azurite: a certifiable Linux image, or,
 * with `vhd`, a bare VHD with those footer properties.
 */
export async function hostedOffer(blobs: BlobServiceClient, vhd?: Partial<VhdFixtureOptions>): Promise<OfferDraft> {
  const [osVhdUrl, logoUrls] = await Promise.all([vhd ? uploadVhd(blobs, vhd) : uploadLinuxImage(blobs), uploadLogos(blobs)]);
  return { ...validOffer({ osVhdUrl, logos: logoUrls }), leadDestination: null };
}

export const uniqueOfferId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
