/**
 * No secret on a public page, ever — nor in the status, e-mails, logs or stored snapshots. On the
 * real stack, with every credential the product handles: the regions' accounts reached through SAS
 * connection strings (REGION_STORAGE), logos behind a container SAS, the image behind a blob SAS,
 * an HTTPS lead endpoint with a token in its path and its query. Publish, preview, go live; then
 * every answer, page, e-mail and log line of the worker and the API is searched for them. Last,
 * the retention schedule removes the secrets from the offer snapshot once the run has ended.
 */
import { inspect } from 'node:util';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  ContainerSASPermissions,
  SASProtocol,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from '@azure/storage-blob';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { AZURITE_DEV_KEY, emulatorRegionAccount } from '../../config/azurite-accounts';
import { CONTAINERS } from '../../lib/storage/layout';
import { readText } from '../../lib/storage/json-blobs';
import { uploadSampleLogos } from '../../samples/azure-upload';
import { pngBuffer } from '../../samples/png-writer';
import { retentionScheduleId } from '../../workers/retention-schedule';
import { startHttpsReceiver, type LeadReceiver } from '../fixtures/lead-receivers';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { listMails, waitForMail } from '../helpers/mail';
import { TEST_OFFER_SECRETS_KEY } from '../helpers/offer-secrets';
import { testServices } from '../helpers/services';
import { startStack, type Stack } from '../helpers/stack';

const REGIONS = ['eastus', 'westeurope', 'japaneast'];
const SUBSCRIPTION = '0b1f6a3c-2d4e-4f60-8a7b-9c0d1e2f3a4b';
const LEAD_PATH_TOKEN = 'LeadPathToken7f3a9c2e';
const LEAD_QUERY_KEY = 'LeadQueryKey5b8d1f';

/** Every line the worker (Temporal's runtime logger: worker, workflow and activity logs) and the API (console) write. */
const logLines: string[] = [];
Runtime.install({ logger: new DefaultLogger('DEBUG', (entry) => logLines.push(`${entry.level} ${entry.message} ${inspect(entry.meta)}`)) });

/** An account SAS of a region's emulator account: what an operator may put in REGION_STORAGE instead of the key. */
function regionSasConnectionString(blobOrigin: string, region: string): { connectionString: string; sas: string } {
  const { name, key } = emulatorRegionAccount(region);
  const sas = generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 3600_000),
      permissions: AccountSASPermissions.parse('rwdlacu'),
      resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
      services: AccountSASServices.parse('b').toString(),
      protocol: SASProtocol.HttpsAndHttp,
    },
    new StorageSharedKeyCredential(name, key),
  ).toString();
  return { connectionString: `BlobEndpoint=${blobOrigin}/${name};SharedAccessSignature=${sas}`, sas };
}

describe('no secret leaves the system', () => {
  let stack: Stack;
  let receiver: LeadReceiver;
  /** Every credential of the test, each of which must appear nowhere public. */
  const secrets: string[] = [AZURITE_DEV_KEY, TEST_OFFER_SECRETS_KEY, LEAD_PATH_TOKEN, LEAD_QUERY_KEY, ...REGIONS.map((r) => emulatorRegionAccount(r).key)];
  const consoleSpies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      consoleSpies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void logLines.push(`console.${method} ${args.map((a) => inspect(a)).join(' ')}`)));
    }
    const blobOrigin = new URL(/BlobEndpoint=([^;]+)/.exec(testServices().storageConnectionString)![1]).origin;
    const regionStorage = Object.fromEntries(
      REGIONS.map((r) => {
        const { connectionString, sas } = regionSasConnectionString(blobOrigin, r);
        secrets.push(new URLSearchParams(sas).get('sig')!);
        return [r, connectionString];
      }),
    );
    stack = await startStack({ REGIONS: REGIONS.join(','), REGION_STORAGE: JSON.stringify(regionStorage), OFFER_SNAPSHOT_RETENTION: '1s' });
    receiver = await startHttpsReceiver({ key: LEAD_QUERY_KEY, path: `/hooks/${LEAD_PATH_TOKEN}/leads` });
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
    for (const spy of consoleSpies) spy.mockRestore();
  });

  /** Fails naming the secret and where it was found. */
  function expectNoSecret(where: string, text: string): void {
    expect({ where, sig: /sig=/i.test(text), accountKey: /AccountKey=|SharedAccessSignature=/i.test(text) }).toEqual({ where, sig: false, accountKey: false });
    for (const s of secrets) expect({ where, found: text.includes(s) ? s : undefined }).toEqual({ where, found: undefined });
  }

  it('keeps SAS tokens, account keys and lead tokens out of pages, the catalog, the status, e-mails, logs and stored snapshots', async () => {
    const offerId = uniqueOfferId('secrets');
    const email = `${offerId}@contoso.example`;
    const offer = await hostedOffer(stack.blobs);
    secrets.push(new URL(offer.skus![0].diskVersions![0].osVhdUrl!).searchParams.get('sig')!);

    // Logos behind one container SAS: whoever holds it reads every blob in the container.
    const logoContainer = stack.blobs.getContainerClient(`publisher-logos-${offerId}`);
    await uploadSampleLogos(stack.blobs, logoContainer.containerName, 'brand');
    const containerSas = new URL(await logoContainer.generateSasUrl({ permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 3600_000) })).search;
    secrets.push(new URLSearchParams(containerSas).get('sig')!);
    offer.logos = {
      small: `${logoContainer.url}/brand/logo-48x48.png${containerSas}`,
      medium: `${logoContainer.url}/brand/logo-90x90.png${containerSas}`,
      large: `${logoContainer.url}/brand/logo-216x216.png${containerSas}`,
      wide: `${logoContainer.url}/brand/logo-255x115.png${containerSas}`,
    };
    offer.leadDestination = { type: 'Https', url: `${receiver.url}/hooks/${LEAD_PATH_TOKEN}/leads?code=${LEAD_QUERY_KEY}` };
    offer.title = 'Contoso Appliance, visit https://evil.example';

    // The regions' clients hold a SAS, and would put it in every URL they give.
    expect(stack.regionAccounts.replicas('eastus').getBlobClient('x').url).toMatch(/sig=/);
    const published = await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: [email] } });
    expect(published.status).toBe(202);
    const review = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed', 120_000);
    expect(review.status).toBe('WaitingForPublisherReview');
    expect(receiver.requests).toHaveLength(1);
    // The delivery is shown, its endpoint redacted.
    expect(review.leadDelivery).toMatchObject({ delivered: true, destination: `Https 127.0.0.1:${new URL(receiver.url).port}/hooks/…/leads` });

    const previewPath = `/api/preview/offers/contoso/${offerId}`;
    const previewJson = await call(stack, 'GET', previewPath, { key: null, headers: { 'x-ms-subscription-id': SUBSCRIPTION } });
    const previewHtml = await call(stack, 'GET', previewPath, { key: null, headers: { 'x-ms-subscription-id': SUBSCRIPTION, accept: 'text/html' } });
    expect(previewJson.status).toBe(200);
    // Replicas listed without credentials; logos served by us, from our copy.
    for (const r of previewJson.body.deployFrom as Array<{ images: Array<{ url: string }> }>) for (const i of r.images) expect(new URL(i.url).search).toBe('');
    expect(Object.keys(previewJson.body.logos).sort()).toEqual(['large', 'medium', 'small', 'wide']);
    const logo = await fetch(previewJson.body.logos.medium as string);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/png');
    expect(logo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await logo.arrayBuffer()).equals(pngBuffer(90, 90))).toBe(true);
    expect(previewHtml.text).toContain(`<img src="${previewJson.body.logos.medium}"`);

    const replicaReport = (await readText(stack.blobs, CONTAINERS.reports, review.reports.replicas))!;
    expect(JSON.parse(replicaReport).regions).toHaveLength(REGIONS.length);
    const leadLog = (await readText(stack.blobs, CONTAINERS.reports, `contoso/${offerId}/${review.runId}/lead-delivery.json`))!;

    expect((await call(stack, 'POST', `${offerPath(offerId)}/golive`)).status).toBe(202);
    const done = await waitForStatus(stack, offerId, (s) => s.status === 'Succeeded' || s.status === 'Failed', 120_000);
    expect(done.status).toBe('Succeeded');
    await waitForMail((m) => m.to.includes(email) && / is live$/.test(m.subject));

    const livePath = `/api/marketplace/offers/contoso/${offerId}`;
    const liveJson = await call(stack, 'GET', livePath, { key: null });
    const liveHtml = await call(stack, 'GET', livePath, { key: null, headers: { accept: 'text/html' } });
    const catalog = await call(stack, 'GET', '/api/marketplace/offers', { key: null });
    expect(liveJson.status).toBe(200);
    expect(liveJson.body.logos).toEqual(previewJson.body.logos);
    expect((await fetch(liveJson.body.logos.small as string)).status).toBe(200);

    const mails = (await listMails()).filter((m) => m.to.includes(email));
    expect(mails.map((m) => m.subject)).toEqual(expect.arrayContaining([expect.stringMatching(/ready for preview/), expect.stringMatching(/ is live$/)]));
    // The offer's own text never becomes a link in our e-mails.
    for (const m of mails) {
      expect(m.html).not.toMatch(/href="https?:\/\/evil/);
      expect(`${m.subject}\n${m.text}\n${m.html}`).not.toContain('https://evil.example');
    }

    const snapshotRefs: string[] = [];
    for await (const b of stack.blobs.getContainerClient(CONTAINERS.offerSnapshots).listBlobsFlat({ prefix: `contoso/${offerId}/` })) snapshotRefs.push(b.name);
    expect(snapshotRefs).toHaveLength(1);
    const snapshotAtRest = (await readText(stack.blobs, CONTAINERS.offerSnapshots, snapshotRefs[0]))!;

    const status = JSON.stringify(done);
    const found: Array<[string, string]> = [
      ['preview page JSON', previewJson.text],
      ['preview page HTML', previewHtml.text],
      ['live page JSON', liveJson.text],
      ['live page HTML', liveHtml.text],
      ['catalog', catalog.text],
      ['status in review', JSON.stringify(review)],
      ['final status', status],
      ['replica report', replicaReport],
      ['lead delivery log', leadLog],
      ['offer snapshot at rest', snapshotAtRest],
      ...mails.map((m): [string, string] => [`e-mail "${m.subject}"`, `${m.subject}\n${m.text}\n${m.html}`]),
      ['worker and API logs', logLines.join('\n')],
    ];
    for (const [where, text] of found) expectNoSecret(where, text);
    expect(logLines.length).toBeGreaterThan(0);

    // Retention (1 s here): the schedule's sweep removes the snapshot's secrets once the run has ended.
    const schedule = stack.client.schedule.getHandle(retentionScheduleId(stack.config.taskQueue));
    const deadline = Date.now() + 60_000;
    let stripped: { secrets?: unknown; secretsRemovedAt?: string } = {};
    while (!stripped.secretsRemovedAt && Date.now() < deadline) {
      await schedule.trigger();
      await new Promise((r) => setTimeout(r, 2000));
      stripped = JSON.parse((await readText(stack.blobs, CONTAINERS.offerSnapshots, snapshotRefs[0]))!);
    }
    expect(stripped.secretsRemovedAt).toBeDefined();
    expect(stripped.secrets).toBeUndefined();
    expect(JSON.stringify(stripped)).toContain('Contoso Appliance');
  });
});
