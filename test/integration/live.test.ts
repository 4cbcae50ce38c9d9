/** Go live: the preview page is promoted to the live catalog; catalog read helpers. */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config/env';
import type { PublishPlan, RunRef } from '../../domain/pipeline';
import { createActivityDeps } from '../../activities/deps';
import { promoteToLive } from '../../activities/live';
import { packageOffer } from '../../activities/package';
import { cleanupRun } from '../../lib/storage/run-replicas';
import { listLiveOffers, readLivePage, readPreviewPage, writePreviewPointer, type LivePointer } from '../../lib/storage/catalog';
import { CONTAINERS, livePointerBlobName, liveVersionBlobName, logoBlobName, previewPageBlobName, runPrefix } from '../../lib/storage/layout';
import { readJson, readText, writeJson, writeText } from '../../lib/storage/json-blobs';
import type { ProductPage } from '../../lib/product-page/model';
import { renderProductPageHtml } from '../../lib/product-page/render-html';
import { saveOfferSnapshot } from '../../lib/storage/offer-snapshots';
import { uploadSampleLogos } from '../../samples/azure-upload';
import { testServices } from '../helpers/services';
import { TEST_OFFER_SECRETS_KEY } from '../helpers/offer-secrets';
import { ErrorType } from '../../domain/errors';

describe('promoteToLive', () => {
  const s = testServices();
  const deps = createActivityDeps(
    loadConfig({
      AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString,
      SMTP_URL: s.smtpUrl,
      OFFER_SECRETS_KEY: TEST_OFFER_SECRETS_KEY,
      // The publisher's logos are in Azurite, on loopback.
      URL_ALLOW_LOOPBACK: 'true',
    }),
  );
  const plan: PublishPlan = { title: 'Fallback', disks: [], osFamilyBySku: {}, leadDestinationType: null };
  let smallLogo: string;
  beforeAll(async () => {
    smallLogo = (await uploadSampleLogos(deps.blobs, 'publisher-uploads', `live-${randomUUID().slice(0, 8)}`)).small;
  });
  /** The run's copy of the logo, which its pages show. */
  const logoExists = (ref: RunRef) => deps.blobs.getContainerClient(CONTAINERS.catalogAssets).getBlobClient(logoBlobName(ref, 'small')).exists();

  async function packagedRun(offerId: string, title: string): Promise<RunRef> {
    const offerRef = await saveOfferSnapshot(deps, 'fabrikam', offerId, {
      title,
      summary: `${title} summary`,
      description: '<p>Live <b>description</b></p>',
      categories: ['security'],
      logos: { small: smallLogo },
      preview: { subscriptionIds: ['00000000-0000-4000-8000-000000000001'] },
      leadDestination: null,
      skus: [{ skuId: 'basic', title: 'Basic', diskVersions: [{ version: '2.0.0', osVhdUrl: 'https://x.blob.core.windows.net/i/os.vhd?sig=S' }] }],
    });
    const ref = { publisherId: 'fabrikam', offerId, workflowId: `publish/fabrikam/${offerId}`, runId: randomUUID(), offerRef };
    await packageOffer(deps, ref, plan, ['eastus'], `http://127.0.0.1:3000/api/preview/offers/fabrikam/${offerId}`);
    return ref;
  }

  it('copies the preview page to the live catalog with liveSince, idempotently', async () => {
    const offerId = `live-${randomUUID().slice(0, 8)}`;
    const ref = await packagedRun(offerId, 'Fabrikam Firewall');

    const result = await promoteToLive(deps, ref);
    expect(result.liveRef).toBe(livePointerBlobName('fabrikam', offerId));
    const live = (await readLivePage(deps.blobs, 'fabrikam', offerId))!;
    expect(live.page).toMatchObject({ title: 'Fabrikam Firewall', stage: 'live', runId: ref.runId, descriptionHtml: '<p>Live <b>description</b></p>' });
    expect(live.page.previewUrl).toBeUndefined();
    expect(Date.parse(live.page.liveSince!)).not.toBeNaN();
    expect(live.html).toContain('Live on the marketplace since');
    expect(live.html).not.toContain('Preview');
    expect(JSON.stringify(live)).not.toMatch(/sig=|00000000-0000-4000-8000-000000000001/);

    // A retried promote keeps the first liveSince.
    await new Promise((r) => setTimeout(r, 5));
    await promoteToLive(deps, ref);
    expect((await readLivePage(deps.blobs, 'fabrikam', offerId))!.page.liveSince).toBe(live.page.liveSince);

    const listed = await listLiveOffers(deps.blobs);
    expect(listed).toContainEqual({
      publisherId: 'fabrikam',
      offerId,
      title: 'Fabrikam Firewall',
      summary: 'Fabrikam Firewall summary',
      categories: ['security'],
      liveSince: live.page.liveSince,
    });

    // Cleaning up the run removes its preview page and pointer, never the live page.
    expect((await readPreviewPage(deps.blobs, 'fabrikam', offerId))?.pointer.runId).toBe(ref.runId);
    expect(await cleanupRun(deps, ref, ['eastus'])).toEqual({ replicasDeleted: 0, previewDeleted: 3, assetsDeleted: 1 });
    expect(await readPreviewPage(deps.blobs, 'fabrikam', offerId)).toBeUndefined();
    expect(await readLivePage(deps.blobs, 'fabrikam', offerId)).toBeDefined();
  });

  it('a newer run replaces the live page; cleanup of an older run leaves the newer pointer alone', async () => {
    const offerId = `live-${randomUUID().slice(0, 8)}`;
    const first = await packagedRun(offerId, 'Version One');
    await promoteToLive(deps, first);
    const second = await packagedRun(offerId, 'Version Two');
    // The first run's cleanup must not remove the second run's preview pointer.
    expect(await cleanupRun(deps, first, ['eastus'])).toEqual({ replicasDeleted: 0, previewDeleted: 2, assetsDeleted: 1 });
    expect((await readPreviewPage(deps.blobs, 'fabrikam', offerId))?.pointer.runId).toBe(second.runId);
    await promoteToLive(deps, second);
    const live = (await readLivePage(deps.blobs, 'fabrikam', offerId))!;
    expect(live.page).toMatchObject({ title: 'Version Two', runId: second.runId });
  });

  it('serves a page written before its URLs were made public without their credentials, preview and live', async () => {
    const offerId = `legacy-${randomUUID().slice(0, 8)}`;
    const ref = await packagedRun(offerId, 'Legacy Page');
    // As an older version wrote it: the publisher's logo URL and a region's SAS on the replica URL.
    const stored = (await readJson<ProductPage>(deps.blobs, CONTAINERS.preview, previewPageBlobName(ref, 'json')))!;
    const legacy: ProductPage = {
      ...stored,
      logos: { ...stored.logos, medium: 'https://contoso.blob.core.windows.net/logos/m.png?sp=rl&sig=LOGOSIG' },
      deployFrom: [{ region: 'eastus', images: [{ skuId: 'basic', version: '2.0.0', role: 'os', url: 'https://imgeastus.blob.core.windows.net/replicas-eastus/x/os.vhd?sv=1&sig=REGIONSIG' }] }],
    };
    await writeJson(deps.blobs, CONTAINERS.preview, previewPageBlobName(ref, 'json'), legacy);
    await writeText(deps.blobs, CONTAINERS.preview, previewPageBlobName(ref, 'html'), renderProductPageHtml(legacy), 'text/html');
    await writePreviewPointer(deps.blobs, ref, []);

    const preview = (await readPreviewPage(deps.blobs, 'fabrikam', offerId))!;
    await promoteToLive(deps, ref);
    const live = (await readLivePage(deps.blobs, 'fabrikam', offerId))!;
    for (const served of [preview, live]) {
      expect(JSON.stringify(served)).not.toMatch(/sig=|LOGOSIG|REGIONSIG/);
      expect(served.page.logos).toEqual({ small: stored.logos.small });
      expect(served.page.deployFrom![0].images[0].url).toBe('https://imgeastus.blob.core.windows.net/replicas-eastus/x/os.vhd');
      expect(served.html).toContain('<code>https://imgeastus.blob.core.windows.net/replicas-eastus/x/os.vhd</code>');
    }
  });

  it('fails for good when the preview page is gone', async () => {
    const ref = { publisherId: 'fabrikam', offerId: 'never-packaged', workflowId: 'w', runId: randomUUID(), offerRef: 'none' };
    await expect(promoteToLive(deps, ref)).rejects.toMatchObject({ type: ErrorType.PreviewPageMissing, nonRetryable: true });
  });

  it('republishing keeps the old version live, whole, until the switch; a canceled republish leaves it alone', async () => {
    const offerId = `live-${randomUUID().slice(0, 8)}`;
    const first = await packagedRun(offerId, 'Version One');
    await promoteToLive(deps, first);
    const old = (await readLivePage(deps.blobs, 'fabrikam', offerId))!;

    // A republish that reaches preview, then is canceled: the live page does not change.
    const canceled = await packagedRun(offerId, 'Version Canceled');
    await cleanupRun(deps, canceled, ['eastus']);
    expect(await readLivePage(deps.blobs, 'fabrikam', offerId)).toEqual(old);

    // Readers polling while the next version goes live see one version or the other, whole.
    const second = await packagedRun(offerId, 'Version Two');
    const seen = new Set<string>();
    let promoting = true;
    const reader = (async () => {
      while (promoting) {
        const live = (await readLivePage(deps.blobs, 'fabrikam', offerId))!;
        const htmlTitle = live.html.includes('Version Two') ? 'Version Two' : live.html.includes('Version One') ? 'Version One' : '?';
        seen.add(`${live.page.title} | ${htmlTitle}`);
      }
    })();
    await promoteToLive(deps, second);
    promoting = false;
    await reader;
    for (const pair of seen) expect(['Version One | Version One', 'Version Two | Version Two']).toContain(pair);
    expect((await readLivePage(deps.blobs, 'fabrikam', offerId))!.page).toMatchObject({ title: 'Version Two', runId: second.runId });
  });

  it('keeps the live version and the one before it; older versions go with their replicas, preview pages and logos', async () => {
    const offerId = `live-${randomUUID().slice(0, 8)}`;
    const regions = ['eastus', 'westeurope'];
    const replicaOf = (ref: RunRef, region: string) => deps.regionAccounts.replicas(region).getPageBlobClient(`${runPrefix(ref)}basic/2.0.0/os.vhd`);
    const runs: RunRef[] = [];
    for (const title of ['One', 'Two', 'Three']) {
      const ref = await packagedRun(offerId, `Version ${title}`);
      for (const region of regions) {
        await deps.regionAccounts.ensureReplicas(region);
        await replicaOf(ref, region).create(512);
      }
      runs.push(ref);
    }
    const [one, two, three] = runs;
    const live = deps.blobs.getContainerClient(CONTAINERS.live);
    const versionExists = (ref: RunRef) => live.getBlobClient(liveVersionBlobName(ref, 'json')).exists();
    const replicasExist = async (ref: RunRef) =>
      (await Promise.all(regions.map((r) => replicaOf(ref, r).exists()))).every(Boolean) && (await logoExists(ref));

    await promoteToLive(deps, one);
    await promoteToLive(deps, two);
    expect([await versionExists(one), await replicasExist(one)]).toEqual([true, true]);

    await promoteToLive(deps, three);
    expect(await versionExists(one)).toBe(false);
    expect(await live.getBlobClient(liveVersionBlobName(one, 'html')).exists()).toBe(false);
    for (const region of regions) expect(await replicaOf(one, region).exists()).toBe(false);
    expect(await logoExists(one)).toBe(false);
    expect(await readText(deps.blobs, CONTAINERS.preview, previewPageBlobName(one, 'json'))).toBeUndefined();
    for (const kept of [two, three]) expect([await versionExists(kept), await replicasExist(kept)]).toEqual([true, true]);
    const pointer = () => readJson<LivePointer>(deps.blobs, CONTAINERS.live, livePointerBlobName('fabrikam', offerId));
    expect(await pointer()).toMatchObject({ runId: three.runId, supersedes: two.runId });

    // A retried promote keeps what it kept: the pointer still names the run it replaced.
    await promoteToLive(deps, three);
    expect((await pointer())?.supersedes).toBe(two.runId);
    expect([await versionExists(two), await replicasExist(two)]).toEqual([true, true]);
    expect((await readLivePage(deps.blobs, 'fabrikam', offerId))!.page.title).toBe('Version Three');
  });
});
