/**
 * Offer snapshots: the draft a publisher submitted, stored by the API before the workflow starts.
 * The workflow carries only the blob name, so SAS URLs and lead secrets stay out of its history.
 */
import { randomUUID } from 'node:crypto';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { OfferDraft } from '../../domain/offer';
import { CONTAINERS } from './layout';
import { readJson, writeJson } from './json-blobs';

export async function saveOfferSnapshot(blobs: BlobServiceClient, publisherId: string, offerId: string, offer: OfferDraft): Promise<string> {
  const ref = `${publisherId}/${offerId}/${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.json`;
  await writeJson(blobs, CONTAINERS.offerSnapshots, ref, offer);
  return ref;
}

export async function loadOfferSnapshot(blobs: BlobServiceClient, offerRef: string): Promise<OfferDraft> {
  const offer = await readJson<OfferDraft>(blobs, CONTAINERS.offerSnapshots, offerRef);
  if (!offer) throw new Error(`offer snapshot ${offerRef} not found`);
  return offer;
}

/** Removes a snapshot whose publish was refused (409), so refused requests leave nothing behind. */
export async function deleteOfferSnapshot(blobs: BlobServiceClient, offerRef: string): Promise<void> {
  await blobs.getContainerClient(CONTAINERS.offerSnapshots).getBlobClient(offerRef).deleteIfExists();
}
