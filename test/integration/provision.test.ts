/**
 * Provisioning against the run's Azurite, where every region has its own account: cross-account
 * server-side copies, idempotence, cancel, cleanup, report.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BlobSASPermissions, type ContainerClient } from '@azure/storage-blob';
import { ApplicationFailure } from '@temporalio/common';
import { loadConfig } from '../../config/env';
import type { DiskRef, RunRef } from '../../domain/pipeline';
import type { OfferDraft } from '../../domain/offer';
import { createActivityDeps, type ActivityDeps } from '../../activities/deps';
import { cleanupRun } from '../../lib/storage/run-replicas';
import { copyDisk, replicateRegion, writeProvisionReport, type CopyProgress, type ReplicaClient } from '../../activities/provision';
import { CONTAINERS, replicaContainer, reportBlobName, runPrefix } from '../../lib/storage/layout';
import { emulatorRegionAccount } from '../../config/azurite-accounts';
import { readJson } from '../../lib/storage/json-blobs';
import { saveOfferSnapshot } from '../../lib/storage/offer-snapshots';
import { certifyImages } from '../../activities/certify';
import { buildPlan } from '../../lib/offer/plan';
import type { CertificationReport } from '../../domain/certification';
import { testServices } from '../helpers/services';
import { TEST_OFFER_SECRETS_KEY } from '../helpers/offer-secrets';
import { MiB } from '../../domain/units';
import { ErrorType } from '../../domain/errors';

const OS_LENGTH = 32 * MiB + 512;
const DATA_LENGTH = 20 * MiB + 512;
const MARK_AT = 5 * MiB;
const REGIONS = ['australiaeast', 'brazilsouth', 'norwayeast'];

function makeDeps(): ActivityDeps {
  const s = testServices();
  return createActivityDeps(
    loadConfig({ AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString, SMTP_URL: s.smtpUrl, URL_ALLOW_LOOPBACK: 'true', PROVISION_CONCURRENCY: '3', OFFER_SECRETS_KEY: TEST_OFFER_SECRETS_KEY }),
  );
}

/** A sparse page blob: zeros except `mark` at MARK_AT (only that range is uploaded). */
async function uploadPageBlob(images: ContainerClient, name: string, length: number, mark: Buffer) {
  const blob = images.getPageBlobClient(name);
  await blob.create(length);
  await blob.uploadPages(mark, MARK_AT, mark.length);
  return blob;
}

async function readRange(c: ContainerClient, name: string, offset: number, count: number): Promise<Buffer> {
  return c.getBlobClient(name).downloadToBuffer(offset, count);
}

async function listNames(c: ContainerClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const b of c.listBlobsFlat({ prefix })) names.push(b.name);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  return names;
}

const noControl = () => ({ heartbeat: () => undefined, signal: new AbortController().signal });

describe('provision', () => {
  const deps = makeDeps();
  const osMark = randomBytes(64 * 1024);
  const dataMark = randomBytes(8 * 1024);
  let images: ContainerClient;
  let offer: OfferDraft;
  let disks: DiskRef[];

  beforeAll(async () => {
    images = deps.blobs.getContainerClient(`images-${randomUUID().slice(0, 8)}`);
    await images.create();
    const os = await uploadPageBlob(images, 'os.vhd', OS_LENGTH, osMark);
    await uploadPageBlob(images, 'data0.vhd', DATA_LENGTH, dataMark);
    // The OS disk comes with the publisher's SAS; the data disk is a plain URL in the control
    // account, for which replicateRegion mints its own read SAS.
    const osSas = await os.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) });
    offer = {
      title: 'Contoso Appliance',
      skus: [{ skuId: 'standard', diskVersions: [{ version: '1.0.0', osVhdUrl: osSas, dataDisks: [{ lun: 0, vhdUrl: images.getBlobClient('data0.vhd').url }] }] }],
    };
    disks = [
      { skuId: 'standard', version: '1.0.0', role: 'os', field: 'skus[0].diskVersions[0].osVhdUrl', blobName: 'standard/1.0.0/os.vhd' },
      { skuId: 'standard', version: '1.0.0', role: 'data', lun: 0, field: 'skus[0].diskVersions[0].dataDisks[0].vhdUrl', blobName: 'standard/1.0.0/data0.vhd' },
    ];
  });

  async function newRun(draft: OfferDraft = offer): Promise<RunRef> {
    const offerId = `offer-${randomUUID().slice(0, 8)}`;
    const offerRef = await saveOfferSnapshot(deps, 'contoso', offerId, draft);
    return { publisherId: 'contoso', offerId, workflowId: `publish/contoso/${offerId}`, runId: randomUUID(), offerRef };
  }

  it('replicates every disk to every region by server-side copy, then skips, reports and cleans up', async () => {
    const ref = await newRun();
    const beats: CopyProgress[] = [];
    const ctl = { heartbeat: (d?: unknown) => beats.push(d as CopyProgress), signal: new AbortController().signal };

    const results = await Promise.all(REGIONS.map((region) => replicateRegion(deps, ref, region, disks, ctl)));
    for (const [i, r] of results.entries()) {
      expect(r).toEqual({ region: REGIONS[i], disks: 2, bytes: OS_LENGTH + DATA_LENGTH, skipped: 0 });
    }
    expect(beats.some((b) => b.region === 'brazilsouth' && b.disk === 'standard/1.0.0/os.vhd' && b.total === OS_LENGTH)).toBe(true);

    for (const region of REGIONS) {
      // In the region's own account, not the control account.
      const c = deps.regionAccounts.replicas(region);
      expect(c.accountName).toBe(emulatorRegionAccount(region).name);
      expect(await listNames(deps.blobs.getContainerClient(replicaContainer(region)), runPrefix(ref))).toEqual([]);
      const os = await c.getPageBlobClient(`${runPrefix(ref)}standard/1.0.0/os.vhd`).getProperties();
      expect(os.contentLength).toBe(OS_LENGTH);
      expect(os.blobType).toBe('PageBlob');
      expect(os.copyStatus).toBe('success');
      expect(os.metadata?.sourcelength).toBe(String(OS_LENGTH));
      expect(await readRange(c, `${runPrefix(ref)}standard/1.0.0/os.vhd`, MARK_AT, osMark.length)).toEqual(osMark);
      expect(await readRange(c, `${runPrefix(ref)}standard/1.0.0/os.vhd`, MARK_AT - 512, 512)).toEqual(Buffer.alloc(512));
      const data = await c.getPageBlobClient(`${runPrefix(ref)}standard/1.0.0/data0.vhd`).getProperties();
      expect(data.contentLength).toBe(DATA_LENGTH);
      expect(await readRange(c, `${runPrefix(ref)}standard/1.0.0/data0.vhd`, MARK_AT, dataMark.length)).toEqual(dataMark);
    }

    // A second attempt (an activity retry) finds finished copies of the same source and skips them.
    const again = await Promise.all(REGIONS.map((region) => replicateRegion(deps, ref, region, disks, noControl())));
    expect(again.map((r) => r.skipped)).toEqual([2, 2, 2]);

    const reportName = await writeProvisionReport(deps, ref, REGIONS);
    expect(reportName).toBe(reportBlobName(ref, 'provision'));
    const report = await readJson<{ regions: Array<{ region: string; replicas: Array<{ blobName: string; url: string; length: number }> }> }>(
      deps.blobs,
      CONTAINERS.reports,
      reportName,
    );
    expect(report!.regions.map((r) => r.region)).toEqual(REGIONS);
    for (const r of report!.regions) {
      expect(r.replicas.map((x) => [x.blobName, x.length]).sort()).toEqual([
        [`${runPrefix(ref)}standard/1.0.0/data0.vhd`, DATA_LENGTH],
        [`${runPrefix(ref)}standard/1.0.0/os.vhd`, OS_LENGTH],
      ]);
      for (const x of r.replicas) {
        expect(x.url).not.toContain('?');
        expect(new URL(x.url).pathname).toMatch(new RegExp(`^/${emulatorRegionAccount(r.region).name}/replicas-${r.region}/`));
      }
    }
    expect(JSON.stringify(report)).not.toContain('sig=');

    expect(await cleanupRun(deps, ref, REGIONS)).toEqual({ replicasDeleted: 6, previewDeleted: 0, assetsDeleted: 0 });
    for (const region of REGIONS) expect(await listNames(deps.regionAccounts.replicas(region), runPrefix(ref))).toEqual([]);
    // Idempotent, and regions never written to are fine.
    expect(await cleanupRun(deps, ref, [...REGIONS, 'westus3'])).toEqual({ replicasDeleted: 0, previewDeleted: 0, assetsDeleted: 0 });
  });

  it('reads a source once per run for all regions, and again after a copy of it failed (the image was replaced)', async () => {
    const name = `changing-${randomUUID().slice(0, 8)}.vhd`;
    await uploadPageBlob(images, name, OS_LENGTH, osMark);
    const draft: OfferDraft = { title: 'Changing', skus: [{ skuId: 'standard', diskVersions: [{ version: '1.0.0', osVhdUrl: images.getBlobClient(name).url }] }] };
    const ref = await newRun(draft);
    const [osDisk] = disks;
    const replicaEtag = async (region: string) =>
      (await deps.regionAccounts.replicas(region).getBlobClient(`${runPrefix(ref)}${osDisk.blobName}`).getProperties()).metadata?.sourceetag;

    await replicateRegion(deps, ref, 'australiaeast', [osDisk], noControl());
    const first = await replicaEtag('australiaeast');
    // Replaced while the run copies: the version read for the first region no longer exists.
    const replaced = await uploadPageBlob(images, name, OS_LENGTH, dataMark);
    const now = (await replaced.getProperties()).etag;
    expect(now).not.toBe(first);
    // The next region still copies the version read once for the run: the source condition refuses it…
    await expect(replicateRegion(deps, ref, 'brazilsouth', [osDisk], noControl())).rejects.toThrow(/412/);
    // …and the retry reads the source again and copies the new version.
    await replicateRegion(deps, ref, 'brazilsouth', [osDisk], noControl());
    expect(await replicaEtag('brazilsouth')).toBe(now);
    expect(await readRange(deps.regionAccounts.replicas('brazilsouth'), `${runPrefix(ref)}${osDisk.blobName}`, MARK_AT, dataMark.length)).toEqual(dataMark);
    await cleanupRun(deps, ref, REGIONS);
  });

  it('on cancel mid-way aborts the copy and leaves no unfinished replica', async () => {
    const ref = await newRun();
    const abort = new AbortController();
    // Cancel between the disks (the heartbeat after the OS disk: Azurite finishes a copy by its first poll).
    const ctl = {
      heartbeat: (d?: unknown) => {
        const p = d as CopyProgress;
        if (p.disk === 'standard/1.0.0/os.vhd' && p.bytesCopied === OS_LENGTH) abort.abort();
      },
      signal: abort.signal,
    };
    await expect(replicateRegion(deps, ref, 'koreacentral', disks, ctl)).rejects.toMatchObject({ name: 'AbortError' });

    const c = deps.regionAccounts.replicas('koreacentral');
    expect(await c.getBlobClient(`${runPrefix(ref)}standard/1.0.0/data0.vhd`).exists()).toBe(false);
    // What is left is only finished, verified copies.
    for (const name of await listNames(c, runPrefix(ref))) {
      const p = await c.getBlobClient(name).getProperties();
      expect([p.copyStatus, p.contentLength]).toEqual(['success', OS_LENGTH]);
    }

    // Already cancelled: nothing is started.
    const ref2 = await newRun();
    const done = new AbortController();
    done.abort();
    await expect(replicateRegion(deps, ref2, 'koreacentral', disks, { heartbeat: () => undefined, signal: done.signal })).rejects.toBeDefined();
    expect(await listNames(c, runPrefix(ref2))).toEqual([]);
  });

  it('a cancel in the middle of the copies leaves only complete replicas', async () => {
    const ref = await newRun();
    const abort = new AbortController();
    // Azurite finishes each copy at once, so cancel from inside the sequence: at the third heartbeat
    // (one per region, between its two disks).
    let beats = 0;
    const ctl = { heartbeat: () => (++beats === 3 ? abort.abort() : undefined), signal: abort.signal };
    const settled = await Promise.allSettled(REGIONS.map((region) => replicateRegion(deps, ref, region, disks, ctl)));
    expect(abort.signal.aborted).toBe(true);
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);
    for (const region of REGIONS) {
      const c = deps.regionAccounts.replicas(region);
      for (const name of await listNames(c, runPrefix(ref))) {
        const p = await c.getBlobClient(name).getProperties();
        expect(p.copyStatus).toBe('success');
        expect(p.contentLength).toBe(Number(p.metadata?.sourcelength));
      }
    }
    await cleanupRun(deps, ref, REGIONS);
  });

  it('certify and provision read the same image for every disk, also when LUNs or sku and version repeat', async () => {
    const sas = (name: string) => images.getBlobClient(name).generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) });
    // Only the field path tells these disks apart: the second data disk repeats LUN 0, the second
    // plan repeats sku and version. Their images do not exist, the first ones do.
    const draft: OfferDraft = {
      skus: [
        { skuId: 'standard', diskVersions: [{ version: '1.0.0', osVhdUrl: await sas('os.vhd'), dataDisks: [{ lun: 0, vhdUrl: await sas('data0.vhd') }, { lun: 0, vhdUrl: await sas('absent-data.vhd') }] }] },
        { skuId: 'standard', diskVersions: [{ version: '1.0.0', osVhdUrl: await sas('absent-os.vhd') }] },
      ],
    };
    const ref = await newRun(draft);
    const plan = buildPlan(draft);
    expect(plan.disks.map((d) => d.field)).toEqual([
      'skus[0].diskVersions[0].osVhdUrl',
      'skus[0].diskVersions[0].dataDisks[0].vhdUrl',
      'skus[0].diskVersions[0].dataDisks[1].vhdUrl',
      'skus[1].diskVersions[0].osVhdUrl',
    ]);

    const report = await certifyImages(deps, ref, draft, plan);
    const full = (await readJson<CertificationReport>(deps.blobs, CONTAINERS.reports, report.reportRef))!;
    const certifyCouldNotRead = full.checks.filter((c) => c.testId === 'IMG-001').map((c) => c.result === 'Failed');

    const provisionCouldNotRead: boolean[] = [];
    for (const disk of plan.disks) {
      const err = await replicateRegion(deps, ref, 'australiaeast', [disk], noControl()).then(() => undefined, (e: unknown) => e);
      if (err) expect(err).toMatchObject({ type: ErrorType.ImageNotFound, message: expect.stringContaining(disk.field) });
      provisionCouldNotRead.push(err !== undefined);
    }
    expect(certifyCouldNotRead).toEqual([false, false, true, true]);
    expect(provisionCouldNotRead).toEqual(certifyCouldNotRead);
    await cleanupRun(deps, ref, ['australiaeast']);
  });

  it('reports publisher-fixable source problems as non-retryable, without the SAS', async () => {
    const os = images.getPageBlobClient('os.vhd');
    const badSig = (await os.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) })).replace(
      /sig=[^&]+/,
      'sig=bm90LXRoZS1zaWduYXR1cmU%3D',
    );
    const block = images.getBlockBlobClient('not-a-page-blob.vhd');
    await block.upload('x', 1);
    const blockSas = await block.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) });

    // A bad SAS on an image in the control account does not matter (provision mints its own), so
    // the publisher's storage is played by another account of the emulator.
    const foreign = deps.regionAccounts.account('southindia').getContainerClient(`publisher-${randomUUID().slice(0, 8)}`);
    await foreign.create();
    const foreignOs = await uploadPageBlob(foreign, 'os.vhd', OS_LENGTH, osMark);
    const foreignBadSig = (await foreignOs.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) })).replace(
      /sig=[^&]+/,
      'sig=bm90LXRoZS1zaWduYXR1cmU%3D',
    );
    const ownBadSig = await newRun({ skus: [{ skuId: 'standard', diskVersions: [{ version: '1.0.0', osVhdUrl: badSig }] }] });
    await expect(replicateRegion(deps, ownBadSig, 'uksouth', [disks[0]], noControl())).resolves.toMatchObject({ disks: 1, skipped: 0 });
    await cleanupRun(deps, ownBadSig, ['uksouth']);

    const cases: Array<[string, string]> = [
      [foreignBadSig, ErrorType.ImageNotReadable],
      [blockSas, ErrorType.ImageNotPageBlob],
      [images.getBlobClient('missing.vhd').url, ErrorType.ImageNotFound],
      ['https://images.example.com/os.vhd?sig=secret', ErrorType.ImageUrlNotAllowed],
    ];
    for (const [url, type] of cases) {
      const ref = await newRun({ skus: [{ skuId: 'standard', diskVersions: [{ version: '1.0.0', osVhdUrl: url }] }] });
      const err = await replicateRegion(deps, ref, 'uksouth', [disks[0]], noControl()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ type, nonRetryable: true });
      expect((err as Error).message).toContain('skus[0].diskVersions[0].osVhdUrl');
      expect((err as Error).message).not.toMatch(/sig=|secret/);
    }
  });
});

describe('a region whose account refuses us', () => {
  it('fails with a retryable infrastructure failure naming the region and REGION_STORAGE, without the key', async () => {
    const s = testServices();
    const origin = new URL(/BlobEndpoint=([^;]+)/.exec(s.storageConnectionString)![1]).origin;
    const { name } = emulatorRegionAccount('eastus');
    const wrongKey = Buffer.alloc(64, 1).toString('base64');
    const deps = createActivityDeps(
      loadConfig({
        AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString,
        URL_ALLOW_LOOPBACK: 'true',
        OFFER_SECRETS_KEY: TEST_OFFER_SECRETS_KEY,
        REGIONS: 'eastus',
        REGION_STORAGE: JSON.stringify({ eastus: `DefaultEndpointsProtocol=http;AccountName=${name};AccountKey=${wrongKey};BlobEndpoint=${origin}/${name};` }),
      }),
    );
    const offerRef = await saveOfferSnapshot(deps, 'contoso', 'refused', { title: 'x' });
    const ref = { publisherId: 'contoso', offerId: 'refused', workflowId: 'publish/contoso/refused', runId: randomUUID(), offerRef };
    const err = (await replicateRegion(deps, ref, 'eastus', [], noControl()).catch((e: unknown) => e)) as Error;
    // Ours to fix: retried, and typed so the workflow does not tell the publisher to fix it.
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: ErrorType.RegionStorageUnavailable, nonRetryable: false });
    expect(err.message).toMatch(/^The storage account of region eastus could not be used \(check REGION_STORAGE\) \(403 AuthorizationFailure\)/);
    expect(err.message).not.toContain(wrongKey);
  });
});

/** The polling path, which Azurite never takes (it finishes copies at once): a pending copy. */
describe('copyDisk with a pending copy', () => {
  const source = { field: 'skus[0].diskVersions[0].osVhdUrl', copyUrl: 'https://a.blob.core.windows.net/i/os.vhd?sig=x', etag: '"e1"', length: 1000 };
  const label = { region: 'r', disk: 'os.vhd' };
  const fast = { firstMs: 5, maxMs: 5 };

  function fakeReplica(opts: { existing?: 'pending-same'; succeedAfterPolls?: number }) {
    const calls: string[] = [];
    let polls = 0;
    let exists = opts.existing !== undefined;
    let started = exists;
    const props = () => {
      const done = opts.succeedAfterPolls !== undefined && polls > opts.succeedAfterPolls;
      return {
        copyId: 'c1',
        copyStatus: done ? 'success' : 'pending',
        copyProgress: done ? '1000/1000' : `${Math.min(polls * 100, 900)}/1000`,
        contentLength: 1000,
        metadata: { sourceetag: '"e1"', sourcelength: '1000' },
      };
    };
    const replica = {
      async getProperties() {
        calls.push('getProperties');
        if (!exists) throw Object.assign(new Error('not found'), { statusCode: 404 });
        if (started) polls++;
        return props();
      },
      async beginCopyFromURL(_url: string, o?: { conditions?: { ifNoneMatch?: string } }) {
        if (exists && o?.conditions?.ifNoneMatch === '*') throw Object.assign(new Error('exists'), { statusCode: 409, code: 'BlobAlreadyExists' });
        calls.push('beginCopyFromURL');
        exists = started = true;
        return { getOperationState: () => ({ copyId: 'c1' }) };
      },
      async abortCopyFromURL(id: string) {
        calls.push(`abort:${id}`);
        return {};
      },
      async deleteIfExists() {
        calls.push('delete');
        exists = false;
        return { succeeded: true };
      },
    } as unknown as ReplicaClient;
    return { replica, calls };
  }

  it('heartbeats progress and, on cancel, aborts the copy and deletes the replica', async () => {
    const { replica, calls } = fakeReplica({});
    const abort = new AbortController();
    const beats: CopyProgress[] = [];
    const ctl = {
      heartbeat: (d?: unknown) => {
        beats.push(d as CopyProgress);
        if (beats.length === 3) abort.abort();
      },
      signal: abort.signal,
    };
    await expect(copyDisk(replica, source, ctl, label, fast)).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toContain('beginCopyFromURL');
    expect(calls.slice(-2)).toEqual(['abort:c1', 'delete']);
    // Only while the copy is pending: as the polls see it progress.
    expect(beats.map((b) => b.bytesCopied)).toEqual([100, 200, 300]);
  });

  it('follows a pending copy of the same source left by an earlier attempt instead of restarting it', async () => {
    const { replica, calls } = fakeReplica({ existing: 'pending-same', succeedAfterPolls: 3 });
    await expect(copyDisk(replica, source, noControl(), label, fast)).resolves.toBe('copied');
    expect(calls).not.toContain('beginCopyFromURL');
    expect(calls).not.toContain('delete');
  });
});
