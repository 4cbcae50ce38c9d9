/**
 * Offer snapshots at rest, in Azurite: the secret fields are encrypted (a dump of the blob shows
 * none of them), reading back needs the key and says clearly when it is missing or another one,
 * and retention removes the secrets once the run has ended and the retention has passed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import type { OfferDraft } from '../../domain/offer';
import { sweepOfferSnapshots, type OfferRun } from '../../activities/retention';
import { readText, writeJson } from '../../lib/storage/json-blobs';
import { CONTAINERS } from '../../lib/storage/layout';
import { loadOfferSnapshot, saveOfferSnapshot } from '../../lib/storage/offer-snapshots';
import { validOffer } from '../../samples/offer';
import { testServices } from '../helpers/services';

const SECRETS = /OSSIG|DATASIG|LOGOSIG|TABLEKEY|hooks\/TOKEN|sig=|AccountKey|blob\.core\.windows\.net/;
const DAY = 24 * 3600_000;

function offerWithSecrets(): OfferDraft {
  const offer = validOffer({
    osVhdUrl: 'https://contoso.blob.core.windows.net/images/os.vhd?sv=2024&sig=OSSIG',
    dataDiskUrls: ['https://contoso.blob.core.windows.net/images/d0.vhd?sig=DATASIG'],
    logos: {
      small: 'https://contoso.blob.core.windows.net/logos/s.png?sp=rl&sig=LOGOSIG',
      medium: 'https://contoso.blob.core.windows.net/logos/m.png?sp=rl&sig=LOGOSIG',
      large: 'https://contoso.blob.core.windows.net/logos/l.png?sp=rl&sig=LOGOSIG',
      wide: 'https://contoso.blob.core.windows.net/logos/w.png?sp=rl&sig=LOGOSIG',
    },
  });
  return { ...offer, leadDestination: { type: 'AzureTable', connectionString: 'DefaultEndpointsProtocol=https;AccountName=leads;AccountKey=TABLEKEY', tableName: 'Leads' } };
}

describe('offer snapshots at rest', () => {
  const blobs = BlobServiceClient.fromConnectionString(testServices().storageConnectionString);
  const key = randomBytes(32);
  const store = { blobs, config: { offerSecretsKey: key } };
  const raw = async (ref: string) => (await readText(blobs, CONTAINERS.offerSnapshots, ref))!;
  const createdAt = async (ref: string) => (await blobs.getContainerClient(CONTAINERS.offerSnapshots).getBlobClient(ref).getProperties()).createdOn!;

  it('holds no secret in clear, reads back whole with the key, and fails clearly without it or with another', async () => {
    const offer = offerWithSecrets();
    const ref = await saveOfferSnapshot(store, 'contoso', `rest-${randomUUID().slice(0, 8)}`, offer);
    const stored = await raw(ref);
    expect(stored).not.toMatch(SECRETS);
    // The rest of the draft is readable as it was (titles, the table's name).
    expect(JSON.parse(stored)).toMatchObject({ format: 'offer-snapshot/1', offer: { title: offer.title, leadDestination: { type: 'AzureTable', tableName: 'Leads' } } });
    expect(JSON.parse(stored).secrets).toMatchObject({ alg: 'AES-256-GCM' });

    expect(await loadOfferSnapshot(store, ref)).toEqual(offer);
    await expect(loadOfferSnapshot({ blobs, config: {} }, ref)).rejects.toThrow(
      `offer snapshot ${ref} cannot be read: it is encrypted and OFFER_SECRETS_KEY is not set: set it to the key it was written with`,
    );
    await expect(loadOfferSnapshot({ blobs, config: { offerSecretsKey: randomBytes(32) } }, ref)).rejects.toThrow(/cannot be read: it was encrypted with another key \(key id [0-9a-f]{16}\) than OFFER_SECRETS_KEY/);
    await expect(saveOfferSnapshot({ blobs, config: {} }, 'contoso', 'no-key', offer)).rejects.toThrow(/OFFER_SECRETS_KEY is not set/);

    // A sealed part copied into another snapshot does not open there.
    const other = await saveOfferSnapshot(store, 'contoso', `rest-${randomUUID().slice(0, 8)}`, { title: 'other' });
    await writeJson(blobs, CONTAINERS.offerSnapshots, other, { ...JSON.parse(await raw(other)), secrets: JSON.parse(stored).secrets });
    await expect(loadOfferSnapshot(store, other)).rejects.toThrow(/does not authenticate/);
  });

  describe('retention', () => {
    const retentionMs = 30 * DAY;

    it('keeps the secrets while the run is open and for the retention after it ended, then removes them', async () => {
      const offerId = `retain-${randomUUID().slice(0, 8)}`;
      const offer = offerWithSecrets();
      const ref = await saveOfferSnapshot(store, 'contoso', offerId, offer);
      const written = (await createdAt(ref)).getTime();
      const runs: OfferRun[] = [{ startedAt: new Date(written + 1000) }];
      // Only this test's offer is answered; every other snapshot in the shared account is "cannot tell", so kept.
      const runsOf = async (_p: string, o: string) => (o === offerId ? runs : undefined);

      // Open for longer than the retention: kept.
      await sweepOfferSnapshots(blobs, runsOf, retentionMs, new Date(written + 2 * retentionMs));
      expect(await loadOfferSnapshot(store, ref)).toEqual(offer);

      const closedAt = written + 5 * DAY;
      runs[0].closedAt = new Date(closedAt);
      await sweepOfferSnapshots(blobs, runsOf, retentionMs, new Date(closedAt + retentionMs - 60_000));
      expect(await loadOfferSnapshot(store, ref)).toEqual(offer);

      const swept = await sweepOfferSnapshots(blobs, runsOf, retentionMs, new Date(closedAt + retentionMs));
      expect(swept.removed).toBe(1);
      const stored = await raw(ref);
      expect(stored).not.toMatch(SECRETS);
      expect(JSON.parse(stored)).toMatchObject({ format: 'offer-snapshot/1', offer: { title: offer.title } });
      expect(JSON.parse(stored).secrets).toBeUndefined();
      await expect(loadOfferSnapshot(store, ref)).rejects.toThrow(/its secrets were removed .* after its run ended \(OFFER_SNAPSHOT_RETENTION\)/);
      // Done once: the next sweep skips it without reading it.
      expect((await sweepOfferSnapshots(blobs, runsOf, retentionMs, new Date(closedAt + 2 * retentionMs))).removed).toBe(0);
    });

    it('strips a snapshot written in clear before encryption, which still reads until then', async () => {
      const offerId = `legacy-${randomUUID().slice(0, 8)}`;
      const offer = offerWithSecrets();
      const ref = `contoso/${offerId}/2024-01-01T00-00-00-000Z-${randomUUID()}.json`;
      await writeJson(blobs, CONTAINERS.offerSnapshots, ref, offer);
      expect(await loadOfferSnapshot(store, ref)).toEqual(offer);

      const written = (await createdAt(ref)).getTime();
      const runsOf = async (_p: string, o: string) => (o === offerId ? [{ startedAt: new Date(written), closedAt: new Date(written + DAY) }] : undefined);
      await sweepOfferSnapshots(blobs, runsOf, retentionMs, new Date(written + DAY + retentionMs));
      const stored = await raw(ref);
      expect(stored).not.toMatch(SECRETS);
      expect(JSON.parse(stored).offer.skus[0].diskVersions[0]).toEqual({ version: '1.0.0', dataDisks: [{ lun: 0 }] });
    });
  });
});
