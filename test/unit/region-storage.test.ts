/** REGION_STORAGE: each region's account, from configuration or (embedded) one Azurite account per region. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../../config/env';
import { AZURITE_DEV_CONNECTION_STRING, azuriteAccountsEnv, emulatorRegionAccount } from '../../config/azurite-accounts';
import { DEFAULT_REGIONS } from '../../domain/regions';

const REAL_CONTROL = 'DefaultEndpointsProtocol=https;AccountName=offerscontrol;AccountKey=Y29udHJvbC1rZXk=;EndpointSuffix=core.windows.net';
/** A real control account needs OFFER_SECRETS_KEY too (test/unit/offer-secrets.test.ts). */
const SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');
const account = (name: string) => `DefaultEndpointsProtocol=https;AccountName=${name};AccountKey=c2VjcmV0LWtleS0${name}=;EndpointSuffix=core.windows.net`;

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('region storage', () => {
  it('embedded: every region gets its own Azurite account on the control account’s emulator', () => {
    const config = loadConfig({ AZURE_STORAGE_CONNECTION_STRING: AZURITE_DEV_CONNECTION_STRING.replace(/10000/g, '41000') });
    expect([...config.regionStorage.keys()]).toEqual(DEFAULT_REGIONS);
    const names = new Set<string>();
    for (const [region, cs] of config.regionStorage) {
      const { name, key } = emulatorRegionAccount(region);
      expect(cs).toBe(`DefaultEndpointsProtocol=http;AccountName=${name};AccountKey=${key};BlobEndpoint=http://127.0.0.1:41000/${name};`);
      expect(name).toMatch(/^[a-z0-9]{3,24}$/);
      names.add(name);
    }
    expect(names.size).toBe(DEFAULT_REGIONS.length);
    // Azurite is started with exactly these accounts, plus the development account.
    const served = azuriteAccountsEnv(DEFAULT_REGIONS).split(';').map((a) => a.split(':')[0]);
    expect(served).toEqual(['devstoreaccount1', ...names]);
    expect(loadConfig({ AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }).regionStorage.get('eastus')).toContain(
      'BlobEndpoint=http://127.0.0.1:10000/imgeastus;',
    );
  });

  it('shortens long region names into distinct valid account names', () => {
    const a = emulatorRegionAccount('averyveryverylongregionnamewest');
    const b = emulatorRegionAccount('averyveryverylongregionnameeast');
    expect(a.name).toMatch(/^[a-z0-9]{24}$/);
    expect(a.name).not.toBe(b.name);
    expect(a.key).not.toBe(b.key);
  });

  it('takes a region → connection string map from JSON or a file, with "*" for the rest', () => {
    const map = { eastus: account('offerseastus'), '*': account('offersshared') };
    const config = loadConfig({ AZURE_STORAGE_CONNECTION_STRING: REAL_CONTROL, OFFER_SECRETS_KEY: SECRETS_KEY, REGIONS: 'eastus,westeurope', REGION_STORAGE: JSON.stringify(map) });
    expect(Object.fromEntries(config.regionStorage)).toEqual({ eastus: map.eastus, westeurope: map['*'] });

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'region-storage-')), 'regions.json');
    fs.writeFileSync(file, JSON.stringify({ eastus: account('a1'), westeurope: account('a2') }));
    const fromFile = loadConfig({ AZURE_STORAGE_CONNECTION_STRING: REAL_CONTROL, OFFER_SECRETS_KEY: SECRETS_KEY, REGIONS: 'eastus,westeurope', REGION_STORAGE: `@${file}` });
    expect(fromFile.regionStorage.get('westeurope')).toBe(account('a2'));
  });

  it('refuses incomplete or malformed configuration, naming the problem but never a connection string', () => {
    const base = { AZURE_STORAGE_CONNECTION_STRING: REAL_CONTROL, REGIONS: 'eastus,westeurope,japaneast' };
    expect(configError(base)).toMatch(/REGION_STORAGE: required when AZURE_STORAGE_CONNECTION_STRING is not Azurite/);
    expect(configError({ ...base, REGION_STORAGE: JSON.stringify({ eastus: account('a1') }) })).toMatch(
      /REGION_STORAGE: no storage for westeurope, japaneast/,
    );
    expect(configError({ ...base, REGION_STORAGE: '{eastus:' })).toMatch(/REGION_STORAGE: not valid JSON/);
    expect(configError({ ...base, REGION_STORAGE: '@/nonexistent/regions.json' })).toMatch(/REGION_STORAGE: cannot read \/nonexistent\/regions.json \(ENOENT\)/);
    const notAConnectionString = configError({ ...base, REGION_STORAGE: JSON.stringify({ '*': 'AccountKey=c2VjcmV0' }) });
    expect(notAConnectionString).toMatch(/REGION_STORAGE: \*: must be a storage connection string/);
    expect(notAConnectionString).not.toContain('c2VjcmV0');
    expect(configError({ ...base, REGION_STORAGE: JSON.stringify({ 'East US': account('a1') }) })).toMatch(/keys are region names/);
  });
});
