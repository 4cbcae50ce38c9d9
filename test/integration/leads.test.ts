/** Test-lead delivery to HTTPS, Salesforce, Marketo and Dynamics 365, against local receivers. */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { loadConfig } from '../../config/env';
import type { OfferDraft } from '../../domain/offer';
import type { PublishPlan, RunRef } from '../../domain/pipeline';
import { createActivityDeps } from '../../activities/deps';
import { sendDynamics365TestLead } from '../../activities/package/leads/dynamics365';
import { sendHttpsTestLead } from '../../activities/package/leads/https';
import { parseTableConnectionString } from '../../activities/package/leads/azure-table';
import { sendMarketoTestLead } from '../../activities/package/leads/marketo';
import { sendSalesforceTestLead } from '../../activities/package/leads/salesforce';
import { buildTestLead } from '../../activities/package/leads/test-lead';
import { checkOfferContent } from '../../activities/validate/rules';
import { validOffer } from '../../samples/offer';
import { packageOffer } from '../../activities/package';
import { readPreviewPointer } from '../../lib/storage/catalog';
import { readJson } from '../../lib/storage/json-blobs';
import { CONTAINERS, reportBlobName } from '../../lib/storage/layout';
import { saveOfferSnapshot } from '../../lib/storage/offer-snapshots';
import {
  startDynamicsReceiver,
  startHttpsReceiver,
  startMarketoReceiver,
  startSalesforceReceiver,
  type LeadReceiver,
} from '../fixtures/lead-receivers';
import { testServices } from '../helpers/services';
import { TEST_OFFER_SECRETS_KEY } from '../helpers/offer-secrets';
import { ErrorType } from '../../domain/errors';
import { failure } from '../helpers/failure';

const policy = { allowedHosts: [] as string[], allowLoopback: true, timeoutMs: 5000 };
const lead = buildTestLead({ publisherId: 'contoso', offerId: 'web-appliance', runId: randomUUID() }, 'Contoso Web Appliance');
const marker = lead.customer.FirstName;
const now = new Date('2026-01-02T03:04:05Z');

const receivers: LeadReceiver[] = [];
async function track<T extends LeadReceiver>(r: Promise<T>): Promise<T> {
  const started = await r;
  receivers.push(started);
  return started;
}
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

/** Retryable means a plain Error, or an ApplicationFailure that is not non-retryable. */
const isRetryable = (err: Error) => !(err instanceof ApplicationFailure && err.nonRetryable);

/** A port with nothing listening. */
async function closedPort(): Promise<string> {
  const r = await startSalesforceReceiver();
  await r.close();
  return r.url;
}

describe('Https', () => {
  it('POSTs the marker lead as JSON; the outcome shows host and path, never the key in the query', async () => {
    const key = 'FUNCTIONKEY-s3cr3t';
    const r = await track(startHttpsReceiver({ key }));
    const url = `${r.url}/leads?code=${key}`;
    const outcome = await sendHttpsTestLead({ url }, lead, policy, now);
    expect(outcome).toEqual({
      destination: `Https ${new URL(r.url).host}/leads`,
      at: now.toISOString(),
      delivered: true,
      detail: expect.stringContaining('HTTP 200'),
    });
    expect(JSON.stringify(outcome)).not.toContain(key);
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0].headers['content-type']).toMatch(/^application\/json/);
    expect(r.requests[0].json).toEqual({
      ActionCode: 'INS',
      OfferTitle: 'Contoso Web Appliance',
      LeadSource: 'AzureMarketplace-INS|contoso.web-appliance',
      Description: lead.description,
      UserDetails: { Company: marker, Country: 'US', Email: `${marker}@test.com`, FirstName: marker, LastName: marker, Phone: '1234567890', Title: marker },
    });
    expect(marker).toMatch(/^MSFT_TEST_\d+$/);
  });

  it('a refusal is non-retryable, names the status and what to check, and never shows the query', async () => {
    const r = await track(startHttpsReceiver({ key: 'right-key' }));
    const denied = await failure(sendHttpsTestLead({ url: `${r.url}/leads?code=WRONG-KEY-123` }, lead, policy));
    expect(denied).toMatchObject({ type: ErrorType.LeadDestinationRejected, nonRetryable: true });
    expect(denied.message).toMatch(/HTTP 401/);
    expect(denied.message).toContain(`${new URL(r.url).host}/leads`);
    expect(denied.message).toContain('leadDestination.url');
    expect(denied.message).not.toContain('WRONG-KEY-123');

    const missing = await failure(sendHttpsTestLead({ url: `${r.url}/nothing-here?code=right-key` }, lead, policy));
    expect(missing).toMatchObject({ nonRetryable: true });
    expect(missing.message).toMatch(/HTTP 404/);
    expect(missing.message).not.toContain('right-key');
  });

  it('5xx and network failures are retryable', async () => {
    const r = await track(startHttpsReceiver());
    r.failNext(503);
    const err = await failure(sendHttpsTestLead({ url: `${r.url}/leads?sig=SECRET` }, lead, policy));
    expect(isRetryable(err)).toBe(true);
    expect(err.message).toMatch(/HTTP 503/);
    expect(err.message).not.toContain('SECRET');
    // The retry gets through.
    expect((await sendHttpsTestLead({ url: `${r.url}/leads` }, lead, policy)).delivered).toBe(true);

    const down = await failure(sendHttpsTestLead({ url: `${await closedPort()}/leads?sig=SECRET` }, lead, policy));
    expect(isRetryable(down)).toBe(true);
    expect(down.message).not.toContain('SECRET');
  });

  it('URLs outside the URL policy are refused for good, without a request', async () => {
    for (const url of ['http://leads.contoso.example/in', 'https://leads.contoso.example/in', 'https://user:pw@127.0.0.1/x']) {
      const err = await failure(sendHttpsTestLead({ url }, lead, policy));
      expect(err).toMatchObject({ type: ErrorType.LeadDestinationNotAllowed, nonRetryable: true });
      expect(err.message).toContain('leadDestination.url');
      expect(err.message).not.toContain('pw@');
    }
    await expect(sendHttpsTestLead({ url: '' }, lead, policy)).rejects.toMatchObject({ type: ErrorType.LeadDestinationInvalid, nonRetryable: true });
  });
});

describe('Salesforce Web-to-Lead', () => {
  const orgId = '00D5g000004ABCDEAA';

  it('form-POSTs the marker lead with the oid', async () => {
    const r = await track(startSalesforceReceiver());
    const endpoint = `${r.url}/servlet/servlet.WebToLead?encoding=UTF-8`;
    const outcome = await sendSalesforceTestLead({ orgId }, lead, policy, now, endpoint);
    expect(outcome).toMatchObject({ destination: `Salesforce org ${orgId}`, at: now.toISOString(), delivered: true });
    expect(outcome.detail).toMatch(/does not confirm/);
    expect(r.requests[0].headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(r.requests[0].query.get('encoding')).toBe('UTF-8');
    expect(r.requests[0].form).toEqual({
      oid: orgId,
      first_name: marker,
      last_name: marker,
      email: `${marker}@test.com`,
      company: marker,
      phone: '1234567890',
      country: 'US',
      title: marker,
      lead_source: lead.leadSource,
      description: expect.stringContaining(lead.description),
    });
  });

  it('an invalid org id fails for good before any request; a refusal is non-retryable; 5xx retries', async () => {
    const r = await track(startSalesforceReceiver());
    const endpoint = `${r.url}/servlet/servlet.WebToLead?encoding=UTF-8`;
    for (const bad of ['', 'ABC', '001000000000000AAA']) {
      await expect(sendSalesforceTestLead({ orgId: bad }, lead, policy, now, endpoint)).rejects.toMatchObject({ type: ErrorType.LeadDestinationInvalid, nonRetryable: true });
    }
    expect(r.requests).toHaveLength(0);

    const refused = await failure(sendSalesforceTestLead({ orgId }, lead, policy, now, `${r.url}/wrong/path`));
    expect(refused).toMatchObject({ type: ErrorType.LeadDestinationRejected, nonRetryable: true });
    expect(refused.message).toMatch(/HTTP 404.*Web-to-Lead/);

    r.failNext(502);
    const err = await failure(sendSalesforceTestLead({ orgId }, lead, policy, now, endpoint));
    expect(isRetryable(err)).toBe(true);
    expect(err.message).toMatch(/HTTP 502/);
    const down = await failure(sendSalesforceTestLead({ orgId }, lead, policy, now, `${await closedPort()}/servlet/servlet.WebToLead`));
    expect(isRetryable(down)).toBe(true);
  });
});

describe('Marketo', () => {
  const dest = { serverId: 'app-ab01.marketo.com', munchkinId: '123-ABC-456', formId: '1001' };

  it('form-POSTs the marker lead with munchkinId and formid, and does not follow the follow-up redirect', async () => {
    const r = await track(startMarketoReceiver('123-ABC-456'));
    const outcome = await sendMarketoTestLead(dest, lead, policy, now, r.url);
    expect(outcome).toMatchObject({ destination: 'Marketo 123-ABC-456 form 1001', at: now.toISOString(), delivered: true });
    expect(outcome.detail).toMatch(/HTTP 302/);
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0].path).toBe('/index.php/leadCapture/save2');
    expect(r.requests[0].headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(r.requests[0].form).toMatchObject({
      munchkinId: '123-ABC-456',
      formid: '1001',
      Email: `${marker}@test.com`,
      FirstName: marker,
      LastName: marker,
      Company: marker,
      Phone: '1234567890',
      Country: 'US',
      Title: marker,
    });
  });

  it('bad settings fail for good; a refusal is non-retryable; 5xx retries', async () => {
    const r = await track(startMarketoReceiver('123-ABC-456'));
    for (const bad of [
      { ...dest, serverId: 'https://app-ab01.marketo.com/' },
      { ...dest, serverId: 'app-ab01.marketo.com:8443' },
      { ...dest, serverId: '10.0.0.1' },
      { ...dest, munchkinId: '123ABC456' },
      { ...dest, formId: 'form-1' },
    ]) {
      await expect(sendMarketoTestLead(bad, lead, policy, now, r.url)).rejects.toMatchObject({ type: ErrorType.LeadDestinationInvalid, nonRetryable: true });
    }
    expect(r.requests).toHaveLength(0);

    const refused = await failure(sendMarketoTestLead({ ...dest, munchkinId: '999-XYZ-999' }, lead, policy, now, r.url));
    expect(refused).toMatchObject({ type: ErrorType.LeadDestinationRejected, nonRetryable: true });
    expect(refused.message).toMatch(/HTTP 403/);
    expect(refused.message).toContain('munchkinId');

    r.failNext(500);
    const err = await failure(sendMarketoTestLead(dest, lead, policy, now, r.url));
    expect(isRetryable(err)).toBe(true);
    expect(err.message).toMatch(/HTTP 500/);
  });

  it('a server id outside marketo.com is a publisher host and goes through the URL policy', async () => {
    const err = await failure(sendMarketoTestLead({ ...dest, serverId: 'forms.internal.example' }, lead, policy, now));
    expect(err).toMatchObject({ type: ErrorType.LeadDestinationNotAllowed, nonRetryable: true });
    expect(err.message).toContain('leadDestination.serverId');
  });
});

describe('Dynamics 365', () => {
  const app = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 'Xy8Q~SUPER-secret-value.123' };

  /** Every text a failure or outcome exposes. */
  const exposed = (x: unknown) => (x instanceof Error ? `${x.message}\n${x.stack}\n${JSON.stringify(x)}` : JSON.stringify(x));

  it('gets an app-only token for <instance>/.default and creates the marker lead', async () => {
    const r = await track(startDynamicsReceiver(app));
    const outcome = await sendDynamics365TestLead({ instanceUrl: `${r.url}/main.aspx?appid=x`, ...app }, lead, policy, now, r.url);
    expect(outcome).toMatchObject({ destination: `Dynamics365 ${new URL(r.url).host}`, at: now.toISOString(), delivered: true });
    expect(outcome.detail).toMatch(/created .*\(lead [0-9a-f-]{36}\) \(HTTP 204\)/);
    expect(exposed(outcome)).not.toContain(app.clientSecret);

    const [token, create] = r.requests;
    expect(token.path).toBe(`/${app.tenantId}/oauth2/v2.0/token`);
    expect(token.form).toEqual({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: `${r.url}/.default` });
    expect(create.path).toBe('/api/data/v9.2/leads');
    expect(create.headers.authorization).toBe(`Bearer ${r.tokens[0]}`);
    expect(create.headers['odata-version']).toBe('4.0');
    expect(create.json).toEqual({
      subject: expect.stringContaining('Contoso Web Appliance'),
      firstname: marker,
      lastname: marker,
      emailaddress1: `${marker}@test.com`,
      companyname: marker,
      telephone1: '1234567890',
      address1_country: 'US',
      jobtitle: marker,
      description: expect.stringContaining(lead.description),
      leadsourcecode: 8,
    });
  });

  it('a wrong secret is non-retryable, says what to check, and never shows the secret', async () => {
    const r = await track(startDynamicsReceiver(app));
    const wrong = 'Wr0ng~secret-NEVER-show';
    const err = await failure(sendDynamics365TestLead({ instanceUrl: r.url, ...app, clientSecret: wrong }, lead, policy, now, r.url));
    expect(err).toMatchObject({ type: ErrorType.LeadDestinationRejected, nonRetryable: true });
    expect(err.message).toMatch(/HTTP 401/);
    expect(err.message).toContain('AADSTS7000215');
    expect(err.message).toMatch(/tenantId, clientId and clientSecret/);
    expect(exposed(err)).not.toContain(wrong);
    expect(r.requests).toHaveLength(1); // no lead without a token

    const badTenant = await failure(sendDynamics365TestLead({ instanceUrl: r.url, ...app, tenantId: 'fabrikam.onmicrosoft.com' }, lead, policy, now, r.url));
    expect(badTenant).toMatchObject({ nonRetryable: true });
    expect(badTenant.message).toContain('AADSTS90002');
    expect(exposed(badTenant)).not.toContain(app.clientSecret);
  });

  it('an app without access to the environment is non-retryable; 5xx from either service retries; no secret or token anywhere', async () => {
    const r = await track(startDynamicsReceiver(app));
    const dest = { instanceUrl: r.url, ...app };
    const send = () => sendDynamics365TestLead(dest, lead, policy, now, r.url);
    const tokenPath = `/${app.tenantId}/oauth2/v2.0/token`;
    const errors: Error[] = [];

    r.failNext(403, 1, '/api/data/v9.2/leads');
    const noAccess = await failure(send());
    errors.push(noAccess);
    expect(noAccess).toMatchObject({ type: ErrorType.LeadDestinationRejected, nonRetryable: true });
    expect(noAccess.message).toMatch(/HTTP 403.*application user/);

    r.failNext(503, 1, tokenPath);
    const tokenDown = await failure(send());
    errors.push(tokenDown);
    expect(isRetryable(tokenDown)).toBe(true);
    expect(tokenDown.message).toMatch(/identity platform.*HTTP 503/);

    r.failNext(500, 1, '/api/data/v9.2/leads');
    const crmDown = await failure(send());
    errors.push(crmDown);
    expect(isRetryable(crmDown)).toBe(true);
    expect(crmDown.message).toMatch(/Dynamics 365 at .*HTTP 500/);

    const loginDown = await failure(sendDynamics365TestLead(dest, lead, policy, now, await closedPort()));
    errors.push(loginDown);
    expect(isRetryable(loginDown)).toBe(true);

    const ok = await send();
    expect(ok.delivered).toBe(true);
    expect(r.tokens.length).toBeGreaterThanOrEqual(3);
    for (const text of [...errors.map(exposed), exposed(ok)]) {
      expect(text).not.toContain(app.clientSecret);
      for (const t of r.tokens) expect(text).not.toContain(t);
    }
  });

  it('bad settings fail for good before the secret is sent; an instance outside the URL policy is refused', async () => {
    const r = await track(startDynamicsReceiver(app));
    for (const bad of [{ instanceUrl: 'not a url' }, { tenantId: 'bad tenant/..' }, { clientId: '' }, { clientSecret: '' }]) {
      const err = await failure(sendDynamics365TestLead({ instanceUrl: r.url, ...app, ...bad }, lead, policy, now, r.url));
      expect(err).toMatchObject({ type: ErrorType.LeadDestinationInvalid, nonRetryable: true });
      expect(exposed(err)).not.toContain(app.clientSecret);
    }
    const outside = await failure(sendDynamics365TestLead({ ...app, instanceUrl: 'https://contoso.crm.internal.example' }, lead, policy, now, r.url));
    expect(outside).toMatchObject({ type: ErrorType.LeadDestinationNotAllowed, nonRetryable: true });
    expect(r.requests).toHaveLength(0);
  });
});

describe('validate and the lead senders: one rule per id', () => {
  type Dest = NonNullable<OfferDraft['leadDestination']>;
  const good: Record<'Salesforce' | 'Marketo' | 'Dynamics365', Dest> = {
    Salesforce: { type: 'Salesforce', orgId: '00D5g000004ABCD' },
    Marketo: { type: 'Marketo', serverId: 'app-ab01.marketo.com', munchkinId: '123-ABC-456', formId: '1001' },
    Dynamics365: { type: 'Dynamics365', instanceUrl: 'http://127.0.0.1:9', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 's3cr3t' },
  };
  // Values on both sides of each rule; "drift" marks those where validate and the sender used to disagree.
  const cases: Array<[keyof typeof good, string, string]> = [
    ['Salesforce', 'orgId', '00D5g000004ABCD'],
    ['Salesforce', 'orgId', '00D5g000004ABCDEAX'],
    ['Salesforce', 'orgId', '0035g000004ABCD'], // drift: a contact id, only a Warning at validate
    ['Salesforce', 'orgId', 'A'.repeat(18)], // drift
    ['Salesforce', 'orgId', '00D5g'],
    ['Marketo', 'serverId', 'app-ab01'], // drift: one label
    ['Marketo', 'serverId', 'https://app-ab01.marketo.com/'], // drift
    ['Marketo', 'serverId', 'app-ab01.marketo.com:8443'], // drift
    ['Marketo', 'serverId', '10.0.0.1'], // drift
    ['Marketo', 'munchkinId', '123ABC456'],
    ['Marketo', 'formId', '12345678901'], // drift: more than 10 digits
    ['Marketo', 'formId', 'form-1'],
    ['Dynamics365', 'tenantId', 'contoso.onmicrosoft.com'], // drift: the sender took domain names, validate only GUIDs
    ['Dynamics365', 'tenantId', 'contoso'],
  ];

  /** Whether the sender takes the settings: anything but LeadDestinationInvalid (the endpoints are closed ports). */
  async function senderAccepts(dest: Dest, closed: string): Promise<boolean> {
    const sent =
      dest.type === 'Salesforce'
        ? sendSalesforceTestLead(dest, lead, policy, now, `${closed}/servlet/servlet.WebToLead`)
        : dest.type === 'Marketo'
          ? sendMarketoTestLead(dest, lead, policy, now, closed)
          : sendDynamics365TestLead(dest as Parameters<typeof sendDynamics365TestLead>[0], lead, policy, now, closed);
    const err = await sent.then(() => undefined, (e: unknown) => e);
    return !(err instanceof ApplicationFailure && err.type === ErrorType.LeadDestinationInvalid);
  }

  const validateAccepts = (dest: Dest, field: string) =>
    !checkOfferContent({ ...validOffer(), leadDestination: dest }).some((f) => f.level === 'Error' && f.field === `leadDestination.${field}`);

  it('validate reports a lead id on its field exactly when the package step would refuse it', async () => {
    const closed = await closedPort();
    for (const dest of Object.values(good)) expect([dest.type, validateAccepts(dest, 'type'), await senderAccepts(dest, closed)]).toEqual([dest.type, true, true]);
    const verdicts = [];
    for (const [type, field, value] of cases) {
      const dest = { ...good[type], [field]: value } as Dest;
      verdicts.push({ type, field, value, validate: validateAccepts(dest, field), sender: await senderAccepts(dest, closed) });
    }
    expect(verdicts.filter((v) => v.validate !== v.sender)).toEqual([]);
    // Not vacuous: both verdicts occur.
    expect(new Set(verdicts.map((v) => v.sender))).toEqual(new Set([true, false]));
  });

  it('validate reports an AzureTable connection string exactly when the lead sender cannot use it', () => {
    const strings = [
      'DefaultEndpointsProtocol=https;AccountName=contosoleads;AccountKey=AAAA;EndpointSuffix=core.windows.net',
      'TableEndpoint=https://contosoleads.table.core.windows.net;SharedAccessSignature=sv=1&sig=abc',
      'UseDevelopmentStorage=true',
      'garbage',
      'AccountName=contosoleads',
      'AccountName=contosoleads;AccountKey=not base64!',
      'TableEndpoint=::;AccountName=contosoleads;AccountKey=AAAA',
      // drift: validate took these, the sender refused them (a key without its account name)…
      'AccountKey=AAAA;SharedAccessSignature=sv=1&sig=abc;TableEndpoint=https://contosoleads.table.core.windows.net',
      // …or the other way round (no storage account name, an unknown protocol, a TableEndpoint with credentials)
      'AccountName=Contoso_Leads;AccountKey=AAAA',
      'DefaultEndpointsProtocol=ftp;AccountName=contosoleads;AccountKey=AAAA',
      'TableEndpoint=https://user:pw@contosoleads.table.core.windows.net;SharedAccessSignature=sv=1&sig=abc',
    ];
    const verdicts = strings.map((connectionString) => {
      const validate = validateAccepts({ type: 'AzureTable', connectionString }, 'connectionString');
      let sender = true;
      try {
        parseTableConnectionString(connectionString);
      } catch (err) {
        expect(err).toMatchObject({ type: ErrorType.LeadDestinationInvalid, nonRetryable: true });
        sender = false;
      }
      return { connectionString, validate, sender };
    });
    expect(verdicts.filter((v) => v.validate !== v.sender)).toEqual([]);
    expect(new Set(verdicts.map((v) => v.sender))).toEqual(new Set([true, false]));
  });
});

describe('packageOffer with an Https destination', () => {
  const s = testServices();
  const deps = createActivityDeps(
    loadConfig({ AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString, SMTP_URL: s.smtpUrl, URL_ALLOW_LOOPBACK: 'true', OFFER_SECRETS_KEY: TEST_OFFER_SECRETS_KEY }),
  );
  const plan: PublishPlan = { title: 'Contoso Web Appliance', disks: [], osFamilyBySku: { standard: 'Linux' }, leadDestinationType: 'Https' };

  async function newRun(leadDestination: OfferDraft['leadDestination']): Promise<RunRef> {
    const offerId = `offer-${randomUUID().slice(0, 8)}`;
    const draft: OfferDraft = {
      title: 'Contoso Web Appliance',
      summary: 'A web appliance',
      description: '<p>Fast</p>',
      preview: { subscriptionIds: ['6F1A2B3C-0000-4000-8000-00000000ABCD'] },
      leadDestination,
      skus: [{ skuId: 'standard', title: 'Standard', os: { family: 'Linux', type: 'Ubuntu', friendlyName: 'Ubuntu 22.04 LTS' } }],
    };
    const offerRef = await saveOfferSnapshot(deps, 'contoso', offerId, draft);
    return { publisherId: 'contoso', offerId, workflowId: `publish/contoso/${offerId}`, runId: randomUUID(), offerRef };
  }

  const deliveries = async (ref: RunRef) =>
    (await readJson<{ deliveries: Array<{ destination: string; delivered: boolean; detail: string }> }>(deps.blobs, CONTAINERS.reports, reportBlobName(ref, 'lead-delivery')))!
      .deliveries;

  it('delivers the marker lead, returns and logs the outcome, and publishes the preview', async () => {
    const r = await track(startHttpsReceiver({ key: 'pkg-key-42' }));
    const ref = await newRun({ type: 'Https', url: `${r.url}/leads?code=pkg-key-42` });
    const result = await packageOffer(deps, ref, plan, ['eastus'], 'http://x/preview');
    const destination = `Https ${new URL(r.url).host}/leads`;
    expect(result.lead).toMatchObject({ destination, delivered: true });
    expect(r.requests).toHaveLength(1);
    const body = r.requests[0].json as { LeadSource: string; UserDetails: Record<string, string> };
    expect(body.LeadSource).toBe(`AzureMarketplace-INS|contoso.${ref.offerId}`);
    expect(body.UserDetails.Email).toMatch(/^MSFT_TEST_\d+@test\.com$/);
    expect(await deliveries(ref)).toEqual([expect.objectContaining({ destination, delivered: true })]);
    expect(JSON.stringify(await deliveries(ref))).not.toContain('pkg-key-42');
    expect(await readPreviewPointer(deps.blobs, 'contoso', ref.offerId)).toBeDefined();
  });

  it('a refused lead fails for good, is logged without the key, and publishes no preview', async () => {
    const r = await track(startHttpsReceiver({ key: 'right' }));
    const ref = await newRun({ type: 'Https', url: `${r.url}/leads?code=wrong-key-77` });
    const err = await failure(packageOffer(deps, ref, plan, ['eastus'], 'http://x/preview'));
    expect(err).toMatchObject({ type: ErrorType.LeadDestinationRejected, nonRetryable: true });
    expect(await readPreviewPointer(deps.blobs, 'contoso', ref.offerId)).toBeUndefined();
    const log = await deliveries(ref);
    expect(log).toEqual([expect.objectContaining({ destination: `Https ${new URL(r.url).host}/leads`, delivered: false, detail: expect.stringMatching(/HTTP 401/) })]);
    expect(JSON.stringify(log)).not.toContain('wrong-key-77');
  });
});
