/**
 * The deprecated replicas on Azurite, each region its own account: after the restore window only
 * the replicas under the scope, of the live version and the one it replaced, are deleted; other
 * plans' and versions' replicas, and older runs', stay. The catalog records are per scope.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config/env';
import { createActivityDeps } from '../../activities/deps';
import { deleteDeprecatedReplicas } from '../../activities/deprecate/replicas';
import type { LivePointer } from '../../lib/storage/catalog';
import { deleteCatalogDeprecation, readCatalogDeprecations, writeCatalogDeprecation } from '../../lib/storage/catalog-deprecations';
import { writeJson } from '../../lib/storage/json-blobs';
import { CONTAINERS, livePointerBlobName, runPrefix } from '../../lib/storage/layout';
import { testServices } from '../helpers/services';
import { TEST_OFFER_SECRETS_KEY } from '../helpers/offer-secrets';

describe('deprecated replicas and catalog records', () => {
  const s = testServices();
  const deps = createActivityDeps(
    loadConfig({ AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString, SMTP_URL: s.smtpUrl, OFFER_SECRETS_KEY: TEST_OFFER_SECRETS_KEY, REGIONS: 'eastus,westeurope' }),
  );
  const NAMES = ['standard/1.0.0/os.vhd', 'standard/2.0.0/os.vhd', 'standard/2.0.0/data-0.vhd', 'premium/1.0.0/os.vhd'];

  async function seed(offerId: string, runIds: string[]) {
    for (const region of deps.config.regions) {
      const c = await deps.regionAccounts.ensureReplicas(region);
      for (const runId of runIds) {
        for (const name of NAMES) await c.getPageBlobClient(`${runPrefix({ publisherId: 'contoso', offerId, runId })}${name}`).create(512);
      }
    }
  }
  async function remaining(offerId: string, runId: string): Promise<string[]> {
    const prefix = runPrefix({ publisherId: 'contoso', offerId, runId });
    const names: string[] = [];
    for (const region of deps.config.regions) {
      for await (const b of deps.regionAccounts.replicas(region).listBlobsFlat({ prefix })) names.push(`${region}:${b.name.slice(prefix.length)}`);
    }
    return names.sort();
  }

  it('deletes only the scope’s replicas of the live and the superseded run, in every region', async () => {
    const offerId = `dep-${randomUUID().slice(0, 8)}`;
    const [live, previous, older] = [randomUUID(), randomUUID(), randomUUID()];
    await seed(offerId, [live, previous, older]);
    const pointer: LivePointer = { runId: live, pageJson: 'x', pageHtml: 'y', liveSince: new Date().toISOString(), supersedes: previous };
    await writeJson(deps.blobs, CONTAINERS.live, livePointerBlobName('contoso', offerId), pointer);

    const beats: number[] = [];
    const { replicasDeleted } = await deleteDeprecatedReplicas(deps, 'contoso', offerId, { skuId: 'standard', version: '2.0.0' }, () => beats.push(1));
    expect(replicasDeleted).toBe(2 * 2 * 2); // 2 disks × 2 runs × 2 regions
    expect(beats.length).toBeGreaterThan(0);
    const kept = ['premium/1.0.0/os.vhd', 'standard/1.0.0/os.vhd'];
    for (const run of [live, previous]) expect(await remaining(offerId, run)).toEqual(deps.config.regions.flatMap((r) => kept.map((k) => `${r}:${k}`)).sort());
    expect((await remaining(offerId, older)).length).toBe(NAMES.length * 2); // retention's business, not ours

    // Idempotent (a retried activity), and a plan scope takes the rest of that plan.
    expect((await deleteDeprecatedReplicas(deps, 'contoso', offerId, { skuId: 'standard', version: '2.0.0' }, () => undefined)).replicasDeleted).toBe(0);
    expect((await deleteDeprecatedReplicas(deps, 'contoso', offerId, { skuId: 'standard' }, () => undefined)).replicasDeleted).toBe(4);
    expect(await remaining(offerId, live)).toEqual(deps.config.regions.map((r) => `${r}:premium/1.0.0/os.vhd`));
  });

  it('keeps one catalog record per scope, effective ones first, and removes one without touching the others', async () => {
    const offerId = `dep-${randomUUID().slice(0, 8)}`;
    const base = { reason: 'endOfSupport' as const, effectiveAt: '2027-04-01T00:00:00.000Z' };
    await writeCatalogDeprecation(deps.blobs, 'contoso', offerId, { ...base, scope: { skuId: 'premium' }, state: 'Scheduled' });
    await writeCatalogDeprecation(deps.blobs, 'contoso', offerId, { ...base, scope: { skuId: 'standard', version: '1.0.0' }, state: 'Effective' });
    await writeCatalogDeprecation(deps.blobs, 'contoso', offerId, { ...base, scope: { skuId: 'premium' }, state: 'Effective' });
    expect((await readCatalogDeprecations(deps.blobs, 'contoso', offerId)).map((r) => r.scope)).toEqual([{ skuId: 'premium' }, { skuId: 'standard', version: '1.0.0' }]);
    await deleteCatalogDeprecation(deps.blobs, 'contoso', offerId, { skuId: 'premium' });
    await deleteCatalogDeprecation(deps.blobs, 'contoso', offerId, { skuId: 'premium' });
    expect((await readCatalogDeprecations(deps.blobs, 'contoso', offerId)).map((r) => r.scope)).toEqual([{ skuId: 'standard', version: '1.0.0' }]);
    expect(await readCatalogDeprecations(deps.blobs, 'contoso', `none-${offerId}`)).toEqual([]);
  });
});
