import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { openBlockDevice, type BlockDevice } from '../../lib/net/block-device';
import { partitionChecks, readPartitionTable } from '../../activities/certify/partitions';
import type { PartitionTable } from '../../activities/certify/image-types';
import { buildDiskImage, LINUX_ROOT_UUID, writeLinuxTree, type DiskImageSpec } from '../../samples/disk-image';
import { GiB, MiB } from '../../domain/units';

const run = promisify(execFile);
const policy = { allowedHosts: [], allowLoopback: true, timeoutMs: 5000 };
const ROOT_X64 = '4f68bce3-e8cd-4db1-96e7-fbcaf984b709';

let dir: string;
let tree: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'partitions-'));
  tree = join(dir, 'tree');
  await writeLinuxTree(tree);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function build(spec: DiskImageSpec) {
  const path = join(dir, `disk-${++n}.vhd`);
  return { path, ...(await buildDiskImage(path, spec)) };
}

/** Reads the table through a file-backed block device; returns it and the bytes transferred. */
async function table(path: string, diskSize?: number): Promise<{ t: PartitionTable; bytesRead: number }> {
  const dev: BlockDevice = await openBlockDevice(pathToFileURL(path).href, { policy });
  try {
    const t = await readPartitionTable(dev, diskSize ?? (await dev.size()) - 512);
    return { t, bytesRead: dev.bytesRead };
  } finally {
    await dev.close();
  }
}

async function patch(path: string, at: number, bytes: Buffer): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.write(bytes, 0, bytes.length, at);
  } finally {
    await fh.close();
  }
}

/** A raw (footer-less) sparse disk with the given MBR entries; returns its path. */
async function rawMbr(size: number, entries: Array<[type: number, lba: number, sectors: number]>, extra: Array<[number, Buffer]> = []): Promise<string> {
  const path = join(dir, `raw-${++n}.img`);
  const fh = await open(path, 'w');
  await fh.truncate(size);
  await fh.close();
  await patch(path, 0, mbr(entries));
  for (const [at, buf] of extra) await patch(path, at, buf);
  return path;
}

function mbr(entries: Array<[type: number, lba: number, sectors: number]>): Buffer {
  const s = Buffer.alloc(512);
  entries.forEach(([type, lba, sectors], i) => {
    s[446 + 16 * i + 4] = type;
    s.writeUInt32LE(lba, 446 + 16 * i + 8);
    s.writeUInt32LE(sectors, 446 + 16 * i + 12);
  });
  s.writeUInt16BE(0x55aa, 510);
  return s;
}

const osOpts = (rootPartitions: number[]) => ({ role: 'os' as const, osFamily: 'Linux', disk: 'standard 1.0.0 OS disk', rootPartitions });
const byId = (checks: ReturnType<typeof partitionChecks>) => Object.fromEntries(checks.map((c) => [c.testId, c]));

describe('MBR', () => {
  it('parses partitions built by buildDiskImage, with a valid ext4 inside', async () => {
    const img = await build({
      virtualSize: 2 * GiB,
      scheme: 'mbr',
      partitions: [{ kind: 'linux', sizeBytes: GiB, fsTree: tree, fsUuid: LINUX_ROOT_UUID }, { kind: 'swap', sizeBytes: 256 * MiB }, { kind: 'lvm' }],
    });
    const { t } = await table(img.path);
    expect(t.problems).toEqual([]);
    expect(t.scheme).toBe('mbr');
    expect(t.partitions.map((p) => [p.number, p.kind, p.typeId, p.startByte, p.sizeBytes])).toEqual([
      [1, 'linux', '0x83', MiB, GiB],
      [2, 'swap', '0x82', MiB + GiB, 256 * MiB],
      [3, 'lvm', '0x8e', 2 * MiB + GiB + 256 * MiB - MiB, 2 * GiB - (MiB + GiB + 256 * MiB)],
    ]);
    expect(t.partitions.map((p) => [p.startByte, p.sizeBytes])).toEqual(img.partitions.map((p) => [p.startByte, p.sizeBytes]));

    // The filesystem mke2fs wrote inside the partition is consistent and holds the tree.
    const fs = `${img.path}?offset=${MiB}`;
    await run('e2fsck', ['-fn', fs]);
    const { stdout } = await run('debugfs', ['-R', 'cat /etc/os-release', fs]);
    expect(stdout).toContain('VERSION_ID="22.04"');
    const { stdout: uuid } = await run('debugfs', ['-R', 'stats', fs]);
    expect(uuid).toContain(LINUX_ROOT_UUID);
    const { stdout: link } = await run('debugfs', ['-R', 'stat /usr/bin/python3', fs]);
    expect(link).toContain('Fast link dest: "python3.10"');

    const checks = byId(partitionChecks(t, osOpts([1])));
    expect(checks['PART-001'].result).toBe('Passed');
    expect(checks['PART-002'].result).toBe('Passed');
    expect(checks['PART-003']).toMatchObject({ result: 'Failed', disk: 'standard 1.0.0 OS disk' });
    expect(checks['PART-003'].remediation).toContain('ResourceDisk.EnableSwap=y');
    expect(checks['PART-004'].result).toBe('Warning');
    expect(checks['PART-004'].remediation).toMatch(/LVM is discouraged/);
  });

  it('reports a partition past the end of the disk and leaves it out', async () => {
    const path = await rawMbr(64 * MiB, [[0x83, 2048, 20480], [0x83, 22528, 200000]]);
    const { t } = await table(path, 64 * MiB);
    expect(t.partitions.map((p) => p.number)).toEqual([1]);
    expect(t.problems).toEqual([expect.stringMatching(/partition 2 .*outside the disk/)]);
    expect(byId(partitionChecks(t, osOpts([1])))['PART-001']).toMatchObject({ result: 'Failed', actualValue: expect.stringContaining('outside the disk') });
  });

  it('reports overlapping and zero-size partitions', async () => {
    const path = await rawMbr(64 * MiB, [[0x83, 2048, 20480], [0x82, 20480, 4096], [0x83, 40000, 0]]);
    const { t } = await table(path, 64 * MiB);
    expect(t.problems).toEqual([expect.stringContaining('no sectors'), 'partitions 1 and 2 overlap']);
  });

  it('follows an EBR chain to logical partitions', async () => {
    const ext = 2048;
    const ebr1 = mbr([[0x83, 2048, 4096], [0x05, 8192, 8192]]); // next EBR at ext+8192
    const ebr2 = mbr([[0x82, 2048, 4096]]);
    const path = await rawMbr(64 * MiB, [[0x05, ext, 32768]], [[ext * 512, ebr1], [(ext + 8192) * 512, ebr2]]);
    const { t } = await table(path, 64 * MiB);
    expect(t.problems).toEqual([]);
    expect(t.partitions.map((p) => [p.number, p.kind, p.startByte / 512, p.sizeBytes / 512])).toEqual([
      [1, 'extended', ext, 32768],
      [5, 'linux', ext + 2048, 4096],
      [6, 'swap', ext + 8192 + 2048, 4096],
    ]);
  });

  it('stops at an EBR chain that loops', async () => {
    const ext = 2048;
    const ebr1 = mbr([[0x83, 2048, 1024], [0x05, 4096, 4096]]);
    const ebr2 = mbr([[0x83, 2048, 1024], [0x05, 0, 4096]]); // back to the first EBR
    const path = await rawMbr(64 * MiB, [[0x0f, ext, 32768]], [[ext * 512, ebr1], [(ext + 4096) * 512, ebr2]]);
    const { t } = await table(path, 64 * MiB);
    expect(t.partitions.map((p) => p.number)).toEqual([1, 5, 6]);
    expect(t.problems).toEqual([expect.stringContaining('loops back to sector 2048')]);
  });

  it('treats a disk without the 55 AA signature, or with a boot sector at byte 0, as having no table', async () => {
    const blank = await build({ virtualSize: 32 * MiB, scheme: 'none', partitions: [] });
    expect((await table(blank.path)).t).toEqual({ scheme: 'none', partitions: [], problems: [] });
    const ntfs = await build({ virtualSize: 32 * MiB, scheme: 'none', partitions: [{ kind: 'ntfs', ntfsBootSector: true }] });
    expect((await table(ntfs.path)).t.scheme).toBe('none');

    const t: PartitionTable = { scheme: 'none', partitions: [], problems: [] };
    expect(byId(partitionChecks(t, osOpts([])))['PART-001'].result).toBe('Failed');
    expect(byId(partitionChecks(t, osOpts([])))['PART-002'].result).toBe('Failed');
    const data = partitionChecks(t, { role: 'data', osFamily: 'Linux', disk: 'data', rootPartitions: [] });
    expect(data.map((c) => [c.testId, c.result])).toEqual([['PART-001', 'Passed']]);
  });
});

describe('GPT', () => {
  const gptSpec: DiskImageSpec = {
    virtualSize: 2 * GiB,
    scheme: 'gpt',
    partitions: [
      { kind: 'efi', sizeBytes: 100 * MiB, name: 'EFI System' },
      { kind: 'linux', sizeBytes: GiB, fsTree: undefined, gptType: ROOT_X64, name: 'root' },
      { kind: 'ntfs', ntfsBootSector: true, name: 'Basic data' },
    ],
  };

  it('parses partitions built by buildDiskImage, with a valid ext4 inside', async () => {
    const img = await build({ ...gptSpec, partitions: gptSpec.partitions.map((p) => (p.kind === 'linux' ? { ...p, fsTree: tree } : p)) });
    const { t } = await table(img.path);
    expect(t.problems).toEqual([]);
    expect(t.scheme).toBe('gpt');
    expect(t.partitions.map((p) => [p.number, p.kind, p.typeId, p.name])).toEqual([
      [1, 'efi', 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', 'EFI System'],
      [2, 'linux', ROOT_X64, 'root'],
      [3, 'ntfs', 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7', 'Basic data'],
    ]);
    expect(t.partitions.map((p) => [p.startByte, p.sizeBytes])).toEqual(img.partitions.map((p) => [p.startByte, p.sizeBytes]));
    expect(img.partitions[2].startByte + img.partitions[2].sizeBytes).toBe(2 * GiB - MiB);
    await run('e2fsck', ['-fn', `${img.path}?offset=${img.partitions[1].startByte}`]);
    expect(partitionChecks(t, osOpts([2])).map((c) => [c.testId, c.result])).toEqual([
      ['PART-001', 'Passed'],
      ['PART-002', 'Passed'],
      ['PART-003', 'Passed'],
      ['PART-004', 'Passed'],
    ]);
  });

  it('reports a damaged primary header and uses the backup', async () => {
    const img = await build(gptSpec);
    await patch(img.path, 512 + 60, Buffer.from([0x42])); // inside the disk GUID
    const { t } = await table(img.path);
    expect(t.problems).toEqual([expect.stringContaining("primary GPT header's CRC32 is wrong")]);
    expect(t.partitions.map((p) => p.kind)).toEqual(['efi', 'linux', 'ntfs']);
    expect(byId(partitionChecks(t, osOpts([2])))['PART-001'].result).toBe('Failed');
  });

  it('reports damaged entries (primary, then both copies)', async () => {
    const img = await build(gptSpec);
    await patch(img.path, 2 * 512 + 60, Buffer.from('X')); // first entry's name
    let { t } = await table(img.path);
    expect(t.problems).toEqual([expect.stringContaining("primary GPT partition entries' CRC32 is wrong")]);
    expect(t.partitions[0].name).toBe('EFI System'); // from the backup

    const backupEntries = 2 * GiB - 33 * 512;
    await patch(img.path, backupEntries + 60, Buffer.from('Y'));
    ({ t } = await table(img.path));
    expect(t.problems).toEqual([expect.stringContaining('primary GPT partition entries'), expect.stringContaining('backup GPT partition entries')]);
    expect(t.partitions[0].name).toBe('EFX System'); // the damaged primary is still listed
  });

  /** Rewrites the primary GPT (header and entries) with valid CRCs after `edit`. */
  async function editPrimaryGpt(path: string, edit: (header: Buffer, entries: Buffer) => void): Promise<void> {
    const fh = await open(path, 'r+');
    try {
      const h = Buffer.alloc(512);
      const e = Buffer.alloc(128 * 128);
      await fh.read(h, 0, 512, 512);
      await fh.read(e, 0, e.length, 1024);
      edit(h, e);
      h.writeUInt32LE(crc32(e) >>> 0, 88);
      h.writeUInt32LE(0, 16);
      h.writeUInt32LE(crc32(h.subarray(0, 92)) >>> 0, 16);
      await fh.write(h, 0, 512, 512);
      await fh.write(e, 0, e.length, 1024);
    } finally {
      await fh.close();
    }
  }

  it('refuses a header that declares too many entries, reading only a little', async () => {
    const img = await build(gptSpec);
    await editPrimaryGpt(img.path, (h) => h.writeUInt32LE(1_000_000, 80));
    const { t, bytesRead } = await table(img.path);
    expect(t.problems).toEqual([expect.stringContaining('declares 1000000 partition entries')]);
    expect(t.partitions).toHaveLength(3); // from the backup
    expect(bytesRead).toBeLessThan(512 * 1024);
  });

  it('reports GPT partitions past the end, outside the usable area, and overlapping', async () => {
    const img = await build(gptSpec);
    await editPrimaryGpt(img.path, (_h, e) => {
      e.writeBigUInt64LE(BigInt((4 * GiB) / 512), 2 * 128 + 40); // partition 3 ends at 4 GiB
      e.writeBigUInt64LE(BigInt((50 * MiB) / 512), 1 * 128 + 32); // partition 2 starts inside partition 1
    });
    const { t } = await table(img.path);
    expect(t.partitions.map((p) => p.number)).toEqual([1, 2]);
    expect(t.problems).toEqual([
      expect.stringMatching(/^partition 3 .*outside the GPT's usable area/),
      expect.stringMatching(/^partition 3 .*outside the disk/),
      'partitions 1 and 2 overlap',
    ]);
  });

  it('builds 30 and 64 GiB images in seconds, sparsely, and reads their tables cheaply', async () => {
    for (const [size, scheme] of [[30 * GiB, 'mbr'], [64 * GiB, 'gpt']] as const) {
      const t0 = Date.now();
      const img = await build({
        virtualSize: size,
        scheme,
        partitions: [...(scheme === 'gpt' ? [{ kind: 'efi' as const, sizeBytes: 100 * MiB }] : []), { kind: 'linux', fsTree: tree, fsUuid: LINUX_ROOT_UUID }],
      });
      const ms = Date.now() - t0;
      const { stdout } = await run('du', ['-k', img.path]);
      const du = Number(stdout.split('\t')[0]);
      expect((await stat(img.path)).size).toBe(size + 512);
      const { t, bytesRead } = await table(img.path);
      expect(t.problems).toEqual([]);
      expect(t.partitions.at(-1)).toMatchObject({ kind: 'linux', startByte: img.partitions.at(-1)!.startByte });
      await run('e2fsck', ['-fn', `${img.path}?offset=${img.partitions.at(-1)!.startByte}`]);
      console.log(`${size / GiB} GiB ${scheme}: built in ${ms} ms, du ${du} KiB, table read ${bytesRead} bytes`);
      expect(ms).toBeLessThan(10_000);
      expect(du).toBeLessThan(64 * 1024);
      expect(bytesRead).toBeLessThanOrEqual(128 * 1024); // a 64 KiB cache block or two
      await rm(img.path);
    }
  });
});
