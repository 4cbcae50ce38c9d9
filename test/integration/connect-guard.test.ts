/**
 * The Azure Table client connects through the lead URL policy's agent (lib/net/guarded-connect.ts):
 * with loopback allowed (URL_ALLOW_LOOPBACK, development) the embedded Azurite on 127.0.0.1 takes
 * the test lead; without it the same endpoint is refused before a connection is made.
 */
import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { sendAzureTableTestLead } from '../../activities/package/leads/azure-table';
import { buildTestLead } from '../../activities/package/leads/test-lead';
import { ErrorType } from '../../domain/errors';
import type { UrlPolicy } from '../../lib/net/url-policy';
import { testServices } from '../helpers/services';

const lead = buildTestLead({ publisherId: 'contoso', offerId: 'web-appliance', runId: randomUUID() }, 'Contoso Web Appliance');

describe('the Azure Table lead under the connect-time address check', () => {
  const table = `Leads${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const keys = { partitionKey: 'contoso.web-appliance', rowKey: `test-${randomUUID()}` };

  it('reaches Azurite on loopback when the policy allows loopback', async () => {
    const cs = testServices().storageConnectionString;
    const dev: UrlPolicy = { allowedHosts: ['*'], allowLoopback: true, timeoutMs: 5000 };
    const outcome = await sendAzureTableTestLead({ connectionString: cs, tableName: table }, lead, keys, dev);
    expect(outcome.delivered).toBe(true);
    const written = await TableClient.fromConnectionString(cs, table, { allowInsecureConnection: true }).getEntity(keys.partitionKey, keys.rowKey);
    expect(written.CustomerInfo).toContain(lead.customer.Email);
  });

  it('is refused for good when it does not, after one lookup and no retry', async () => {
    // A name resolving to Azurite's address: the Table client's own connection is what gets checked.
    const endpoint = new URL(testServices().storageConnectionString.match(/TableEndpoint=([^;]+)/i)![1]);
    const cs = `DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=${Buffer.from('key').toString('base64')};TableEndpoint=https://table.rebind.example:${endpoint.port}${endpoint.pathname}`;
    let queries = 0;
    const strict: UrlPolicy = {
      allowedHosts: ['*'],
      allowLoopback: false,
      timeoutMs: 5000,
      resolver: async () => {
        queries++;
        return [endpoint.hostname];
      },
    };
    await expect(sendAzureTableTestLead({ connectionString: cs, tableName: table }, lead, keys, strict)).rejects.toMatchObject({
      type: ErrorType.LeadDestinationNotAllowed,
      nonRetryable: true,
      message: expect.stringMatching(/the host table\.rebind\.example cannot be reached: only names/),
    });
    // One attempt: the SDK does not retry a refusal.
    expect(queries).toBe(1);
  });
});
