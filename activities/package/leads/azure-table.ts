/**
 * Test lead into the publisher's Azure Table: writes the lead entity, reads it back and compares.
 * The connection string comes from the offer snapshot and is never echoed: messages name the
 * account, table and what to check. Rejected credentials and bad settings are publisher-fixable
 * (non-retryable); network and server errors are retried. The table client connects through the
 * lead URL policy's agent, so every connection it makes passes the address rule when it connects.
 */
import { AzureNamedKeyCredential, AzureSASCredential, TableClient } from '@azure/data-tables';
import { ErrorType, publisherFailure } from '../../../domain/errors';
import type { LeadDeliveryOutcome } from '../../../domain/status';
import { AZURE_TABLE_NAME } from '../../../lib/offer/lead-formats';
import { readTableConnectionString } from '../../../lib/storage/table-connection-string';
import { assertUrlAllowed, BlockedByPolicyError, isBlockedByPolicy, isLoopbackHost, policyNodeAgent, UrlPolicyError, type UrlPolicy } from '../../../lib/net/url-policy';
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

const invalid = (why: string) => publisherFailure(ErrorType.LeadDestinationInvalid, `${FIELD} is not a usable Azure Storage connection string: ${why}.`);

/** Reads the string as validate does; throws a publisher-readable failure that never quotes it. */
export function parseTableConnectionString(connectionString: string): TableTarget {
  const { connection: c, problems } = readTableConnectionString(connectionString);
  if (!c) throw invalid(`it ${problems.join('; it ')}`);
  const credential = c.sharedKey ? new AzureNamedKeyCredential(c.sharedKey.accountName, c.sharedKey.accountKey) : new AzureSASCredential(c.sas ?? '');
  return { account: c.account, endpoint: c.endpoint, credential };
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

export async function sendAzureTableTestLead(
  dest: AzureTableDestination,
  lead: TestLead,
  keys: { partitionKey: string; rowKey: string },
  urlPolicy: UrlPolicy,
  now = new Date(),
): Promise<LeadDeliveryOutcome> {
  if (!dest.connectionString?.trim()) throw invalid('it is empty');
  const table = dest.tableName?.trim() || DEFAULT_LEAD_TABLE;
  if (!AZURE_TABLE_NAME.test(table)) {
    throw publisherFailure(ErrorType.LeadDestinationInvalid, 'leadDestination.tableName must be 3–63 letters and digits, starting with a letter.');
  }
  const target = parseTableConnectionString(dest.connectionString);
  const where = `table ${table} in storage account ${target.account}`;
  const notAllowed = (why: string) => publisherFailure(ErrorType.LeadDestinationNotAllowed, `The table endpoint in ${FIELD} is not allowed: ${scrubSecrets(why)}`);
  try {
    assertUrlAllowed(target.endpoint.href, urlPolicy);
  } catch (err) {
    if (!(err instanceof UrlPolicyError)) throw err;
    throw notAllowed(err.message);
  }
  const insecure = target.endpoint.protocol === 'http:';
  if (insecure && !isLoopbackHost(target.endpoint.hostname)) {
    throw publisherFailure(ErrorType.LeadDestinationNotAllowed, `The table endpoint in ${FIELD} must use https.`);
  }
  const url = target.endpoint.href.replace(/\/$/, '');
  const options = {
    allowInsecureConnection: insecure,
    retryOptions: { maxRetries: 2 }, // Temporal retries; keep one attempt short
    agent: policyNodeAgent(urlPolicy, target.endpoint),
  };
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
    // The SDK rewraps the agent's refusal in a RestError that keeps its code and message.
    if (isBlockedByPolicy(err)) throw notAllowed(new BlockedByPolicyError(target.endpoint.hostname, target.endpoint).message);
    throw classify(err, where);
  }
}

function classify(err: unknown, where: string): Error {
  const status = statusOf(err);
  if (status === 401 || status === 403) {
    return publisherFailure(
      ErrorType.LeadDestinationRejected,
      `The storage account rejected the credentials in ${FIELD} when writing the test lead to ${where} (HTTP ${status}): ` +
        'check AccountName and AccountKey, or that the SharedAccessSignature is valid, not expired, and allows ' +
        'add, update and query on tables (and create, if the table does not exist yet).',
    );
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return publisherFailure(
      ErrorType.LeadDestinationRejected,
      `The table service refused the test lead for ${where} (HTTP ${status}): check the TableEndpoint/AccountName and tableName in leadDestination.`,
    );
  }
  return scrubbed(`Sending the test lead to ${where} failed`, err);
}
