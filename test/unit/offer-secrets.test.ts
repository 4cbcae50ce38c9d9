/**
 * The secrets of offer snapshots, without storage: which fields are secret, the sealed box they
 * are kept in (AES-256-GCM), the key's configuration, and when a snapshot's run counts as ended.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../config/env';
import { AZURITE_DEV_CONNECTION_STRING } from '../../config/azurite-accounts';
import type { OfferDraft } from '../../domain/offer';
import { putSecrets, takeSecrets } from '../../lib/offer/secret-fields';
import { keyIdOf, open, seal, SealedBoxError } from '../../lib/secrets/sealed-box';
import { snapshotRunEnded } from '../../activities/retention';
import { validOffer } from '../../samples/offer';

const REAL_CONTROL = 'DefaultEndpointsProtocol=https;AccountName=offerscontrol;AccountKey=Y29udHJvbC1rZXk=;EndpointSuffix=core.windows.net';
const REAL_REGIONS = JSON.stringify({ '*': REAL_CONTROL });

function offerWithSecrets(): OfferDraft {
  const offer = validOffer({
    osVhdUrl: 'https://contoso.blob.core.windows.net/images/os.vhd?sv=2024&sig=OSSIG',
    dataDiskUrls: ['https://contoso.blob.core.windows.net/images/d0.vhd?sig=DATASIG'],
    logos: { small: 'https://contoso.blob.core.windows.net/logos/s.png?sp=rl&sig=LOGOSIG' } as never,
  });
  return { ...offer, leadDestination: { type: 'AzureTable', connectionString: 'AccountName=leads;AccountKey=TABLEKEY', tableName: 'Leads' } };
}

describe('secret fields of an offer', () => {
  it('takes every image URL, logo URL and lead secret out, by path, and puts them back where they were', () => {
    const offer = offerWithSecrets();
    const { offer: rest, secrets } = takeSecrets(offer);
    expect(secrets.map(([path]) => path).sort()).toEqual(
      [
        'skus[0].diskVersions[0].osVhdUrl',
        'skus[0].diskVersions[0].dataDisks[0].vhdUrl',
        'logos.small',
        'logos.medium',
        'logos.large',
        'logos.wide',
        'leadDestination.connectionString',
      ].sort(),
    );
    expect(JSON.stringify(rest)).not.toMatch(/SIG|TABLEKEY|blob\.core/);
    // What is not secret stays: the table name, LUNs, titles.
    expect(rest.leadDestination).toEqual({ type: 'AzureTable', tableName: 'Leads' });
    expect(rest.skus![0].diskVersions![0].dataDisks).toEqual([{ lun: 0 }]);
    expect(rest.title).toBe(offer.title);
    expect(putSecrets(rest, secrets)).toEqual(offer);
    // The offer given is not changed.
    expect(offer.logos!.small).toContain('LOGOSIG');
  });

  it('covers the Https URL and the Dynamics 365 client secret, and leaves offers without secrets alone', () => {
    const https = takeSecrets({ leadDestination: { type: 'Https', url: 'https://crm.example/hooks/T0K3N?code=K' } });
    expect(https.secrets).toEqual([['leadDestination.url', 'https://crm.example/hooks/T0K3N?code=K']]);
    const d365 = takeSecrets({ leadDestination: { type: 'Dynamics365', instanceUrl: 'https://org.crm.dynamics.com', tenantId: 't', clientId: 'c', clientSecret: 'S3CRET' } });
    expect(d365.secrets).toEqual([['leadDestination.clientSecret', 'S3CRET']]);
    expect(d365.offer.leadDestination).toEqual({ type: 'Dynamics365', instanceUrl: 'https://org.crm.dynamics.com', tenantId: 't', clientId: 'c' });
    expect(takeSecrets({ title: 'x', leadDestination: null, skus: [{ diskVersions: [{}] }] }).secrets).toEqual([]);
  });
});

describe('sealed box (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const plaintext = Buffer.from('{"secret":"value"}');

  it('opens with the key and the same context, and holds nothing in clear', () => {
    const box = seal(key, plaintext, 'offer-snapshot/1\ncontoso/a.json');
    expect(JSON.stringify(box)).not.toContain('value');
    expect(box).toMatchObject({ alg: 'AES-256-GCM', keyId: keyIdOf(key) });
    expect(open(key, box, 'offer-snapshot/1\ncontoso/a.json', 'KEY').equals(plaintext)).toBe(true);
    // A fresh IV each time: the same secret never gives the same bytes.
    expect(seal(key, plaintext, 'c').data).not.toBe(seal(key, plaintext, 'c').data);
  });

  it('fails clearly without a key, with another key, when altered, or moved to another document', () => {
    const box = seal(key, plaintext, 'doc-a');
    expect(() => open(undefined, box, 'doc-a', 'OFFER_SECRETS_KEY')).toThrow(new SealedBoxError('it is encrypted and OFFER_SECRETS_KEY is not set: set it to the key it was written with'));
    const other = randomBytes(32);
    expect(() => open(other, box, 'doc-a', 'OFFER_SECRETS_KEY')).toThrow(`encrypted with another key (key id ${keyIdOf(key)}) than OFFER_SECRETS_KEY (key id ${keyIdOf(other)})`);
    expect(() => open(key, box, 'doc-b', 'K')).toThrow(/does not authenticate/);
    const flipped = Buffer.from(box.data, 'base64');
    flipped[0] ^= 1;
    expect(() => open(key, { ...box, data: flipped.toString('base64') }, 'doc-a', 'K')).toThrow(/does not authenticate/);
    expect(() => open(key, { ...box, tag: box.tag.slice(0, 8) }, 'doc-a', 'K')).toThrow(/does not authenticate/);
  });
});

describe('OFFER_SECRETS_KEY and OFFER_SNAPSHOT_RETENTION', () => {
  const configError = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('expected a configuration error');
  };

  it('reads a 32-byte base64 key and a retention with its unit (default 30 days)', () => {
    const key = randomBytes(32);
    const config = loadConfig({ OFFER_SECRETS_KEY: key.toString('base64'), OFFER_SNAPSHOT_RETENTION: '12h' });
    expect(config.offerSecretsKey!.equals(key)).toBe(true);
    expect(config.offerSnapshotRetentionMs).toBe(12 * 3600_000);
    expect(loadConfig({}).offerSnapshotRetentionMs).toBe(30 * 24 * 3600_000);
    // The embedded Azurite may run without one (saving a snapshot then says so).
    expect(loadConfig({ AZURE_STORAGE_CONNECTION_STRING: AZURITE_DEV_CONNECTION_STRING }).offerSecretsKey).toBeUndefined();
  });

  it('requires the key with a real storage account, and refuses a malformed one without quoting it', () => {
    expect(configError({ AZURE_STORAGE_CONNECTION_STRING: REAL_CONTROL, REGION_STORAGE: REAL_REGIONS })).toMatch(
      /OFFER_SECRETS_KEY: required when AZURE_STORAGE_CONNECTION_STRING is not Azurite/,
    );
    for (const bad of ['c2hvcnQta2V5', randomBytes(32).toString('hex'), `${randomBytes(32).toString('base64')}!!`]) {
      const message = configError({ OFFER_SECRETS_KEY: bad });
      expect(message).toMatch(/OFFER_SECRETS_KEY: must be 32 bytes in base64/);
      expect(message).not.toContain(bad);
    }
    for (const bad of ['30', 'forever', '-1d']) expect(configError({ OFFER_SNAPSHOT_RETENTION: bad })).toMatch(/OFFER_SNAPSHOT_RETENTION: must be a duration/);
  });
});

describe('when the run of a snapshot ended', () => {
  const at = (min: number) => new Date(Date.UTC(2025, 0, 1, 12, min));
  const snapshot = { createdAt: at(0) };

  it('is never while a run that started after the snapshot was written is open', () => {
    expect(snapshotRunEnded(snapshot, undefined, [{ startedAt: at(0) }])).toBeUndefined();
    // An earlier run, closed, does not count; nor does one that started after the next snapshot.
    expect(snapshotRunEnded(snapshot, at(30), [{ startedAt: at(-60), closedAt: at(-50) }, { startedAt: at(1), closedAt: at(20) }, { startedAt: at(40) }])).toEqual(at(20));
  });

  it('is the latest close of its runs, or shortly after it was written when no run started (a refused start)', () => {
    expect(snapshotRunEnded(snapshot, undefined, [{ startedAt: at(1), closedAt: at(40) }])).toEqual(at(40));
    expect(snapshotRunEnded(snapshot, undefined, [])).toEqual(at(10));
  });
});
