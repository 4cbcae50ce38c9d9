/**
 * Builds realistic, sparse disk images for certification tests and demos: an MBR or GPT partition
 * table, ext4 filesystems populated from a directory (by e2fsprogs' `mke2fs -d`, written at the
 * partition's offset inside the file), NTFS-looking boot sectors, and a fixed VHD footer. Only the
 * bytes written take disk space, so a 64 GiB image costs a few MiB. Written from the MBR/GPT
 * descriptions in the UEFI specification, independently of activities/certify/partitions.ts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { MiB } from '../domain/units';
import { vhdFooterBytes } from './vhd-writer';

const run = promisify(execFile);
const SECTOR = 512;
const GPT_ENTRIES = 128;
const GPT_ENTRY_SIZE = 128;
/** Sectors of the entry array: 128 × 128 bytes. */
const GPT_ARRAY_SECTORS = (GPT_ENTRIES * GPT_ENTRY_SIZE) / SECTOR;

export type PartitionSpecKind = 'linux' | 'swap' | 'lvm' | 'ntfs' | 'efi';

export interface PartitionSpec {
  kind: PartitionSpecKind;
  /** Bytes, a multiple of 512; default: the rest of the disk. */
  sizeBytes?: number;
  /** Make an ext4 filesystem holding this directory's tree (`mke2fs -d`). */
  fsTree?: string;
  /** Filesystem UUID for the ext4 (e.g. LINUX_ROOT_UUID, which the tree's grub.cfg names). */
  fsUuid?: string;
  /** Write an NTFS-looking boot sector at the partition's start. */
  ntfsBootSector?: boolean;
  /** GPT type GUID instead of the kind's default (e.g. the x86-64 root GUID). */
  gptType?: string;
  /** GPT partition name. */
  name?: string;
}

export interface DiskImageSpec {
  /** Virtual size in bytes, a whole number of MiB. */
  virtualSize: number;
  scheme: 'mbr' | 'gpt' | 'none';
  partitions: PartitionSpec[];
  /** VHD disk type for the footer (default 2, fixed). */
  diskType?: number;
  /** Append the VHD footer (default true); without it the file is a raw image of virtualSize bytes. */
  footer?: boolean;
}

export interface BuiltPartition {
  number: number;
  startByte: number;
  sizeBytes: number;
}

export interface BuiltDiskImage {
  virtualSize: number;
  partitions: BuiltPartition[];
}

const MBR_TYPE: Record<PartitionSpecKind, number> = { linux: 0x83, swap: 0x82, lvm: 0x8e, ntfs: 0x07, efi: 0xef };
const GPT_TYPE: Record<PartitionSpecKind, string> = {
  linux: '0fc63daf-8483-4772-8e79-3d69d8477de4',
  swap: '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f',
  lvm: 'e6d6d379-f507-44c2-a23c-238f2a3df928',
  ntfs: 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7',
  efi: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
};

/** A GUID string in GPT's on-disk byte order (first three fields little-endian). */
export function guidBytes(guid: string): Buffer {
  const h = guid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(h)) throw new Error(`not a GUID: ${guid}`);
  const b = Buffer.from(h, 'hex');
  return Buffer.concat([b.subarray(0, 4).reverse(), b.subarray(4, 6).reverse(), b.subarray(6, 8).reverse(), b.subarray(8)]);
}

function randomGuid(): Buffer {
  const b = randomBytes(16);
  b[7] = (b[7] & 0x0f) | 0x40; // version 4 (byte 7 is the high byte of the LE third field)
  b[8] = (b[8] & 0x3f) | 0x80;
  return b;
}

/** Lays the partitions out one after another from 1 MiB, each start 1 MiB aligned. */
function layout(spec: DiskImageSpec): BuiltPartition[] {
  // GPT keeps its backup entries and header in the last 33 sectors; leave the last MiB free.
  const end = spec.scheme === 'gpt' ? spec.virtualSize - MiB : spec.virtualSize;
  const out: BuiltPartition[] = [];
  let start = MiB;
  spec.partitions.forEach((p, i) => {
    const sizeBytes = p.sizeBytes ?? end - start;
    if (sizeBytes <= 0 || sizeBytes % SECTOR !== 0 || start + sizeBytes > end) {
      throw new Error(`partition ${i + 1}: ${sizeBytes} bytes at ${start} does not fit a ${spec.virtualSize}-byte ${spec.scheme} disk`);
    }
    out.push({ number: i + 1, startByte: start, sizeBytes });
    start = Math.ceil((start + sizeBytes) / MiB) * MiB;
  });
  return out;
}

function mbrSector(entries: Array<{ boot: boolean; type: number; lba: number; sectors: number }>): Buffer {
  const s = Buffer.alloc(SECTOR);
  randomBytes(4).copy(s, 440); // disk signature
  entries.forEach((e, i) => {
    const at = 446 + 16 * i;
    s[at] = e.boot ? 0x80 : 0;
    // CHS fields saying "use LBA", as modern partitioners write for large disks.
    s.set([0xfe, 0xff, 0xff], at + 1);
    s[at + 4] = e.type;
    s.set([0xfe, 0xff, 0xff], at + 5);
    s.writeUInt32LE(e.lba, at + 8);
    s.writeUInt32LE(Math.min(e.sectors, 0xffffffff), at + 12);
  });
  s[510] = 0x55;
  s[511] = 0xaa;
  return s;
}

function gptHeader(myLba: number, altLba: number, entriesLba: number, sectors: number, diskGuid: Buffer, entriesCrc: number): Buffer {
  const h = Buffer.alloc(SECTOR);
  h.write('EFI PART', 0, 'latin1');
  h.writeUInt32LE(0x00010000, 8);
  h.writeUInt32LE(92, 12);
  h.writeBigUInt64LE(BigInt(myLba), 24);
  h.writeBigUInt64LE(BigInt(altLba), 32);
  h.writeBigUInt64LE(BigInt(2 + GPT_ARRAY_SECTORS), 40); // first usable
  h.writeBigUInt64LE(BigInt(sectors - 2 - GPT_ARRAY_SECTORS), 48); // last usable
  diskGuid.copy(h, 56);
  h.writeBigUInt64LE(BigInt(entriesLba), 72);
  h.writeUInt32LE(GPT_ENTRIES, 80);
  h.writeUInt32LE(GPT_ENTRY_SIZE, 84);
  h.writeUInt32LE(entriesCrc, 88);
  h.writeUInt32LE(crc32(h.subarray(0, 92)) >>> 0, 16);
  return h;
}

function gptEntries(spec: DiskImageSpec, parts: BuiltPartition[]): Buffer {
  const arr = Buffer.alloc(GPT_ENTRIES * GPT_ENTRY_SIZE);
  parts.forEach((p, i) => {
    const ps = spec.partitions[i];
    const at = i * GPT_ENTRY_SIZE;
    guidBytes(ps.gptType ?? GPT_TYPE[ps.kind]).copy(arr, at);
    randomGuid().copy(arr, at + 16);
    arr.writeBigUInt64LE(BigInt(p.startByte / SECTOR), at + 32);
    arr.writeBigUInt64LE(BigInt((p.startByte + p.sizeBytes) / SECTOR - 1), at + 40);
    arr.write((ps.name ?? ps.kind).slice(0, 36), at + 56, 'utf16le');
  });
  return arr;
}

/** An NTFS boot sector's identifying fields (enough for format sniffing, not a mountable volume). */
function ntfsBootSector(p: BuiltPartition): Buffer {
  const s = Buffer.alloc(SECTOR);
  s.set([0xeb, 0x52, 0x90], 0);
  s.write('NTFS    ', 3, 'latin1');
  s.writeUInt16LE(512, 11); // bytes per sector
  s[13] = 8; // sectors per cluster
  s[21] = 0xf8; // media descriptor: fixed disk
  s.writeUInt16LE(63, 24);
  s.writeUInt16LE(255, 26);
  s.writeUInt32LE(p.startByte / SECTOR, 28); // hidden sectors
  s[36] = 0x80;
  s.writeBigUInt64LE(BigInt(p.sizeBytes / SECTOR - 1), 40);
  s.writeBigUInt64LE(786432n, 48); // $MFT cluster
  s.writeBigUInt64LE(2n, 56); // $MFTMirr cluster
  s[64] = 0xf6; // 2^10-byte MFT records
  s[68] = 1;
  randomBytes(8).copy(s, 72);
  s[510] = 0x55;
  s[511] = 0xaa;
  return s;
}

async function mkfsExt4(path: string, p: BuiltPartition, ps: PartitionSpec): Promise<void> {
  const args = ['-t', 'ext4', '-q', '-F', '-d', ps.fsTree as string];
  // mke2fs's default journal grows with the filesystem (256 MiB at 64 GiB) and is written out in
  // full; a 4 MiB one keeps images sparse. Small filesystems keep their (small) default.
  if (p.sizeBytes >= 64 * MiB) args.push('-J', 'size=4');
  if (ps.fsUuid) args.push('-U', ps.fsUuid);
  // nodiscard: don't punch the range; lazy_itable_init: don't zero inode tables (both keep it fast).
  args.push('-E', `offset=${p.startByte},nodiscard,lazy_itable_init=1`, path, `${Math.floor(p.sizeBytes / 1024)}k`);
  // e2fsprogs lives in /usr/sbin, which a non-root user's PATH often leaves out.
  await run('mke2fs', args, { env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } });
}

/**
 * Writes the image at `path` (replacing it): a sparse file of virtualSize bytes (+ 512 for the
 * footer). Filesystems are made first and the tables written last, so mke2fs's wiping of old
 * signatures cannot touch them.
 */
export async function buildDiskImage(path: string, spec: DiskImageSpec): Promise<BuiltDiskImage> {
  const { virtualSize } = spec;
  if (!Number.isSafeInteger(virtualSize) || virtualSize <= 0 || virtualSize % MiB !== 0) throw new Error(`virtualSize must be a whole number of MiB, got ${virtualSize}`);
  if (spec.scheme === 'none' && spec.partitions.length > 1) throw new Error('a disk without a partition table holds at most one "partition" (the whole disk)');
  if (spec.scheme === 'mbr' && spec.partitions.length > 4) throw new Error('the builder writes primary MBR partitions only (at most 4)');
  if (spec.scheme === 'gpt' && spec.partitions.length > GPT_ENTRIES) throw new Error(`at most ${GPT_ENTRIES} GPT partitions`);
  // Without a table the single filesystem spans the disk from byte 0.
  const parts = spec.scheme === 'none' ? spec.partitions.map((p, i) => ({ number: i + 1, startByte: 0, sizeBytes: p.sizeBytes ?? virtualSize })) : layout(spec);
  const length = virtualSize + (spec.footer === false ? 0 : SECTOR);

  const fh = await open(path, 'w');
  try {
    await fh.truncate(length);
  } finally {
    await fh.close();
  }
  for (const [i, p] of parts.entries()) {
    if (spec.partitions[i].fsTree) await mkfsExt4(path, p, spec.partitions[i]);
  }
  const after = (await stat(path)).size;
  if (after > length) throw new Error(`mke2fs grew ${path} to ${after} bytes (expected ${length}): a filesystem ran past its partition`);

  const w = await open(path, 'r+');
  try {
    if (after < length) await w.truncate(length); // re-extend if anything shortened the file
    const put = async (buf: Buffer, at: number) => void (await w.write(buf, 0, buf.length, at));
    for (const [i, p] of parts.entries()) if (spec.partitions[i].ntfsBootSector) await put(ntfsBootSector(p), p.startByte);

    const sectors = virtualSize / SECTOR;
    if (spec.scheme === 'mbr') {
      const firstLinux = spec.partitions.findIndex((p) => p.kind === 'linux');
      await put(mbrSector(parts.map((p, i) => ({ boot: i === firstLinux, type: MBR_TYPE[spec.partitions[i].kind], lba: p.startByte / SECTOR, sectors: p.sizeBytes / SECTOR }))), 0);
    } else if (spec.scheme === 'gpt') {
      await put(mbrSector([{ boot: false, type: 0xee, lba: 1, sectors: sectors - 1 }]), 0);
      const entries = gptEntries(spec, parts);
      const crc = crc32(entries) >>> 0;
      const diskGuid = randomGuid();
      const backupEntriesLba = sectors - 1 - GPT_ARRAY_SECTORS;
      await put(gptHeader(1, sectors - 1, 2, sectors, diskGuid, crc), SECTOR);
      await put(entries, 2 * SECTOR);
      await put(entries, backupEntriesLba * SECTOR);
      await put(gptHeader(sectors - 1, 1, backupEntriesLba, sectors, diskGuid, crc), (sectors - 1) * SECTOR);
    }
    if (spec.footer !== false) await put(vhdFooterBytes({ virtualSize, diskType: spec.diskType }), virtualSize);
  } finally {
    await w.close();
  }
  return { virtualSize, partitions: parts };
}

// ---------------------------------------------------------------------------------------------
// A compliant Linux root tree (Ubuntu 22.04 on Azure), small enough to copy into every test image.

/** The root filesystem UUID the tree's grub.cfg and fstab name; pass it as `fsUuid`. */
export const LINUX_ROOT_UUID = '6f1c2b3a-0d4e-4f5a-9b8c-7d6e5f4a3b2c';

/**
 * A 64-byte little-endian ELF header (x86-64 by default; 0xb7 is aarch64, 0x03 i386) plus `tail`.
 * `elfClass` 1 marks it 32-bit; e_machine sits at the same offset in both classes.
 */
export function elfHeader(machine = 0x3e, tail = '', elfClass: 1 | 2 = 2): Buffer {
  const h = Buffer.alloc(64);
  h.set([0x7f, 0x45, 0x4c, 0x46, elfClass, 1, 1, 0], 0); // magic, class, little-endian, version 1, SysV
  h.writeUInt16LE(3, 16); // ET_DYN (position-independent executable)
  h.writeUInt16LE(machine, 18);
  h.writeUInt32LE(1, 20);
  h.writeBigUInt64LE(0x1000n, 24); // entry
  h.writeBigUInt64LE(64n, 32); // program headers right after this header
  h.writeUInt16LE(64, 52); // e_ehsize
  h.writeUInt16LE(56, 54); // e_phentsize
  h.writeUInt16LE(64, 58); // e_shentsize
  return Buffer.concat([h, Buffer.from(tail, 'latin1')]);
}

/** A replacement for a file (string/Buffer), its deletion (null), or a symlink. */
export type TreeOverrides = Record<string, string | Buffer | null | { symlink: string }>;

const dpkgEntry = (pkg: string, version: string, desc: string, arch = 'amd64') =>
  `Package: ${pkg}\nStatus: install ok installed\nPriority: optional\nSection: misc\nInstalled-Size: 1024\n` +
  `Maintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>\nArchitecture: ${arch}\nVersion: ${version}\nDescription: ${desc}\n`;

const KERNEL_ARGS = 'console=ttyS0 earlyprintk=ttyS0 rootdelay=300';

function linuxFiles(): Record<string, string | Buffer> {
  const day = 19700; // days since 1970 of the last password change
  return {
    '/etc/os-release':
      'PRETTY_NAME="Ubuntu 22.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\n' +
      'VERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nHOME_URL="https://www.ubuntu.com/"\nUBUNTU_CODENAME=jammy\n',
    '/etc/hostname': 'ubuntu\n',
    '/etc/waagent.conf':
      '# Microsoft Azure Linux Agent configuration\nProvisioning.Agent=auto\nResourceDisk.Format=y\nResourceDisk.Filesystem=ext4\n' +
      'ResourceDisk.MountPoint=/mnt/resource\nResourceDisk.EnableSwap=y\nResourceDisk.SwapSizeMB=2048\nLogs.Verbose=n\nOS.EnableFirewall=y\nAutoUpdate.Enabled=y\n',
    '/usr/lib/python3/dist-packages/azurelinuxagent/common/version.py':
      "# Copyright Microsoft Corporation (excerpt)\nAGENT_NAME = 'WALinuxAgent'\nAGENT_VERSION = '2.9.1.1'\nAGENT_LONG_VERSION = \"{0}-{1}\".format(AGENT_NAME, AGENT_VERSION)\n",
    '/usr/sbin/waagent': '#!/usr/bin/python3\nimport sys\nfrom azurelinuxagent.agent import main\nsys.exit(main())\n',
    '/etc/default/grub': `GRUB_DEFAULT=0\nGRUB_TIMEOUT=1\nGRUB_TIMEOUT_STYLE=countdown\nGRUB_CMDLINE_LINUX_DEFAULT=""\nGRUB_CMDLINE_LINUX="${KERNEL_ARGS}"\nGRUB_TERMINAL=serial\n`,
    '/boot/grub/grub.cfg':
      '### BEGIN /etc/grub.d/10_linux ###\nmenuentry \'Ubuntu\' --class ubuntu --class os {\n\tinsmod ext2\n' +
      `\tsearch --no-floppy --fs-uuid --set=root ${LINUX_ROOT_UUID}\n` +
      `\tlinux /boot/vmlinuz-5.15.0-91-generic root=UUID=${LINUX_ROOT_UUID} ro ${KERNEL_ARGS}\n` +
      '\tinitrd /boot/initrd.img-5.15.0-91-generic\n}\n### END /etc/grub.d/10_linux ###\n',
    '/boot/vmlinuz-5.15.0-91-generic': Buffer.concat([Buffer.alloc(0x202), Buffer.from('HdrS', 'latin1')]), // bzImage magic at 0x202
    '/etc/fstab': `# <file system> <mount point> <type> <options> <dump> <pass>\nUUID=${LINUX_ROOT_UUID} / ext4 defaults,discard 0 1\n`,
    '/etc/ssh/sshd_config':
      'Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\n' +
      'X11Forwarding yes\nPrintMotd no\nClientAliveInterval 180\nSubsystem sftp /usr/lib/openssh/sftp-server\n',
    '/usr/sbin/sshd': elfHeader(0x3e, 'OpenSSH_8.9p1'),
    '/root/.bash_history': '',
    '/home/azureuser/.bash_history': 'sudo apt-get update\nsudo apt-get -y upgrade\nsudo waagent -deprovision+user -force\n',
    '/etc/passwd':
      'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nsshd:x:107:65534::/run/sshd:/usr/sbin/nologin\n' +
      'azureuser:x:1000:1000:Ubuntu:/home/azureuser:/bin/bash\n',
    '/etc/shadow': `root:!:${day}:0:99999:7:::\ndaemon:*:${day}:0:99999:7:::\nsshd:*:${day}:0:99999:7:::\nazureuser:!:${day}:0:99999:7:::\n`,
    '/var/lib/dpkg/status': [
      dpkgEntry('openssl', '3.0.2-0ubuntu1.12', 'Secure Sockets Layer toolkit - cryptographic utility'),
      dpkgEntry('python3', '3.10.6-1~22.04', 'interactive high-level object-oriented language (default python3 version)'),
      dpkgEntry('walinuxagent', '2.9.1.1-0ubuntu0.22.04.1', 'Windows Azure Linux Agent'),
      dpkgEntry('openssh-server', '1:8.9p1-3ubuntu0.6', 'secure shell (SSH) server, for secure access from remote machines'),
      dpkgEntry('linux-image-5.15.0-91-generic', '5.15.0-91.101', 'Signed kernel image generic'),
    ].join('\n'),
    '/usr/bin/python3.10': elfHeader(0x3e, 'Python 3.10.12'),
    '/bin/sh': elfHeader(0x3e, 'dash'),
    '/usr/bin/bash': elfHeader(0x3e, 'GNU bash, version 5.1.16'),
    '/usr/bin/openssl': elfHeader(0x3e, 'OpenSSL 3.0.2'),
  };
}

const MODES: Record<string, number> = { '/etc/shadow': 0o640, '/root/.bash_history': 0o600, '/home/azureuser/.bash_history': 0o600 };
const isExecutable = (p: string) => /^\/(usr\/)?s?bin\//.test(p);

/**
 * Writes a minimal compliant Ubuntu 22.04 root tree into `dir` (a few KiB), then applies
 * `overrides`, keyed by absolute path: content replaces/creates a file, null deletes it,
 * `{ symlink }` makes a symlink.
 */
export async function writeLinuxTree(dir: string, overrides: TreeOverrides = {}): Promise<void> {
  const entries: TreeOverrides = { ...linuxFiles(), '/usr/bin/python3': { symlink: 'python3.10' }, ...overrides };
  for (const d of ['/tmp', '/var/log', '/mnt', '/root', '/home/azureuser', '/etc/ssh/sshd_config.d']) await mkdir(join(dir, d), { recursive: true });
  for (const [path, value] of Object.entries(entries)) {
    if (!path.startsWith('/') || path.split('/').includes('..')) throw new Error(`override paths are absolute, without "..": ${path}`);
    const target = join(dir, path);
    await rm(target, { recursive: true, force: true });
    if (value === null) continue;
    await mkdir(dirname(target), { recursive: true });
    if (typeof value === 'object' && !Buffer.isBuffer(value)) await symlink(value.symlink, target);
    else await writeFile(target, value, { mode: MODES[path] ?? (isExecutable(path) ? 0o755 : 0o644) });
  }
}

/**
 * The sample disk the demo, the benchmarks and the tests share: GPT, an EFI partition and an ext4
 * root holding the compliant tree of writeLinuxTree (with `overrides`, then `decorate`), as a sparse fixed VHD.
 */
export async function buildSampleLinuxDisk(
  path: string,
  opts: { virtualSize: number; efiBytes?: number; overrides?: TreeOverrides; decorate?: (tree: string) => Promise<void> },
): Promise<BuiltDiskImage> {
  const tree = await mkdtemp(join(tmpdir(), 'linux-tree-'));
  try {
    await writeLinuxTree(tree, opts.overrides);
    // What overrides cannot say (hard links, thousands of entries): e.g. the crafted trees of test/fixtures.
    await opts.decorate?.(tree);
    return await buildDiskImage(path, {
      virtualSize: opts.virtualSize,
      scheme: 'gpt',
      partitions: [{ kind: 'efi', sizeBytes: opts.efiBytes ?? 64 * MiB }, { kind: 'linux', fsTree: tree, fsUuid: LINUX_ROOT_UUID }],
    });
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
}

