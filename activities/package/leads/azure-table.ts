/**
 * Test lead into the publisher's Azure Table: writes the lead entity, reads it back and compares.
 * The connection string comes from the offer snapshot and is never echoed: messages name the
 * account, table and what to check. Rejected credentials and bad settings are publisher-fixable
 * (non-retryable); network and server errors are retried.
 */
import { AzureNamedKeyCredential, AzureSASCredential, TableClient } from '@azure/data-tables';
import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig } from '../../../config/env';
import { AZURITE_DEV_CONNECTION_STRING } from '../../../config/azurite-accounts';
import type { LeadDeliveryOutcome } from '../../../domain/status';
import { assertUrlAllowed, resolveAndCheck, UrlPolicyError } from '../../../lib/net/url-policy';
import { scrubbed, scrubSecrets, statusOf } from '../../../lib/storage/rest-errors';
import type { TestLead } from './test-lead';

export const DEFAULT_LEAD_TABLE = 'MarketplaceLeads';
const FIELD = 'leadDestination.connectionString';

export interface AzureTableDestination {
  connectionString?: string;
  tableName?: string;
}

interface TableTarget {
  account: string;
  endpoint: URL;
  credential: AzureNamedKeyCredential | AzureSASCredential;
}

const invalid = (why: string) =>
  ApplicationFailure.nonRetryable(`${FIELD} is not a usable Azure Storage connection string: ${why}.`, 'LeadDestinationInvalid');

/** Parses the parts we need; throws a publisher-readable failure that never quotes the string. */
export function parseTableConnectionString(connectionString: string): TableTarget {
  const parts = new Map<string, string>();
  for (const piece of connectionString.split(';')) {
    const p = piece.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq <= 0) throw invalid('expected Name=value pairs separated by ";"');
    parts.set(p.slice(0, eq).toLowerCase(), p.slice(eq + 1).trim());
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') return parseTableConnectionString(AZURITE_DEV_CONNECTION_STRING);

  const accountName = parts.get('accountname');
  const key = parts.get('accountkey');
  const sas = parts.get('sharedaccesssignature');
  const explicit = parts.get('tableendpoint');
  const protocol = parts.get('defaultendpointsprotocol') ?? 'https';
  const endpointText = explicit ?? (accountName ? `${protocol}://${accountName}.table.${parts.get('endpointsuffix') ?? 'core.windows.net'}` : undefined);
  if (!endpointText) throw invalid('it has neither TableEndpoint nor AccountName');
  let endpoint: URL;
  try {
    endpoint = new URL(endpointText);
  } catch {
    throw invalid('its table endpoint is not a URL');
  }
  // Path-style endpoints (emulators, IP hosts) carry the account in the path.
  const account = accountName ?? (endpoint.pathname.split('/')[1] || endpoint.hostname.split('.')[0]);
  if (key !== undefined) {
    if (!accountName) throw invalid('AccountKey needs AccountName');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw invalid('AccountKey is not base64');
    return { account, endpoint, credential: new AzureNamedKeyCredential(accountName, key) };
  }
  if (sas) return { account, endpoint, credential: new AzureSASCredential(sas.replace(/^\?/, '')) };
  throw invalid('it has neither AccountKey nor SharedAccessSignature');
}

/** `AzureTable <account>/<table>` for the status, or a placeholder when the string is unusable. */
export function describeAzureTableDestination(dest: AzureTableDestination): string {
  const table = dest.tableName?.trim() || DEFAULT_LEAD_TABLE;
  try {
    return `AzureTable ${parseTableConnectionString(dest.connectionString ?? '').account}/${table}`;
  } catch {
    return `AzureTable (invalid connection string)/${table}`;
  }
}

const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

export async function sendAzureTableTestLead(
  dest: AzureTableDestination,
  lead: TestLead,
  keys: { partitionKey: string; rowKey: string },
  urlPolicy: AppConfig['urlPolicy'],
  now = new Date(),
): Promise<LeadDeliveryOutcome> {
  if (!dest.connectionString?.trim()) throw invalid('it is empty');
  const table = dest.tableName?.trim() || DEFAULT_LEAD_TABLE;
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(table)) {
    throw ApplicationFailure.nonRetryable(
      'leadDestination.tableName must be 3–63 letters and digits, starting with a letter.',
      'LeadDestinationInvalid',
    );
  }
  const target = parseTableConnectionString(dest.connectionString);
  const where = `table ${table} in storage account ${target.account}`;
  try {
    await resolveAndCheck(assertUrlAllowed(target.endpoint.href, urlPolicy), urlPolicy);
  } catch (err) {
    if (!(err instanceof UrlPolicyError)) throw scrubbed(`Resolving the table endpoint of ${where} failed`, err);
    throw ApplicationFailure.nonRetryable(`The table endpoint in ${FIELD} is not allowed: ${scrubSecrets(err.message)}`, 'LeadDestinationNotAllowed');
  }
  const insecure = target.endpoint.protocol === 'http:';
  if (insecure && !isLoopback(target.endpoint.hostname)) {
    throw ApplicationFailure.nonRetryable(`The table endpoint in ${FIELD} must use https.`, 'LeadDestinationNotAllowed');
  }
  const url = target.endpoint.href.replace(/\/$/, '');
  const options = { allowInsecureConnection: insecure, retryOptions: { maxRetries: 2 } }; // Temporal retries; keep one attempt short
  const cred = target.credential;
  const client = cred instanceof AzureSASCredential ? new TableClient(url, table, cred, options) : new TableClient(url, table, cred, options);

  const entity = {
    partitionKey: keys.partitionKey,
    rowKey: keys.rowKey,
    ActionCode: lead.actionCode,
    CreatedTime: now.toISOString(),
    LeadSource: lead.leadSource,
    OfferDisplayName: lead.offerTitle,
    Description: lead.description,
    CustomerInfo: JSON.stringify(lead.customer),
  };
  try {
    try {
      await client.upsertEntity(entity, 'Replace');
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      // Only now create the table, so a SAS without create permission works on an existing table.
      await client.createTable();
      await client.upsertEntity(entity, 'Replace');
    }
    const back = await client.getEntity<Record<string, unknown>>(keys.partitionKey, keys.rowKey);
    const differing = (Object.keys(entity) as Array<keyof typeof entity>).filter((k) => back[k] !== entity[k]);
    return {
      destination: `AzureTable ${target.account}/${table}`,
      at: now.toISOString(),
      delivered: differing.length === 0,
      detail: differing.length
        ? `the test lead ${keys.rowKey} was written to ${where} but read back with different ${differing.join(', ')}`
        : `test lead ${keys.rowKey} written to ${where} and read back`,
    };
  } catch (err) {
    throw classify(err, where);
  }
}

function classify(err: unknown, where: string): Error {
  const status = statusOf(err);
  if (status === 401 || status === 403) {
    return ApplicationFailure.nonRetryable(
      `The storage account rejected the credentials in ${FIELD} when writing the test lead to ${where} (HTTP ${status}): ` +
        'check AccountName and AccountKey, or that the SharedAccessSignature is valid, not expired, and allows ' +
        'add, update and query on tables (and create, if the table does not exist yet).',
      'LeadDestinationRejected',
    );
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return ApplicationFailure.nonRetryable(
      `The table service refused the test lead for ${where} (HTTP ${status}): check the TableEndpoint/AccountName and tableName in leadDestination.`,
      'LeadDestinationRejected',
    );
  }
  return scrubbed(`Sending the test lead to ${where} failed`, err);
}
