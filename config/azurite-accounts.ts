/**
 * Storage accounts of the embedded Azurite. Besides Microsoft's development account (the control
 * account), every replication region gets an account of its own, so a replica copy crosses
 * accounts as it does between regions on Azure. Names and keys are derived from the region name:
 * the emulator runs on loopback only, so they are no more secret than the development key.
 */
import { createHash } from 'node:crypto';

export const AZURITE_DEV_ACCOUNT = 'devstoreaccount1';
/** Azurite's well-known development key (public, documented by Microsoft). */
export const AZURITE_DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export const AZURITE_DEV_CONNECTION_STRING =
  `DefaultEndpointsProtocol=http;AccountName=${AZURITE_DEV_ACCOUNT};AccountKey=${AZURITE_DEV_KEY};` +
  `BlobEndpoint=http://127.0.0.1:10000/${AZURITE_DEV_ACCOUNT};TableEndpoint=http://127.0.0.1:10002/${AZURITE_DEV_ACCOUNT};`;

export interface EmulatorAccount {
  name: string;
  key: string;
}

/** `img<region>`, within Azure's 3–24 lower-case letters and digits (longer names are shortened with a hash). */
export function emulatorRegionAccount(region: string): EmulatorAccount {
  const plain = `img${region}`;
  const digest = (s: string) => createHash('sha512').update(s).digest();
  const name = plain.length <= 24 ? plain : `${plain.slice(0, 16)}${digest(plain).toString('hex').slice(0, 8)}`;
  return { name, key: digest(`azurite-region-account:${name}`).toString('base64') };
}

/** The `AZURITE_ACCOUNTS` value that makes Azurite serve the development account and one account per region. */
export function azuriteAccountsEnv(regions: Iterable<string>): string {
  const accounts = [{ name: AZURITE_DEV_ACCOUNT, key: AZURITE_DEV_KEY }, ...[...new Set(regions)].map(emulatorRegionAccount)];
  return accounts.map((a) => `${a.name}:${a.key}`).join(';');
}

/** A region account's connection string on the Azurite whose blob service is at `blobOrigin` (`http://host:port`). */
export function emulatorRegionConnectionString(blobOrigin: string, region: string): string {
  const { name, key } = emulatorRegionAccount(region);
  return `DefaultEndpointsProtocol=http;AccountName=${name};AccountKey=${key};BlobEndpoint=${blobOrigin}/${name};`;
}

/**
 * The blob service origin when `connectionString` is Azurite's development account (explicit
 * endpoints or `UseDevelopmentStorage=true`); undefined for any other account.
 */
export function azuriteBlobOrigin(connectionString: string): string | undefined {
  const parts = new Map(
    connectionString
      .split(';')
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf('=');
        return [kv.slice(0, i).trim().toLowerCase(), kv.slice(i + 1).trim()] as const;
      }),
  );
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') return 'http://127.0.0.1:10000';
  if (parts.get('accountname') !== AZURITE_DEV_ACCOUNT) return undefined;
  const endpoint = parts.get('blobendpoint');
  if (!endpoint) return undefined;
  try {
    return new URL(endpoint).origin;
  } catch {
    return undefined;
  }
}
