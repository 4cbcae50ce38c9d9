/**
 * The Azure Storage connection string of an AzureTable lead destination, read by one reader: the
 * validate step reports its problems on the field, the lead sender connects with what it yields.
 * So a string validate accepts is one the sender can use. Problems never quote the string (it
 * holds a key or a SAS).
 */
import { AZURITE_DEV_CONNECTION_STRING } from '../../config/azurite-accounts';

export interface TableConnection {
  /** The storage account, for messages. */
  account: string;
  endpoint: URL;
  /** Shared-key credentials; when absent, `sas` is set. */
  sharedKey?: { accountName: string; accountKey: string };
  /** A SAS token, without the leading "?". */
  sas?: string;
}

export type TableConnectionReading = { connection: TableConnection; problems: [] } | { connection?: undefined; problems: string[] };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** An absolute http(s) URL with a host and no user:password@. */
function endpointUrl(text: string): URL | undefined {
  try {
    const u = new URL(text);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname && !u.username && !u.password ? u : undefined;
  } catch {
    return undefined;
  }
}

/** The connection, or what is wrong with the string: phrases that follow "The connection string …". */
export function readTableConnectionString(value: string): TableConnectionReading {
  const pairs = new Map<string, string>();
  for (const part of value.split(';').map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) return { problems: ['is not a list of Key=Value pairs separated by ";"'] };
    pairs.set(part.slice(0, i).trim().toLowerCase(), part.slice(i + 1).trim());
  }
  if (pairs.size === 0) return { problems: ['is empty'] };
  if (pairs.get('usedevelopmentstorage')?.toLowerCase() === 'true') return readTableConnectionString(AZURITE_DEV_CONNECTION_STRING);

  const problems: string[] = [];
  const accountName = pairs.get('accountname');
  const accountKey = pairs.get('accountkey');
  const sas = pairs.get('sharedaccesssignature')?.replace(/^\?/, '');
  if (!(accountName && accountKey) && !sas) problems.push('needs AccountName and AccountKey, or SharedAccessSignature');
  if (accountKey !== undefined && !BASE64.test(accountKey)) problems.push('has an AccountKey that is not base64');
  if (accountKey && !accountName && sas) problems.push('has an AccountKey without its AccountName');
  if (accountName !== undefined && !/^[a-z0-9]{3,24}$/.test(accountName)) {
    problems.push('has an AccountName that is not a storage account name (3–24 lower-case letters and digits)');
  }
  const protocol = pairs.get('defaultendpointsprotocol') ?? 'https';
  if (protocol !== 'https' && protocol !== 'http') problems.push('has a DefaultEndpointsProtocol other than https or http');

  const explicit = pairs.get('tableendpoint');
  let endpoint: URL | undefined;
  if (explicit !== undefined) {
    endpoint = endpointUrl(explicit);
    if (!endpoint) problems.push('has a TableEndpoint that is not an http(s) URL');
  } else if (!accountName) {
    problems.push('has no table endpoint: add TableEndpoint=https://<account>.table.core.windows.net');
  } else {
    endpoint = endpointUrl(`${protocol}://${accountName}.table.${pairs.get('endpointsuffix') ?? 'core.windows.net'}`);
    if (!endpoint) problems.push('has an EndpointSuffix that makes no table endpoint URL');
  }
  if (problems.length > 0 || !endpoint) return { problems };

  // Path-style endpoints (emulators, IP hosts) carry the account in the path.
  const account = accountName ?? (endpoint.pathname.split('/')[1] || endpoint.hostname.split('.')[0]);
  const sharedKey = accountName && accountKey ? { accountName, accountKey } : undefined;
  return { connection: { account, endpoint, ...(sharedKey ? { sharedKey } : { sas }) }, problems: [] };
}
