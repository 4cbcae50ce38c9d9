/**
 * The happy path through the HTTP API, on the real stack: Temporal dev server, Azurite, the mail
 * catcher, the real worker and API. Publish → every step → preview → Go live → Succeeded.
 */
import { TableClient } from '@azure/data-tables';
import { BlobClient } from '@azure/storage-blob';
import { publishWorkflowId } from '../../domain/messages';
import { DEFAULT_REGIONS } from '../../domain/regions';
import { emulatorRegionAccount } from '../../config/azurite-accounts';
import type { PublishStatusBody } from '../../domain/status';
import { runPrefix } from '../../lib/storage/layout';
import { GiB } from '../../domain/units';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { recordHistory } from '../helpers/histories';
import { call, offerPath, stepOf, summarize, waitForStatus } from '../helpers/http';
import { waitForMail } from '../helpers/mail';
import { testServices } from '../helpers/services';
import { OPERATOR_KEY, startStack, type Stack } from '../helpers/stack';
import { startHttpsReceiver } from '../fixtures/lead-receivers';
import { ErrorType } from '../../domain/errors';

const ALLOWED = '0b1f6a3c-2d4e-4f60-8a7b-9c0d1e2f3a4b';
const NOT_ALLOWED = '99999999-2222-4333-8444-555555555555';

describe('publish to live through the HTTP API', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Every default region, each its own storage account, as a real publish would.
    stack = await startStack({ REGIONS: DEFAULT_REGIONS.join(',') });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('validates, certifies, replicates, packages with a test lead, previews, waits for Go live and goes live', async () => {
    const offerId = uniqueOfferId('happy');
    const email = `${offerId}@contoso.example`;
    const tableName = `Leads${offerId.replace(/[^a-z0-9]/gi, '')}`;
    const offer = await hostedOffer(stack.blobs);
    offer.leadDestination = { type: 'AzureTable', connectionString: testServices().storageConnectionString, tableName };

    const published = await call<PublishStatusBody>(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: [email] } });
    expect(published.status).toBe(202);
    expect(published.headers.get('location')).toBe(`${offerPath(offerId)}/status`);
    expect(published.body).toMatchObject({ publisherId: 'contoso', offerId, status: 'Running', currentStep: 'validate', cancellable: true });
    expect(published.body.steps.map((s) => s.id)).toEqual(['validate', 'certify', 'provision', 'package', 'preview', 'signoff', 'live']);

    // One run at a time per offer.
    const again = await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe(ErrorType.PublishInProgress);

    const waiting = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed');
    expect(summarize(waiting)).toMatchObject({ status: 'WaitingForPublisherReview', currentStep: 'signoff' });
    expect(waiting.cancellable).toBe(true);
    for (const id of ['validate', 'certify', 'provision', 'package', 'preview']) {
      const step = stepOf(waiting, id);
      expect(step.status).toBe('Complete');
      expect(step.progressPercentage).toBe(100);
      expect(step.startedAt).toBeTruthy();
      expect(step.completedAt).toBeTruthy();
      expect(step.estimatedTimeFrame).toBeTruthy();
    }
    expect(stepOf(waiting, 'signoff').status).toBe('WaitingForPublisherReview');
    expect(stepOf(waiting, 'certify').messages.some((m) => /certification checks passed/.test(m.text))).toBe(true);
    expect(waiting.reports.certification).toMatch(/certify\.json$/);
    expect(waiting.provisioning).toMatchObject({ regionsDone: 55, regionsTotal: 55 });
    expect(Object.keys(waiting.provisioning!.regions)).toEqual(DEFAULT_REGIONS);
    expect(new Set(Object.values(waiting.provisioning!.regions))).toEqual(new Set(['Complete']));
    expect(waiting.leadDelivery).toMatchObject({ delivered: true });
    expect(waiting.previewLinks).toEqual([`${stack.baseUrl}/api/preview/offers/contoso/${offerId}`]);
    // Secrets stay out of the status: no SAS signature, no account key.
    const text = JSON.stringify(waiting);
    expect(text).not.toMatch(/sig=|AccountKey|Eby8vdM02x/);

    // Replicas: one per region, in the region's own account, the image's full length, copied by the storage service.
    for (const region of stack.config.regions) {
      expect(stack.regionAccounts.replicas(region).accountName).toBe(emulatorRegionAccount(region).name);
      const blobs: Array<{ name: string; length?: number }> = [];
      for await (const b of stack.regionAccounts.replicas(region).listBlobsFlat({ prefix: runPrefix(waiting) })) {
        blobs.push({ name: b.name, length: b.properties.contentLength });
      }
      expect(blobs).toEqual([{ name: `${runPrefix(waiting)}standard/1.0.0/os.vhd`, length: GiB + 512 }]);
    }
    const replica = stack.regionAccounts.replicas('eastus').getBlobClient(`${runPrefix(waiting)}standard/1.0.0/os.vhd`);
    const source = new BlobClient(offer.skus![0].diskVersions![0].osVhdUrl!);
    expect((await replica.downloadToBuffer(0, 64 * 1024)).equals(await source.downloadToBuffer(0, 64 * 1024))).toBe(true);

    // The test lead is in the publisher's table, with the marker data.
    const table = TableClient.fromConnectionString(testServices().storageConnectionString, tableName, { allowInsecureConnection: true });
    const leads = [];
    for await (const e of table.listEntities()) leads.push(e);
    expect(leads).toHaveLength(1);
    expect(String(leads[0].LeadSource)).toContain(`contoso.${offerId}`);
    expect(String(leads[0].CustomerInfo)).toMatch(/MSFT_TEST_\d+/);

    const previewMail = await waitForMail((m) => m.to.includes(email) && /ready for preview/.test(m.subject));
    expect(previewMail.text).toContain(waiting.previewLinks[0]);

    // The preview: allow-listed subscriptions only.
    const previewPath = `/api/preview/offers/contoso/${offerId}`;
    const page = await call(stack, 'GET', previewPath, { key: null, headers: { 'x-ms-subscription-id': ALLOWED } });
    expect(page.status).toBe(200);
    expect(page.body.title).toBe('Contoso Web Appliance');
    // Per region, the replicated image to deploy from: the very blobs provision wrote.
    expect(page.body.deployFrom.map((r: { region: string }) => r.region)).toEqual(stack.config.regions);
    for (const r of page.body.deployFrom as Array<{ region: string; images: Array<{ url: string; role: string }> }>) {
      expect(r.images).toEqual([expect.objectContaining({ role: 'os', url: stack.regionAccounts.replicas(r.region).getBlobClient(`${runPrefix(waiting)}standard/1.0.0/os.vhd`).url })]);
      expect(r.images[0].url).not.toMatch(/sig=/);
    }
    const html = await call(stack, 'GET', previewPath, { key: null, headers: { 'x-ms-subscription-id': ALLOWED, accept: 'text/html' } });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.text).toContain('Contoso Web Appliance');
    expect(html.text).toContain('<summary>Images replicated to 55 regions</summary>');
    expect((await call(stack, 'GET', previewPath, { key: null, headers: { 'x-ms-subscription-id': NOT_ALLOWED } })).status).toBe(403);
    expect((await call(stack, 'GET', previewPath, { key: null, headers: { 'x-ms-subscription-id': 'not-a-guid' } })).status).toBe(400);
    expect((await call(stack, 'GET', '/api/preview/offers/contoso/never-published', { key: null, headers: { 'x-ms-subscription-id': ALLOWED } })).status).toBe(404);

    // Operators find it through visibility, the same query as `temporal workflow list --query`.
    const found: string[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      for await (const wf of stack.client.workflow.list({ query: `PublishStep = 'signoff' AND OfferId = '${offerId}'` })) found.push(wf.workflowId);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toEqual([publishWorkflowId('contoso', offerId)]);
    const list = await call(stack, 'GET', '/api/publishers/contoso/offers');
    expect(list.status).toBe(200);
    expect(list.body.offers).toContainEqual(expect.objectContaining({ offerId, title: 'Contoso Web Appliance', currentStep: 'signoff', status: 'WaitingForPublisherReview' }));

    // Go live.
    const goLive = await call<PublishStatusBody>(stack, 'POST', `${offerPath(offerId)}/golive`);
    expect(goLive.status).toBe(202);
    expect(goLive.body.cancellable).toBe(false);
    const done = await waitForStatus(stack, offerId, (s) => s.status === 'Succeeded' || s.status === 'Failed');
    expect(done.status).toBe('Succeeded');
    expect(done.steps.every((s) => s.status === 'Complete')).toBe(true);
    expect(done.liveLinks).toEqual([`${stack.baseUrl}/api/marketplace/offers/contoso/${offerId}`]);
    await waitForMail((m) => m.to.includes(email) && / is live$/.test(m.subject));

    // Customers see it, without an API key.
    const catalog = await call(stack, 'GET', '/api/marketplace/offers', { key: null });
    expect(catalog.body.offers).toContainEqual(expect.objectContaining({ publisherId: 'contoso', offerId }));
    const livePage = await call(stack, 'GET', `/api/marketplace/offers/contoso/${offerId}`, { key: null });
    expect(livePage.status).toBe(200);
    expect(livePage.body.title).toBe('Contoso Web Appliance');

    // After Go live (and after the end) neither cancel nor Go live is possible.
    const cancel = await call(stack, 'POST', `${offerPath(offerId)}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe(ErrorType.InvalidState);
    expect((await call(stack, 'POST', `${offerPath(offerId)}/golive`)).status).toBe(409);

    // The operator key sees this publisher's offers too.
    expect((await call(stack, 'GET', `${offerPath(offerId)}/status`, { key: OPERATOR_KEY })).body.status).toBe('Succeeded');

    await recordHistory(publishWorkflowId('contoso', offerId), done.runId, 'happy-path');
  });

  it('sends the test lead to an HTTPS endpoint and shows the delivery in the status, never its key', async () => {
    const receiver = await startHttpsReceiver({ key: 'LEADKEY123' });
    try {
      const offerId = uniqueOfferId('https-lead');
      const email = `${offerId}@contoso.example`;
      const offer = await hostedOffer(stack.blobs);
      offer.leadDestination = { type: 'Https', url: `${receiver.url}/leads?code=LEADKEY123` };
      await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: [email] } });
      const review = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed');
      expect(review.status).toBe('WaitingForPublisherReview');
      expect(review.leadDelivery).toMatchObject({ delivered: true });
      expect(receiver.requests).toHaveLength(1);
      const lead = receiver.requests[0].json as { LeadSource: string; UserDetails: { Email: string } };
      expect(lead.LeadSource).toContain(`contoso.${offerId}`);
      expect(lead.UserDetails.Email).toMatch(/^MSFT_TEST_\d+@test\.com$/);
      expect(JSON.stringify(review)).not.toContain('LEADKEY123');
      const mail = await waitForMail((m) => m.to.includes(email) && /ready for preview/.test(m.subject));
      expect(mail.text + mail.html).not.toContain('LEADKEY123');
      await call(stack, 'POST', `${offerPath(offerId)}/cancel`);
      await waitForStatus(stack, offerId, (s) => s.status === 'Canceled');
    } finally {
      await receiver.close();
    }
  });
});
