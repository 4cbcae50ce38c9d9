/** Packaging: product page, logos copied into the catalog, preview pointer, sanitizer, and the AzureTable test lead in Azurite. */
import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { ApplicationFailure } from '@temporalio/common';
import { loadConfig } from '../../config/env';
import type { PublishPlan, RunRef } from '../../domain/pipeline';
import type { OfferDraft } from '../../domain/offer';
import { createActivityDeps, type ActivityDeps } from '../../activities/deps';
import { sanitizeHtml } from '../../lib/html/sanitize';
import { packageOffer } from '../../activities/package';
import { parseTableConnectionString } from '../../activities/package/leads/azure-table';
import type { ProductPage } from '../../lib/product-page/model';
import { readPreviewPage, readPreviewPointer } from '../../lib/storage/catalog';
import { readJson, readText } from '../../lib/storage/json-blobs';
import { CONTAINERS, previewPageBlobName, reportBlobName } from '../../lib/storage/layout';
import { saveOfferSnapshot } from '../../lib/storage/offer-snapshots';
import { cleanupRun } from '../../lib/storage/run-replicas';
import { uploadBlockBlob, uploadSampleLogos } from '../../samples/azure-upload';
import { pngBuffer } from '../../samples/png-writer';
import { testServices } from '../helpers/services';
import { TEST_OFFER_SECRETS_KEY } from '../helpers/offer-secrets';
import { ErrorType } from '../../domain/errors';

function makeDeps(env: Record<string, string> = {}): ActivityDeps {
  const s = testServices();
  return createActivityDeps(loadConfig({ AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString, SMTP_URL: s.smtpUrl, URL_ALLOW_LOOPBACK: 'true', OFFER_SECRETS_KEY: TEST_OFFER_SECRETS_KEY, ...env }));
}

/** A deployment that restricts where lead endpoints may be (the default, `*`, allows any public host). */
const restrictedLeadHosts = () => makeDeps({ LEAD_URL_ALLOWED_HOSTS: '.table.core.windows.net' });

describe('sanitizeHtml', () => {
  const cases: Array<[string, string]> = [
    ['<p>Hello <b>world</b></p>', '<p>Hello <b>world</b></p>'],
    ['<P CLASS="x" onclick="alert(1)">Hi</P>', '<p>Hi</p>'],
    ['<p>a<script>alert("x")</script>b</p>', '<p>ab</p>'],
    ['<style>body{display:none}</style><p>x</p>', '<p>x</p>'],
    ['<SCRIPT src=//evil></SCRIPT >ok', 'ok'],
    ['<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="jav&#x61;script&colon;alert(1)">x</a>', '<a>x</a>'],
    ['<a href=" JaVaScRiPt:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', '<a>x</a>'],
    ['<a href="https://contoso.com/a?b=1&amp;c=2" target="_blank" onmouseover="x()">docs</a>', '<a href="https://contoso.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">docs</a>'],
    ['<img src=x onerror=alert(1)><iframe src="https://evil"></iframe>text', 'text'],
    ['<ul><li>one<li>two</ul>', '<ul><li>one<li>two</li></li></ul>'],
    ['<h2>T</h2><em>e</em><i>i</i><u>u</u><strong>s</strong><ol><li>x</li></ol><br/>', '<h2>T</h2><em>e</em><i>i</i><u>u</u><strong>s</strong><ol><li>x</li></ol><br>'],
    ['<b>unclosed <i>tags', '<b>unclosed <i>tags</i></b>'],
    ['</p>stray</b> end', 'stray end'],
    ['<!-- <script>alert(1)</script> -->after', 'after'],
    // As in browsers, `<script` here is an attribute of the unknown tag `scr`.
    ['<scr<script>x</script>ipt>alert(1)', 'xipt&gt;alert(1)'],
    ['<p title="a>b" onclick=x>q</p>', '<p>q</p>'],
    ['1 < 2 && 3 > 2 &amp; &lt;tag&gt;', '1 &lt; 2 &amp;&amp; 3 &gt; 2 &amp; &lt;tag&gt;'],
    ['<svg><script>alert(1)</script></svg>after', 'after'],
    ['<a href="https://a.example/"><a href="https://b.example/">x</a></a>', '<a href="https://a.example/" rel="nofollow noopener noreferrer"></a><a href="https://b.example/" rel="nofollow noopener noreferrer">x</a>'],
    ['<p>unterminated <b', '<p>unterminated </p>'],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(sanitizeHtml(input)).toBe(expected);
  });
});

describe('parseTableConnectionString', () => {
  it('derives the endpoint and account and never needs the key in messages', () => {
    const t = parseTableConnectionString('DefaultEndpointsProtocol=https;AccountName=contosoleads;AccountKey=AAAA;EndpointSuffix=core.windows.net');
    expect(t.endpoint.href).toBe('https://contosoleads.table.core.windows.net/');
    expect(t.account).toBe('contosoleads');
    for (const bad of ['garbage', 'AccountName=x', 'AccountName=x;AccountKey=not base64!', 'TableEndpoint=::;AccountName=x;AccountKey=AAAA']) {
      let err: unknown;
      try {
        parseTableConnectionString(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ type: ErrorType.LeadDestinationInvalid, nonRetryable: true });
      expect((err as Error).message).not.toContain('base64!');
    }
  });
});

describe('packageOffer', () => {
  const deps = makeDeps();
  const s = testServices();
  const subscription = '6F1A2B3C-0000-4000-8000-00000000ABCD';
  /** The publisher's small logo, behind a read SAS, in the publisher's own container. */
  let smallLogo: string;
  beforeAll(async () => {
    smallLogo = (await uploadSampleLogos(deps.blobs, 'publisher-uploads', `package-${randomUUID().slice(0, 8)}`)).small;
  });

  function offerWith(leadDestination: OfferDraft['leadDestination']): OfferDraft {
    return {
      title: 'Contoso <Web> Appliance',
      summary: 'A web appliance',
      longSummary: 'A longer summary of the web appliance',
      description:
        '<p>Fast &amp; <b>safe</b>.</p><script>steal()</script><p onclick="steal()">Click</p>' +
        '<a href="javascript:steal()">bad</a> <a href="https://contoso.com/docs">docs</a>',
      categories: ['networking'],
      logos: { small: smallLogo, medium: 'javascript:alert(1)' },
      privacyPolicyUrl: 'https://contoso.com/privacy',
      termsOfUse: 'Use it well.',
      usefulLinks: [{ name: 'Guide', url: 'https://contoso.com/guide' }],
      contacts: {
        engineering: { name: 'Eng Secret', email: 'eng-private@contoso.com', phone: '111' },
        support: { name: 'Support', email: 'support@contoso.com', phone: '222', url: 'https://contoso.com/support' },
      },
      preview: { subscriptionIds: [subscription] },
      leadDestination,
      skus: [
        {
          skuId: 'standard',
          title: 'Standard',
          summary: 'Standard plan',
          description: 'The standard plan',
          os: { family: 'Linux', type: 'Ubuntu', friendlyName: 'Ubuntu 22.04 LTS' },
          recommendedVmSizes: ['Standard_D2s_v5'],
          openPorts: [{ name: 'https', protocol: 'TCP', port: 443 }],
          diskVersions: [
            {
              version: '1.0.0',
              osVhdUrl: 'http://127.0.0.1:1/devstoreaccount1/images/os.vhd?sv=2020&sig=SECRETSIG',
              dataDisks: [{ lun: 0, vhdUrl: 'http://127.0.0.1:1/devstoreaccount1/images/d0.vhd?sig=SECRETSIG' }],
            },
          ],
        },
      ],
    };
  }

  const plan: PublishPlan = { title: 'Contoso Web Appliance', disks: [], osFamilyBySku: { standard: 'Linux' }, leadDestinationType: null };

  async function newRun(draft: OfferDraft): Promise<RunRef> {
    const offerId = `offer-${randomUUID().slice(0, 8)}`;
    const offerRef = await saveOfferSnapshot(deps, 'contoso', offerId, draft);
    return { publisherId: 'contoso', offerId, workflowId: `publish/contoso/${offerId}`, runId: randomUUID(), offerRef };
  }

  it('stores the page (JSON + HTML), sends the AzureTable test lead, reads it back, and points the preview at the run', async () => {
    const tableName = `Leads${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const ref = await newRun(offerWith({ type: 'AzureTable', connectionString: s.storageConnectionString, tableName }));
    const previewUrl = `http://127.0.0.1:3000/api/preview/offers/contoso/${ref.offerId}`;
    const result = await packageOffer(deps, ref, plan, ['eastus', 'westeurope'], previewUrl);

    expect(result.pageRef).toBe(previewPageBlobName(ref, 'json'));
    const page = (await readJson<ProductPage>(deps.blobs, CONTAINERS.preview, result.pageRef))!;
    const html = (await readText(deps.blobs, CONTAINERS.preview, previewPageBlobName(ref, 'html')))!;
    // The logo is ours: a copy in the catalog's storage, served by the API; the publisher's URL (and SAS) is nowhere.
    const logoUrl = `${deps.config.publicBaseUrl}/api/catalog-assets/contoso/${ref.offerId}/${ref.runId}/logos/small`;
    expect(page).toMatchObject({
      title: 'Contoso <Web> Appliance',
      stage: 'preview',
      previewUrl,
      logos: { small: logoUrl },
      support: { email: 'support@contoso.com', url: 'https://contoso.com/support' },
      usefulLinks: [{ name: 'Guide', url: 'https://contoso.com/guide' }],
      regions: ['eastus', 'westeurope'],
    });
    expect(page.descriptionHtml).toBe(
      '<p>Fast &amp; <b>safe</b>.</p><p>Click</p><a>bad</a> <a href="https://contoso.com/docs" rel="nofollow noopener noreferrer">docs</a>',
    );
    expect(page.skus[0]).toEqual({
      skuId: 'standard',
      title: 'Standard',
      summary: 'Standard plan',
      description: 'The standard plan',
      os: { family: 'Linux', type: 'Ubuntu', friendlyName: 'Ubuntu 22.04 LTS' },
      recommendedVmSizes: ['Standard_D2s_v5'],
      openPorts: [{ name: 'https', protocol: 'TCP', port: 443 }],
      diskVersions: [{ version: '1.0.0', diskCount: 2, dataDiskCount: 1 }],
      regions: ['eastus', 'westeurope'],
    });
    expect(Object.keys(page.logos)).toEqual(['small']);
    for (const doc of [JSON.stringify(page), html]) {
      expect(doc).not.toMatch(/SECRETSIG|sig=|publisher-uploads|vhd|eng-private|Eng Secret|steal|javascript:|AccountKey|6f1a2b3c/i);
    }
    const copy = await deps.blobs.getContainerClient(CONTAINERS.catalogAssets).getBlobClient(`contoso/${ref.offerId}/${ref.runId}/logos/small.png`).downloadToBuffer();
    expect(copy.equals(pngBuffer(48, 48))).toBe(true);
    expect(html).toContain('<h1>Contoso &lt;Web&gt; Appliance</h1>');
    expect(html).toContain(`<img src="${logoUrl}"`);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Ubuntu 22.04 LTS');

    const preview = (await readPreviewPage(deps.blobs, 'contoso', ref.offerId))!;
    expect(preview.pointer).toMatchObject({
      runId: ref.runId,
      pageJson: previewPageBlobName(ref, 'json'),
      pageHtml: previewPageBlobName(ref, 'html'),
      subscriptionIds: [subscription.toLowerCase()],
    });
    expect(preview.page.runId).toBe(ref.runId);
    expect(preview.html).toBe(html);

    // The lead: outcome without the key, entity in the publisher's table.
    const account = parseTableConnectionString(s.storageConnectionString).account;
    expect(result.lead).toMatchObject({ destination: `AzureTable ${account}/${tableName}`, delivered: true });
    expect(JSON.stringify(result.lead)).not.toMatch(/AccountKey|Eby8/);
    const table = TableClient.fromConnectionString(s.storageConnectionString, tableName, { allowInsecureConnection: true });
    const entity = await table.getEntity<Record<string, string>>(`contoso.${ref.offerId}`, `test-${ref.runId}`);
    expect(entity).toMatchObject({
      ActionCode: 'INS',
      LeadSource: `AzureMarketplace-INS|contoso.${ref.offerId}`,
      OfferDisplayName: 'Contoso <Web> Appliance',
    });
    expect(new Date(entity.CreatedTime).toString()).not.toBe('Invalid Date');
    const customer = JSON.parse(entity.CustomerInfo);
    expect(customer).toMatchObject({ Phone: '1234567890', Country: 'US' });
    for (const k of ['FirstName', 'LastName', 'Company', 'Title']) expect(customer[k]).toMatch(/^MSFT_TEST_\d+$/);
    expect(customer.Email).toMatch(/^MSFT_TEST_\d+@test\.com$/);

    // A retry writes the same lead again (same RowKey), not a second one.
    const again = await packageOffer(deps, ref, plan, ['eastus', 'westeurope'], previewUrl);
    expect(again.lead?.delivered).toBe(true);
    const rows = [];
    for await (const e of table.listEntities({ queryOptions: { filter: `PartitionKey eq 'contoso.${ref.offerId}'` } })) rows.push(e);
    expect(rows).toHaveLength(1);

    const log = await readJson<{ deliveries: Array<{ delivered: boolean; destination: string }> }>(
      deps.blobs,
      CONTAINERS.reports,
      reportBlobName(ref, 'lead-delivery'),
    );
    expect(log!.deliveries.map((d) => d.delivered)).toEqual([true, true]);
  });

  it('lists, per region, the replicas to deploy from, in the JSON and the HTML page', async () => {
    const ref = await newRun(offerWith(undefined));
    const withDisks: PublishPlan = {
      ...plan,
      disks: [
        { skuId: 'standard', version: '1.0.0', role: 'os', field: 'skus[0].diskVersions[0].osVhdUrl', blobName: 'standard/1.0.0/os.vhd' },
        { skuId: 'standard', version: '1.0.0', role: 'data', lun: 0, field: 'skus[0].diskVersions[0].dataDisks[0].vhdUrl', blobName: 'standard/1.0.0/data0.vhd' },
      ],
    };
    const result = await packageOffer(deps, ref, withDisks, ['eastus', 'westeurope'], 'http://127.0.0.1:3000/preview');
    const page = (await readJson<ProductPage>(deps.blobs, CONTAINERS.preview, result.pageRef))!;
    const html = (await readText(deps.blobs, CONTAINERS.preview, previewPageBlobName(ref, 'html')))!;
    const replica = (region: string, disk: string) => deps.regionAccounts.replicas(region).getBlobClient(`${ref.publisherId}/${ref.offerId}/${ref.runId}/standard/1.0.0/${disk}`).url;
    expect(page.deployFrom).toEqual(
      ['eastus', 'westeurope'].map((region) => ({
        region,
        images: [
          { skuId: 'standard', version: '1.0.0', role: 'os', url: replica(region, 'os.vhd') },
          { skuId: 'standard', version: '1.0.0', role: 'data', lun: 0, url: replica(region, 'data0.vhd') },
        ],
      })),
    );
    expect(replica('eastus', 'os.vhd')).toMatch(/\/imgeastus\/replicas-eastus\//);
    expect(html).toContain('<summary>Images replicated to 2 regions</summary>');
    expect(html).toContain(`<tr><td rowspan="2">westeurope</td><td>standard 1.0.0 OS disk</td><td><code>${replica('westeurope', 'os.vhd')}</code></td></tr>`);
    expect(html).toContain(`<tr><td>standard 1.0.0 data disk, LUN 0</td><td><code>${replica('westeurope', 'data0.vhd')}</code></td></tr>`);
    expect(html).not.toMatch(/SECRETSIG|sig=/);
  });

  it('fails for good on a logo that cannot be copied or is no longer the PNG validate accepted, and removes copies with the run', async () => {
    const gone = smallLogo.replace(/logo-48x48\.png/, 'no-such-logo.png');
    const missing = await newRun({ ...offerWith(null), logos: { small: gone } });
    const err = (await packageOffer(deps, missing, plan, ['eastus'], 'http://x/preview').catch((e: unknown) => e)) as ApplicationFailure;
    expect(err).toMatchObject({ type: ErrorType.LogoNotReadable, nonRetryable: true });
    expect(err.message).toMatch(/^The small logo at logos\.small could not be copied into the catalog \(HTTP 404\)/);
    expect(err.message).not.toMatch(/sig=/);
    expect(await readPreviewPointer(deps.blobs, 'contoso', missing.offerId)).toBeUndefined();

    const wrongSize = await uploadBlockBlob(deps.blobs, 'publisher-uploads', `package-${randomUUID().slice(0, 8)}/logo.png`, pngBuffer(90, 90), 'image/png');
    const changed = await newRun({ ...offerWith(null), logos: { small: wrongSize } });
    await expect(packageOffer(deps, changed, plan, ['eastus'], 'http://x/preview')).rejects.toMatchObject({
      type: ErrorType.LogoNotReadable,
      message: 'The small logo at logos.small changed since validation and now is 90×90 pixels: it must be exactly 48×48 pixels; then publish again.',
    });

    const ok = await newRun(offerWith(null));
    await packageOffer(deps, ok, plan, ['eastus'], 'http://x/preview');
    const assets = deps.blobs.getContainerClient(CONTAINERS.catalogAssets);
    expect(await assets.getBlobClient(`contoso/${ok.offerId}/${ok.runId}/logos/small.png`).exists()).toBe(true);
    expect(await cleanupRun(deps, ok, ['eastus'])).toMatchObject({ assetsDeleted: 1 });
    expect(await assets.getBlobClient(`contoso/${ok.offerId}/${ok.runId}/logos/small.png`).exists()).toBe(false);
  });

  it('fails for good on rejected credentials, names what to check, never echoes the key, and publishes no preview', async () => {
    const wrongKey = Buffer.from('wrong-key-'.repeat(6)).toString('base64');
    const cs = s.storageConnectionString.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`);
    const ref = await newRun(offerWith({ type: 'AzureTable', connectionString: cs }));
    const err = await packageOffer(deps, ref, plan, ['eastus'], 'http://x/preview').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: ErrorType.LeadDestinationRejected, nonRetryable: true });
    expect((err as Error).message).toMatch(/AccountName and AccountKey/);
    expect((err as Error).message).toContain('MarketplaceLeads');
    expect((err as Error).message).not.toContain(wrongKey);
    expect(await readPreviewPointer(deps.blobs, 'contoso', ref.offerId)).toBeUndefined();
    const log = await readJson<{ deliveries: Array<{ delivered: boolean; detail: string }> }>(deps.blobs, CONTAINERS.reports, reportBlobName(ref, 'lead-delivery'));
    expect(log!.deliveries).toEqual([expect.objectContaining({ delivered: false })]);
    expect(JSON.stringify(log)).not.toContain(wrongKey);
  });

  it('a table endpoint outside the lead URL policy is publisher-fixable', async () => {
    const cs = 'DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=AAAA;TableEndpoint=https://leads.internal.example/;';
    const ref = await newRun(offerWith({ type: 'AzureTable', connectionString: cs }));
    await expect(packageOffer(restrictedLeadHosts(), ref, plan, ['eastus'], 'http://x/preview')).rejects.toMatchObject({
      type: ErrorType.LeadDestinationNotAllowed,
      nonRetryable: true,
    });
  });

  it('an Https endpoint outside the lead URL policy fails for good and is logged; no destination means no lead', async () => {
    // Delivery to Https, Salesforce, Marketo and Dynamics365 is tested in leads.test.ts.
    const ref = await newRun(offerWith({ type: 'Https', url: 'https://crm.contoso.com/leads?code=KEY123' }));
    await expect(packageOffer(restrictedLeadHosts(), ref, plan, ['eastus'], 'http://x/preview')).rejects.toMatchObject({
      type: ErrorType.LeadDestinationNotAllowed,
      nonRetryable: true,
    });
    expect(await readPreviewPointer(deps.blobs, 'contoso', ref.offerId)).toBeUndefined();
    const log = await readJson<{ deliveries: Array<{ destination: string; delivered: boolean }> }>(deps.blobs, CONTAINERS.reports, reportBlobName(ref, 'lead-delivery'));
    expect(log!.deliveries).toEqual([expect.objectContaining({ destination: 'Https crm.contoso.com/leads', delivered: false })]);
    expect(JSON.stringify(log)).not.toContain('KEY123');

    const none = await newRun(offerWith(null));
    expect((await packageOffer(deps, none, plan, ['eastus'], 'http://x/preview')).lead).toBeUndefined();
  });
});
