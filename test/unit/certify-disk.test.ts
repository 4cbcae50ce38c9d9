import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { AppConfig } from '../../config/env';
import type { CertificationCheck, CertificationReport } from '../../domain/certification';
import type { DiskRef, RunRef } from '../../domain/pipeline';
import { openBlockDevice, type BlockDevice } from '../../lib/net/block-device';
import type { UrlPolicy } from '../../lib/net/url-policy';
import { certifyImages, checkDisk, checkDiskLayout } from '../../activities/certify';
import { parseVhdFooter } from '../../activities/certify/vhd-footer';
import { CONTAINERS, reportBlobName } from '../../lib/storage/layout';
import { buildPlan } from '../../activities/validate/rules';
import { startRangeServer, type RangeServer } from '../../samples/range-server';
import { vhdFooterBytes, writeSparseVhd, type VhdFixtureOptions } from '../../samples/vhd-writer';
import { GiB, MiB } from '../../domain/units';
import { buildSampleLinuxDisk } from '../../samples/disk-image';
import { validOffer } from '../../samples/offer';

const dev: UrlPolicy = { allowedHosts: ['.blob.core.windows.net'], allowLoopback: true, timeoutMs: 5000 };
const osDisk: DiskRef = { skuId: 'standard', version: '1.0.0', role: 'os', field: 'skus[0].diskVersions[0].osVhdUrl', blobName: 'standard/1.0.0/os.vhd' };
const dataDisk: DiskRef = { ...osDisk, role: 'data', lun: 0, field: 'skus[0].diskVersions[0].dataDisks[0].vhdUrl', blobName: 'standard/1.0.0/data-0.vhd' };

let dir: string;
let server: RangeServer;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certify-'));
  server = await startRangeServer();
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await server?.close();
});

/** A sparse VHD in the temp dir, served at /<name> too; returns its file: and http URLs. */
async function image(opts: VhdFixtureOptions): Promise<{ file: string; http: string }> {
  const path = join(dir, `disk-${++n}.vhd`);
  await writeSparseVhd(path, opts);
  server.routes.set(`/disk-${n}.vhd`, { file: path });
  return { file: pathToFileURL(path).href, http: server.url(`/disk-${n}.vhd?sv=1&sig=SECRET`) };
}

/** A certifiable 30 GiB Linux OS disk (GPT, EFI + ext4 root of a compliant tree), sparse. */
async function linuxImage(): Promise<{ file: string; http: string }> {
  const path = join(dir, `disk-${++n}.vhd`);
  await buildSampleLinuxDisk(path, { virtualSize: 30 * GiB });
  server.routes.set(`/disk-${n}.vhd`, { file: path });
  return { file: pathToFileURL(path).href, http: server.url(`/disk-${n}.vhd?sv=1&sig=SECRET`) };
}

async function run(url: string, disk = osDisk, family = 'Linux'): Promise<{ checks: CertificationCheck[]; bytesRead: number }> {
  const device = await openBlockDevice(url, { policy: dev });
  try {
    return { checks: await checkDisk(device, disk, family), bytesRead: device.bytesRead };
  } finally {
    await device.close();
  }
}

/** A device that is all zeros but for a footer: for sizes no test should write to disk. */
function memoryDevice(opts: VhdFixtureOptions): BlockDevice {
  const length = opts.fileLength ?? opts.virtualSize + 512;
  const footer = vhdFooterBytes(opts);
  return {
    label: 'memory',
    bytesRead: 0,
    bytesServed: 0,
    size: async () => length,
    read: async (offset, len) => {
      const out = Buffer.alloc(len);
      const start = length - 512;
      if (offset + len > start) footer.copy(out, Math.max(0, start - offset), Math.max(0, offset - start));
      return out;
    },
    close: async () => undefined,
  };
}

const result = (checks: CertificationCheck[], id: string) => checks.find((c) => c.testId === id)!;
const summary = (checks: CertificationCheck[]) => Object.fromEntries(checks.map((c) => [c.testId, c.result]));

describe('parseVhdFooter', () => {
  it('parses a footer written from the specification', () => {
    const parsed = parseVhdFooter(vhdFooterBytes({ virtualSize: 30 * GiB }));
    expect(parsed).toMatchObject({ cookieOk: true, checksumOk: true, problems: [] });
    expect(parsed.footer).toMatchObject({
      cookie: 'conectix',
      formatVersion: 0x00010000,
      dataOffset: 0xffffffffffffffffn,
      creatorApplication: 'qemu',
      creatorHostOs: 'Wi2k',
      originalSize: 30 * GiB,
      currentSize: 30 * GiB,
      diskType: 2,
      diskTypeName: 'Fixed',
      savedState: 0,
    });
    expect(parsed.footer!.geometry.heads).toBe(16);
    expect(parsed.footer!.uniqueId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('never throws on garbage', () => {
    for (let i = 0; i < 20; i++) {
      const junk = Buffer.from(Array.from({ length: 512 }, () => Math.floor(Math.random() * 256)));
      const parsed = parseVhdFooter(junk);
      expect(parsed.cookieOk).toBe(false);
      expect(parsed.problems.length).toBeGreaterThan(0);
    }
    expect(parseVhdFooter(Buffer.alloc(100))).toEqual({ cookieOk: false, checksumOk: false, problems: [expect.stringMatching(/got 100/)] });
    expect(parseVhdFooter(vhdFooterBytes({ virtualSize: 30 * GiB, badChecksum: true })).checksumOk).toBe(false);
  });
});

describe('checkDisk', () => {
  it('passes a good fixed 30 GiB VHD over file: and HTTP, reading well under 1 MiB', async () => {
    const urls = await image({ virtualSize: 30 * GiB });
    for (const url of [urls.file, urls.http]) {
      const { checks, bytesRead } = await run(url);
      expect(summary(checks)).toEqual({
        'VHD-001': 'Passed', 'VHD-002': 'Passed', 'VHD-003': 'Passed', 'VHD-004': 'Passed',
        'VHD-005': 'Passed', 'VHD-006': 'Passed', 'VHD-007': 'Passed',
      });
      expect(checks.every((c) => c.disk === 'standard 1.0.0 OS disk' && c.remediation === '')).toBe(true);
      expect(bytesRead).toBeGreaterThan(0);
      expect(bytesRead).toBeLessThan(1 * MiB);
      expect(JSON.stringify(checks)).not.toContain('SECRET');
    }
  });

  it('fails a dynamic VHD, telling how to convert it', async () => {
    const { checks } = await run((await image({ virtualSize: 30 * GiB, diskType: 3, fileLength: 2 * MiB })).http);
    const c = result(checks, 'VHD-003');
    expect(c).toMatchObject({ result: 'Failed', actualValue: 'disk type 3 (Dynamic)', requiredValue: 'disk type 2 (Fixed)' });
    expect(c.remediation).toContain('qemu-img convert -f vpc -O vpc -o subformat=fixed,force_size');
    expect(c.remediation).toContain('Convert-VHD');
    expect(c.remediation).toContain('-VHDType Fixed');
    expect(result(checks, 'VHD-006').result).toBe('NotApplicable');
  });

  it('fails a bad checksum', async () => {
    const { checks } = await run((await image({ virtualSize: 30 * GiB, badChecksum: true })).file);
    expect(result(checks, 'VHD-002')).toMatchObject({ result: 'Failed', actualValue: expect.stringMatching(/^0x[0-9a-f]{8}$/) });
    expect(result(checks, 'VHD-001').result).toBe('Passed');
  });

  it('fails a missing footer, naming a VHDX', async () => {
    const { checks } = await run((await image({ virtualSize: 30 * GiB, cookie: 'notavhd!' })).http);
    expect(result(checks, 'VHD-001')).toMatchObject({ result: 'Failed', actualValue: expect.stringMatching(/no "conectix" cookie/) });
    expect(checks.filter((c) => c.testId !== 'VHD-001').every((c) => c.result === 'NotApplicable')).toBe(true);
    expect(checks).toHaveLength(7);

    const vhdx = join(dir, 'disk.vhdx');
    await writeFile(vhdx, Buffer.concat([Buffer.from('vhdxfile'), Buffer.alloc(4096)]));
    const sniffed = await run(pathToFileURL(vhdx).href);
    expect(result(sniffed.checks, 'VHD-001').actualValue).toMatch(/looks like a VHDX file/);
    expect(result(sniffed.checks, 'VHD-001').remediation).toContain('subformat=fixed');

    const tiny = join(dir, 'tiny.vhd');
    await writeFile(tiny, Buffer.alloc(100));
    expect(result((await run(pathToFileURL(tiny).href)).checks, 'VHD-001').actualValue).toBe('the blob is only 100 bytes');
  });

  it('fails a virtual size that is not a whole number of MiB, giving the size to resize to', async () => {
    const { checks } = await run((await image({ virtualSize: 30 * GiB + 512 })).file);
    const c = result(checks, 'VHD-005');
    expect(c.result).toBe('Failed');
    expect(c.remediation).toContain(`qemu-img resize -f raw disk.raw ${30 * 1024 + 1}M`);
    expect(c.remediation).toContain(`Resize-VHD -Path disk.vhd -SizeBytes ${30 * 1024 + 1}MB`);
    expect(result(checks, 'VHD-006').result).toBe('Passed');
  });

  it('fails a disk under 20 MiB', async () => {
    const { checks } = await run((await image({ virtualSize: 10 * MiB })).file, dataDisk);
    expect(summary(checks)).toMatchObject({ 'VHD-004': 'Failed', 'VHD-005': 'Passed', 'VHD-008': 'Passed' });
    expect(checks[0].disk).toBe('standard 1.0.0 data disk LUN 0');
  });

  it('fails a blob whose length is not virtual size + 512', async () => {
    const { checks } = await run((await image({ virtualSize: 30 * GiB, fileLength: 30 * GiB + 512 + 4096 })).http);
    expect(result(checks, 'VHD-006')).toMatchObject({ result: 'Failed', requiredValue: `blob length ${30 * GiB + 512} bytes (virtual size + 512)` });
    expect(result(checks, 'VHD-006').remediation).toContain('--blob-type PageBlob');
  });

  it('applies the OS disk size limits of each family, and the data disk limit', async () => {
    const os = async (family: string, size: number) => result(await checkDisk(memoryDevice({ virtualSize: size }), osDisk, family), 'VHD-007').result;
    expect(await os('Windows', 20 * GiB)).toBe('Failed');
    expect(await os('Windows', 30 * GiB)).toBe('Passed');
    expect(await os('Windows', 50 * GiB)).toBe('Passed');
    expect(await os('Windows', 100 * GiB)).toBe('Warning');
    expect(await os('Windows', 251 * GiB)).toBe('Failed');
    expect(await os('Linux', 512 * MiB)).toBe('Failed');
    expect(await os('Linux', 1023 * GiB)).toBe('Passed');
    expect(await os('Linux', 1024 * GiB)).toBe('Failed');
    const data = await checkDisk(memoryDevice({ virtualSize: 1024 * GiB }), dataDisk, 'Linux');
    expect(result(data, 'VHD-008').result).toBe('Failed');
    expect(data.some((c) => c.testId === 'VHD-007')).toBe(false);
  });
});

describe('checkDiskLayout', () => {
  const data = (lun: number): DiskRef => ({ ...dataDisk, lun });
  it('checks data disk count and LUN order per image', () => {
    expect(summary(checkDiskLayout([osDisk, data(0), data(1)]))).toEqual({ 'DISK-001': 'Passed', 'DISK-002': 'Passed' });
    const gap = checkDiskLayout([osDisk, data(0), data(2)]);
    expect(result(gap, 'DISK-002')).toMatchObject({ result: 'Failed', actualValue: 'LUNs 0, 2', requiredValue: 'LUNs 0, 1', disk: 'standard 1.0.0' });
    const many = checkDiskLayout([osDisk, ...Array.from({ length: 17 }, (_, i) => data(i))]);
    expect(result(many, 'DISK-001')).toMatchObject({ result: 'Failed', actualValue: '17 data disks' });
  });
});

describe('certifyImages', () => {
  const ref: RunRef = { publisherId: 'contoso', offerId: 'web', workflowId: 'publish/contoso/web', runId: 'run-1', offerRef: 'contoso/web/x.json' };

  function fakeBlobs() {
    const stored = new Map<string, string>();
    const blobs = {
      getContainerClient: (container: string) => ({
        createIfNotExists: async () => undefined,
        getBlockBlobClient: (name: string) => ({
          upload: async (body: string) => void stored.set(`${container}/${name}`, body),
        }),
      }),
    } as unknown as BlobServiceClient;
    return { blobs, stored };
  }

  const deps = (policy: UrlPolicy, blobs: BlobServiceClient) => ({ config: { urlPolicy: policy } as AppConfig, blobs });

  it('certifies every disk, stores the full report and returns the notable checks', async () => {
    const good = await linuxImage();
    const dynamic = await image({ virtualSize: 30 * GiB, diskType: 3, fileLength: 4 * MiB });
    const offer = validOffer({ osVhdUrl: good.http, dataDiskUrls: [dynamic.file, server.url('/gone.vhd?sig=SECRET')] });
    const plan = buildPlan(offer);
    const { blobs, stored } = fakeBlobs();
    const beats: unknown[] = [];

    const res = await certifyImages(deps(dev, blobs), ref, offer, plan, { heartbeat: (d) => beats.push(d) });

    expect(res.passed).toBe(false);
    expect(res.reportRef).toBe(reportBlobName(ref, 'certify'));
    expect(res.notable.map((c) => `${c.testId} ${c.result} ${c.disk}`)).toEqual([
      'VHD-003 Failed standard 1.0.0 data disk LUN 0',
      'IMG-001 Failed standard 1.0.0 data disk LUN 1',
    ]);
    expect(res.notable[1].actualValue).toMatch(/HTTP 404/);
    expect(res.bytesRead).toBeLessThan(1 * MiB);
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(beats)).not.toContain('SECRET');

    const report = JSON.parse(stored.get(`${CONTAINERS.reports}/${res.reportRef}`)!) as CertificationReport;
    expect(report).toMatchObject({ publisherId: 'contoso', offerId: 'web', runId: 'run-1', passed: false, bytesRead: res.bytesRead });
    expect(report.checks).toHaveLength(res.checkCount);
    expect(report.checks.filter((c) => c.testId === 'IMG-001').map((c) => c.result)).toEqual(['Passed', 'Passed', 'Failed']);
    expect(report.checks.map((c) => c.testId)).toEqual(expect.arrayContaining(['DISK-001', 'DISK-002']));
    expect(JSON.stringify(report)).not.toContain('SECRET');
  });

  it('passes a good offer, down to the OS inside the image', async () => {
    const good = await linuxImage();
    const offer = validOffer({ osVhdUrl: good.file });
    const { blobs, stored } = fakeBlobs();
    const res = await certifyImages(deps(dev, blobs), ref, offer, buildPlan(offer));
    expect(res).toMatchObject({ passed: true, notable: [] });
    const ids = (JSON.parse(stored.get(`${CONTAINERS.reports}/${res.reportRef}`)!) as CertificationReport).checks.map((c) => c.testId);
    expect(ids).toEqual(expect.arrayContaining(['VHD-001', 'PART-001', 'PART-002', 'PART-003', 'FS-001', 'LNX-039', 'LNX-051', 'LNX-040', 'LNX-049']));
  });

  it('reports a policy refusal as a Failed check, not a crash', async () => {
    const good = await image({ virtualSize: 30 * GiB });
    const offer = validOffer({ osVhdUrl: good.http });
    const { blobs } = fakeBlobs();
    const res = await certifyImages(deps({ ...dev, allowLoopback: false }, blobs), ref, offer, buildPlan(offer));
    expect(res.passed).toBe(false);
    expect(res.notable).toEqual([expect.objectContaining({ testId: 'IMG-001', result: 'Failed', actualValue: expect.stringMatching(/only https URLs are allowed/) })]);
    expect(JSON.stringify(res)).not.toContain('SECRET');
  });

  it('stops promptly when aborted', async () => {
    const good = await image({ virtualSize: 30 * GiB });
    server.routes.set('/slow.vhd', { file: fileURLToPath(good.file), delayMs: 5000 });
    const offer = validOffer({ osVhdUrl: server.url('/slow.vhd') });
    const { blobs, stored } = fakeBlobs();
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error('activity cancelled')), 100);
    await expect(certifyImages(deps(dev, blobs), ref, offer, buildPlan(offer), { signal: ac.signal })).rejects.toThrow('activity cancelled');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(stored.size).toBe(0);
  });
});
