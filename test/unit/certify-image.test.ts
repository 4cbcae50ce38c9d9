/**
 * The certification engine on real disk images (built with mke2fs -d and our MBR/GPT writer,
 * sparse), served over HTTP range reads as the `certify` step reads a blob: a compliant image on
 * MBR and on GPT, one failing image per rule, a Windows-shaped disk, and damaged images that must
 * give a Failed check, never a crash or a hang.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { AppConfig } from '../../config/env';
import type { CertificationCheck } from '../../domain/certification';
import type { RunRef } from '../../domain/pipeline';
import { certifyImages } from '../../activities/certify';
import { buildPlan } from '../../activities/validate/rules';
import { buildDiskImage, elfHeader, LINUX_ROOT_UUID, writeLinuxTree, type DiskImageSpec, type TreeOverrides } from '../../samples/disk-image';
import { startRangeServer, type RangeServer } from '../../samples/range-server';
import { validOffer } from '../../samples/offer';
import { GiB, MiB } from '../../domain/units';

const policy = { allowedHosts: [], allowLoopback: true, timeoutMs: 5000 };
const ref: RunRef = { publisherId: 'contoso', offerId: 'web', workflowId: 'publish/contoso/web', runId: 'run-1', offerRef: 'x' };
const blobs = {
  getContainerClient: () => ({ createIfNotExists: async () => undefined, getBlockBlobClient: () => ({ upload: async () => undefined }) }),
} as unknown as BlobServiceClient;

let dir: string;
let server: RangeServer;
let n = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certify-image-'));
  server = await startRangeServer();
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Layout = 'gpt' | 'mbr';

/** Builds a 30 GiB Linux image from the compliant tree with `overrides`, served over HTTP. */
async function linuxImage(overrides: TreeOverrides = {}, layout: Layout = 'gpt', extra: DiskImageSpec['partitions'] = []): Promise<string> {
  const tree = path.join(dir, `tree-${++n}`);
  await writeLinuxTree(tree, overrides);
  const root = { kind: 'linux' as const, fsTree: tree, fsUuid: LINUX_ROOT_UUID, sizeBytes: 20 * GiB };
  const partitions = layout === 'gpt' ? [{ kind: 'efi' as const, sizeBytes: 64 * MiB }, root, ...extra] : [root, ...extra];
  return serve(await build({ virtualSize: 30 * GiB, scheme: layout, partitions }));
}

async function build(spec: DiskImageSpec): Promise<string> {
  const file = path.join(dir, `disk-${++n}.vhd`);
  await buildDiskImage(file, spec);
  return file;
}

function serve(file: string): string {
  server.routes.set(`/${path.basename(file)}`, { file });
  return server.url(`/${path.basename(file)}?sig=SECRET`);
}

async function certify(url: string, family = 'Linux', opts: { signal?: AbortSignal } = {}) {
  const offer = validOffer({ osVhdUrl: url });
  offer.skus![0].os!.family = family;
  const result = await certifyImages({ config: { urlPolicy: policy } as unknown as AppConfig, blobs }, ref, offer, buildPlan(offer), opts);
  return result;
}

const failedIds = (checks: CertificationCheck[]) => checks.filter((c) => c.result === 'Failed').map((c) => c.testId);

describe('a compliant Linux image', () => {
  it.each<Layout>(['gpt', 'mbr'])('passes every check on %s, reading a tiny share of the image', async (layout) => {
    const result = await certify(await linuxImage({}, layout));
    expect(result.notable).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.checkCount).toBeGreaterThanOrEqual(25);
    expect(result.bytesRead).toBeLessThan(2 * MiB); // of 30 GiB
  });
});

describe('one failing image per rule', () => {
  const cases: Array<[string, string, TreeOverrides]> = [
    ['agent too old', 'LNX-039', { '/usr/lib/python3/dist-packages/azurelinuxagent/common/version.py': "AGENT_VERSION = '2.2.40'\n" }],
    ['agent missing', 'LNX-039', { '/usr/sbin/waagent': null, '/usr/lib/python3/dist-packages/azurelinuxagent/common/version.py': null }],
    ['auto-update off', 'LNX-051', { '/etc/waagent.conf': 'AutoUpdate.Enabled=n\n' }],
    [
      'no serial console',
      'LNX-040',
      {
        '/etc/default/grub': 'GRUB_CMDLINE_LINUX="quiet splash"\n',
        '/boot/grub/grub.cfg': "menuentry 'Ubuntu' {\n  linux /boot/vmlinuz-5.15.0-91-generic root=UUID=x ro quiet splash\n}\n",
      },
    ],
    ['swap in fstab', 'LNX-041', { '/etc/fstab': `UUID=${LINUX_ROOT_UUID} / ext4 defaults 0 1\n/swapfile none swap sw 0 0\n` }],
    ['no OpenSSL', 'LNX-044', { '/usr/bin/openssl': null, '/var/lib/dpkg/status': 'Package: python3\nStatus: install ok installed\nVersion: 3.10.6-1~22.04\n\n' }],
    [
      'no Python',
      'LNX-045',
      { '/usr/bin/python3': null, '/usr/bin/python3.10': null, '/var/lib/dpkg/status': 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.2-0ubuntu1.12\n\n' },
    ],
    ['ClientAliveInterval too high', 'LNX-046', { '/etc/ssh/sshd_config': 'ClientAliveInterval 300\n' }],
    ['long bash history', 'LNX-048', { '/home/azureuser/.bash_history': 'ls -la\n'.repeat(300) }],
    ['ARM binaries', 'LNX-049', { '/bin/sh': elfHeader(0xb7, 'dash') }],
    ['an account with a password', 'LNX-100', { '/etc/shadow': 'root:!:19000:0:99999:7:::\nadmin:$6$salt$abcdefghijk:19000:0:99999:7:::\n' }],
    ['root not locked', 'LNX-101', { '/etc/shadow': 'root:$6$salt$abcdefghijk:19000:0:99999:7:::\n' }],
    ['no os-release', 'LNX-102', { '/etc/os-release': null, '/usr/lib/os-release': null }],
  ];

  it.each(cases)('%s fails %s, with a remediation, and nothing else', async (_name, testId, overrides) => {
    const result = await certify(await linuxImage(overrides));
    expect(result.passed).toBe(false);
    expect(failedIds(result.notable)).toEqual([testId]);
    const failed = result.notable.find((c) => c.testId === testId)!;
    expect(failed.remediation.length).toBeGreaterThan(20);
    expect(failed.requiredValue).toBeTruthy();
    expect(JSON.stringify(result)).not.toMatch(/SECRET|\$6\$/);
  });

  it('a swap partition on the OS disk fails PART-003', async () => {
    const result = await certify(await linuxImage({}, 'gpt', [{ kind: 'swap', sizeBytes: 2 * GiB }]));
    expect(failedIds(result.notable)).toEqual(['PART-003']);
  });

  it('LVM is a warning, not a failure', async () => {
    const result = await certify(await linuxImage({}, 'mbr', [{ kind: 'lvm', sizeBytes: 2 * GiB }]));
    expect(result.passed).toBe(true);
    expect(result.notable).toEqual([expect.objectContaining({ testId: 'PART-004', result: 'Warning' })]);
  });

  it('two root filesystems fail PART-002', async () => {
    const other = path.join(dir, `tree-${++n}`);
    await writeLinuxTree(other);
    const result = await certify(await linuxImage({}, 'gpt', [{ kind: 'linux', fsTree: other, sizeBytes: 2 * GiB }]));
    expect(failedIds(result.notable)).toEqual(['PART-002']);
  });

  it('a missing rootdelay is only a warning', async () => {
    const args = 'console=ttyS0 earlyprintk=ttyS0';
    const result = await certify(
      await linuxImage({
        '/etc/default/grub': `GRUB_CMDLINE_LINUX="${args}"\n`,
        '/boot/grub/grub.cfg': `menuentry 'Ubuntu' {\n  linux /boot/vmlinuz-5.15.0-91-generic root=UUID=x ro ${args}\n}\n`,
      }),
    );
    expect(result.passed).toBe(true);
    expect(result.notable).toEqual([expect.objectContaining({ testId: 'LNX-103', result: 'Warning' })]);
  });
});

describe('a Windows-shaped disk', () => {
  it('recognises NTFS and reports OS-level checks as not applicable', async () => {
    const file = await build({ virtualSize: 40 * GiB, scheme: 'gpt', partitions: [{ kind: 'efi', sizeBytes: 100 * MiB }, { kind: 'ntfs', ntfsBootSector: true }] });
    const offer = serve(file);
    const result = await certify(offer, 'Windows');
    expect(result.passed).toBe(true);
    const report = result.notable;
    expect(report).toEqual([]);
    const none = await certify(serve(await build({ virtualSize: 40 * GiB, scheme: 'gpt', partitions: [{ kind: 'ntfs' }] })), 'Windows');
    expect(failedIds(none.notable)).toEqual(['WIN-001']);
  });
});

describe('damaged images give a Failed check, never a crash or a hang', () => {
  async function damaged(patch: (fd: number, partitionStart: number) => void): Promise<string> {
    const tree = path.join(dir, `tree-${++n}`);
    await writeLinuxTree(tree);
    const file = path.join(dir, `disk-${++n}.vhd`);
    const built = await buildDiskImage(file, { virtualSize: 30 * GiB, scheme: 'gpt', partitions: [{ kind: 'linux', fsTree: tree, fsUuid: LINUX_ROOT_UUID }] });
    const fd = fs.openSync(file, 'r+');
    patch(fd, built.partitions[0].startByte);
    fs.closeSync(fd);
    return serve(file);
  }
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return b;
  };

  it('a filesystem claiming more blocks than its partition', async () => {
    // s_blocks_count_lo at superblock offset 4 (the superblock starts 1024 bytes into the filesystem).
    const result = await certify(await damaged((fd, start) => fs.writeSync(fd, u32(0xfffffff0), 0, 4, start + 1024 + 4)));
    // No readable root: the root filesystem check fails, and so does "exactly one root partition".
    expect(failedIds(result.notable)).toEqual(['PART-002', 'FS-001']);
    expect(result.notable.find((c) => c.testId === 'FS-001')!.actualValue).toMatch(/partition 1/);
  });

  it('an inode table pointing past the end of the filesystem', async () => {
    // Group descriptor 0 lives in the block after the superblock (4 KiB blocks: at 4096); bg_inode_table_lo at +8.
    const result = await certify(await damaged((fd, start) => fs.writeSync(fd, u32(0x7ffffff0), 0, 4, start + 4096 + 8)));
    expect(result.passed).toBe(false);
    expect(failedIds(result.notable).some((id) => id === 'FS-001' || id === 'IMG-002')).toBe(true);
  });

  it('a GPT whose entries overlap the end of the disk', async () => {
    // First entry's last LBA (entries at LBA 2, last LBA at +40) far past the disk.
    const result = await certify(
      await damaged((fd) => {
        const lba = Buffer.alloc(8);
        lba.writeBigUInt64LE(1n << 40n);
        fs.writeSync(fd, lba, 0, 8, 2 * 512 + 40);
      }),
    );
    expect(failedIds(result.notable)).toEqual(expect.arrayContaining(['PART-001']));
  });

  it('a blob cut short of its footer', async () => {
    const file = path.join(dir, `disk-${++n}.vhd`);
    const tree = path.join(dir, `tree-${++n}`);
    await writeLinuxTree(tree);
    await buildDiskImage(file, { virtualSize: 30 * GiB, scheme: 'gpt', partitions: [{ kind: 'linux', fsTree: tree }] });
    fs.truncateSync(file, 20 * GiB);
    const result = await certify(serve(file));
    expect(failedIds(result.notable)).toEqual(['VHD-001']);
  });

  it('cancelling stops a slow read promptly', async () => {
    const file = await build({ virtualSize: 30 * GiB, scheme: 'gpt', partitions: [{ kind: 'linux', fsTree: await (async () => { const t = path.join(dir, `tree-${++n}`); await writeLinuxTree(t); return t; })() }] });
    const name = `/${path.basename(file)}`;
    server.routes.set(name, { file, delayMs: 2000 });
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(new Error('canceled')), 200);
    await expect(certify(server.url(name), 'Linux', { signal: abort.signal })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
