/**
 * Offer snapshots: the draft a publisher submitted, stored by the API before the workflow starts.
 * The workflow carries only the blob name, so SAS URLs and lead secrets stay out of its history.
 *
 * At rest the secret fields (lib/offer/secret-fields.ts) are sealed with AES-256-GCM under
 * OFFER_SECRETS_KEY, bound to the blob's name: a dump of the storage account alone reveals the
 * offer's content but none of its credentials. Once the run has ended and the retention has
 * passed, the sealed part is removed (activities/retention); the rest of the draft is kept.
 */
import { randomUUID } from 'node:crypto';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { OfferDraft } from '../../domain/offer';
import { putSecrets, takeSecrets, type SecretValue } from '../offer/secret-fields';
import { open, seal, SealedBoxError, type SealedBox } from '../secrets/sealed-box';
import { CONTAINERS } from './layout';
import { container, readJson } from './json-blobs';
import { statusOf } from './rest-errors';

/** What reads and writes snapshots: the control account and the key (ActivityDeps and the API's deps have both). */
export interface SnapshotStore {
  blobs: BlobServiceClient;
  config: { offerSecretsKey?: Buffer };
}

export const SNAPSHOT_FORMAT = 'offer-snapshot/1';
const KEY_NAME = 'OFFER_SECRETS_KEY';
/** Blob metadata set when the secrets are removed, so a sweep skips the blob without reading it. */
const META_SECRETS_REMOVED = 'secretsremovedat';

/** A snapshot blob: the offer without its secret fields, and those fields sealed (until retention removes them). */
export interface StoredSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  offer: OfferDraft;
  secrets?: SealedBox;
  secretsRemovedAt?: string;
}

/** Snapshots written before encryption are the bare draft: still read, and stripped by retention. */
const isStored = (doc: unknown): doc is StoredSnapshot => (doc as StoredSnapshot | null)?.format === SNAPSHOT_FORMAT;

/** The additional data a snapshot's box is bound to: its format and blob name. */
const sealContext = (offerRef: string) => `${SNAPSHOT_FORMAT}\n${offerRef}`;

export async function saveOfferSnapshot(store: SnapshotStore, publisherId: string, offerId: string, offer: OfferDraft): Promise<string> {
  const key = store.config.offerSecretsKey;
  if (!key) throw new Error(`${KEY_NAME} is not set: offer snapshots are stored with their secrets encrypted under it (npm start generates one in .data/)`);
  const ref = `${publisherId}/${offerId}/${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.json`;
  const { offer: rest, secrets } = takeSecrets(offer);
  const doc: StoredSnapshot = { format: SNAPSHOT_FORMAT, offer: rest, secrets: seal(key, Buffer.from(JSON.stringify(secrets), 'utf8'), sealContext(ref)) };
  await writeSnapshot(store.blobs, ref, doc);
  return ref;
}

/** The draft with its secrets; throws, saying why, when they cannot be opened or were removed. */
export async function loadOfferSnapshot(store: SnapshotStore, offerRef: string): Promise<OfferDraft> {
  const doc = await readJson<StoredSnapshot | OfferDraft>(store.blobs, CONTAINERS.offerSnapshots, offerRef);
  if (!doc) throw new Error(`offer snapshot ${offerRef} not found`);
  if (!isStored(doc)) return doc;
  if (!doc.secrets) {
    throw new Error(`offer snapshot ${offerRef}: its secrets were removed ${doc.secretsRemovedAt ?? ''} after its run ended (OFFER_SNAPSHOT_RETENTION); publish again`);
  }
  let secrets: SecretValue[];
  try {
    secrets = JSON.parse(open(store.config.offerSecretsKey, doc.secrets, sealContext(offerRef), KEY_NAME).toString('utf8')) as SecretValue[];
  } catch (err) {
    if (err instanceof SealedBoxError) throw new Error(`offer snapshot ${offerRef} cannot be read: ${err.message}`);
    throw err;
  }
  return putSecrets(doc.offer, secrets);
}

/** Removes a snapshot whose publish was refused (409), so refused requests leave nothing behind. */
export async function deleteOfferSnapshot(blobs: BlobServiceClient, offerRef: string): Promise<void> {
  await blobs.getContainerClient(CONTAINERS.offerSnapshots).getBlobClient(offerRef).deleteIfExists();
}

/** A stored snapshot as listed: whose it is, when it was written, whether its secrets are gone. */
export interface SnapshotEntry {
  offerRef: string;
  publisherId: string;
  offerId: string;
  createdAt: Date;
  etag: string;
  secretsRemoved: boolean;
}

/** When the API wrote the snapshot, from its name (`…/2025-01-31T12-00-00-000Z-<uuid>.json`); undefined for another name. */
function writtenAt(offerRef: string): Date | undefined {
  const m = /\/(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z-[^/]*$/.exec(offerRef);
  return m ? new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : undefined;
}

/** Every snapshot (none when the container does not exist yet), without reading their bodies. */
export async function* listOfferSnapshots(blobs: BlobServiceClient): AsyncGenerator<SnapshotEntry> {
  try {
    for await (const b of blobs.getContainerClient(CONTAINERS.offerSnapshots).listBlobsFlat({ includeMetadata: true })) {
      const [publisherId, offerId] = b.name.split('/');
      yield {
        offerRef: b.name,
        publisherId,
        offerId,
        // The name's time stays when retention rewrites the blob.
        createdAt: writtenAt(b.name) ?? b.properties.createdOn ?? b.properties.lastModified,
        etag: b.properties.etag ?? '',
        secretsRemoved: META_SECRETS_REMOVED in (b.metadata ?? {}),
      };
    }
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

/**
 * Rewrites the snapshot without its secret fields (sealed or, in a snapshot from before
 * encryption, in clear). `etag`: only if the blob is still that version. Returns false when the
 * blob is gone or changed meanwhile.
 */
export async function removeOfferSnapshotSecrets(blobs: BlobServiceClient, offerRef: string, etag?: string, now = new Date()): Promise<boolean> {
  const doc = await readJson<StoredSnapshot | OfferDraft>(blobs, CONTAINERS.offerSnapshots, offerRef);
  if (!doc) return false;
  const offer = isStored(doc) ? doc.offer : takeSecrets(doc).offer;
  const stripped: StoredSnapshot = { format: SNAPSHOT_FORMAT, offer, secretsRemovedAt: now.toISOString() };
  try {
    await writeSnapshot(blobs, offerRef, stripped, { [META_SECRETS_REMOVED]: stripped.secretsRemovedAt! }, etag);
    return true;
  } catch (err) {
    if (statusOf(err) === 412 || statusOf(err) === 404) return false;
    throw err;
  }
}

async function writeSnapshot(blobs: BlobServiceClient, offerRef: string, doc: StoredSnapshot, metadata?: Record<string, string>, ifMatch?: string): Promise<void> {
  const body = JSON.stringify(doc, null, 2);
  const c = await container(blobs, CONTAINERS.offerSnapshots);
  await c.getBlockBlobClient(offerRef).upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: 'application/json' },
    metadata,
    conditions: ifMatch ? { ifMatch } : undefined,
  });
}
