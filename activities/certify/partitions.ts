/**
 * The partition-table layer (docs/certification.md: one root partition, no swap partition, LVM discouraged):
 * MBR (with the EBR chain of an extended partition) and GPT, read through a block device.
 * The table is publisher-controlled input, so every count, size and chain is capped, and
 * inconsistencies become publisher-readable `problems` instead of exceptions. Sectors are 512
 * bytes: VHDs always present 512-byte logical sectors.
 */
import { crc32 } from 'node:zlib';
import type { CertificationCheck, CheckResult } from '../../domain/certification';
import type { DiskRef } from '../../domain/pipeline';
import { binarySize } from '../../domain/units';
import type { BlockDevice } from '../../lib/net/block-device';
import { diskLabel } from '../../lib/offer/plan';
import type { Partition, PartitionKind, PartitionTable } from './image-types';

const SECTOR = 512;
/** Logical partitions followed in an EBR chain; real disks have a handful. */
const MAX_EBR_HOPS = 128;
/** GPT entry arrays are 128 entries by convention; more is suspicious, and bounds the read. */
const MAX_GPT_ENTRIES = 1024;
const MAX_GPT_ENTRY_SIZE = 1024;

const MBR_KINDS: Record<number, PartitionKind> = { 0x83: 'linux', 0x82: 'swap', 0x8e: 'lvm', 0xef: 'efi', 0x07: 'ntfs', 0x05: 'extended', 0x0f: 'extended', 0x85: 'extended' };
const EXTENDED = new Set([0x05, 0x0f, 0x85]);
const PROTECTIVE = 0xee;

const GPT_KINDS: Record<string, PartitionKind> = {
  '0fc63daf-8483-4772-8e79-3d69d8477de4': 'linux', // Linux filesystem
  '4f68bce3-e8cd-4db1-96e7-fbcaf984b709': 'linux', // Linux root (x86-64)
  '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f': 'swap',
  'e6d6d379-f507-44c2-a23c-238f2a3df928': 'lvm',
  'c12a7328-f81f-11d2-ba4b-00a0c93ec93b': 'efi',
  '21686148-6449-6e6f-744e-656564454649': 'bios-boot',
  'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7': 'ntfs', // Microsoft basic data
  'e3c9e316-0b5c-4db8-817d-f92df00215ae': 'other', // Microsoft reserved
};

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

/** GPT GUIDs store their first three fields little-endian, the rest big-endian. */
export function guidToString(b: Buffer): string {
  const h = (s: number, e: number, le: boolean) => {
    const part = Buffer.from(b.subarray(s, e));
    return (le ? part.reverse() : part).toString('hex');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`;
}

/** A u64 LBA as a number, or undefined when it cannot be a byte offset we can handle. */
function lba64(buf: Buffer, at: number): number | undefined {
  const v = buf.readBigUInt64LE(at);
  return v * BigInt(SECTOR) > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
}

/**
 * Reads the partition table of a disk whose virtual size is `diskSize` (the device may be longer:
 * a VHD's footer follows). Partitions that lie (partly) outside the disk or have no sectors are
 * reported as problems and left out, so every listed partition can be read; overlapping ones are
 * listed (and reported). Read errors of the device propagate (the caller reports them).
 */
export async function readPartitionTable(device: BlockDevice, diskSize: number): Promise<PartitionTable> {
  if (diskSize < SECTOR) return { scheme: 'none', partitions: [], problems: [] };
  const mbr = await device.read(0, SECTOR);
  if (mbr[510] !== 0x55 || mbr[511] !== 0xaa) return { scheme: 'none', partitions: [], problems: [] };
  // A filesystem boot sector (NTFS/FAT on the whole disk) also ends in 55 AA; its bytes at the
  // entry positions are not valid entries (status must be 0x00 or 0x80).
  const slots = [0, 1, 2, 3].map((i) => mbr.subarray(446 + 16 * i, 462 + 16 * i));
  if (mbr.toString('latin1', 3, 11) === 'NTFS    ' || slots.some((e) => e[0] !== 0 && e[0] !== 0x80)) {
    return { scheme: 'none', partitions: [], problems: [] };
  }
  if (slots.some((e) => e[4] === PROTECTIVE)) return readGpt(device, diskSize);
  return readMbr(device, diskSize, slots);
}

interface Collector {
  problems: string[];
  partitions: Partition[];
  /** Adds the partition if it is non-empty and wholly on the disk; reports it otherwise. */
  add(p: Partition): void;
}

function collector(diskSize: number): Collector {
  const c: Collector = {
    problems: [],
    partitions: [],
    add(p) {
      if (p.sizeBytes <= 0) {
        c.problems.push(`partition ${p.number} (type ${p.typeId}) has no sectors`);
      } else if (p.startByte < SECTOR) {
        c.problems.push(`partition ${p.number} (type ${p.typeId}) starts at sector 0, over the partition table`);
      } else if (p.startByte + p.sizeBytes > diskSize) {
        c.problems.push(
          `partition ${p.number} (type ${p.typeId}) spans bytes ${p.startByte}–${p.startByte + p.sizeBytes}, outside the disk (${diskSize} bytes)`,
        );
      } else {
        c.partitions.push(p);
      }
    },
  };
  return c;
}

/** Reports overlaps among the partitions that hold data (an extended container holds its logicals). */
function checkOverlaps(partitions: Partition[], problems: string[]): void {
  const sorted = partitions.filter((p) => p.kind !== 'extended').sort((a, b) => a.startByte - b.startByte);
  for (let i = 1; i < sorted.length; i++) {
    for (let j = i - 1; j >= 0; j--) {
      const prev = sorted[j];
      if (prev.startByte + prev.sizeBytes > sorted[i].startByte) {
        problems.push(`partitions ${prev.number} and ${sorted[i].number} overlap`);
        break;
      }
    }
  }
}

function mbrEntry(e: Buffer, number: number, baseLba: number): Partition {
  const type = e[4];
  return {
    number,
    startByte: (baseLba + e.readUInt32LE(8)) * SECTOR,
    sizeBytes: e.readUInt32LE(12) * SECTOR,
    kind: MBR_KINDS[type] ?? 'other',
    typeId: hex(type),
  };
}

async function readMbr(device: BlockDevice, diskSize: number, slots: Buffer[]): Promise<PartitionTable> {
  const c = collector(diskSize);
  let extended: Partition | undefined;
  slots.forEach((e, i) => {
    if (e[4] === 0) return; // unused slot
    const p = mbrEntry(e, i + 1, 0);
    if (EXTENDED.has(e[4])) {
      if (extended) return void c.problems.push(`partition ${p.number} is a second extended partition (only one is allowed)`);
      const before = c.partitions.length;
      c.add(p);
      if (c.partitions.length > before) extended = p;
      return;
    }
    c.add(p);
  });
  if (extended) await readEbrChain(device, extended, c);
  checkOverlaps(c.partitions, c.problems);
  return { scheme: 'mbr', partitions: c.partitions, problems: c.problems };
}

/**
 * Logical partitions: each EBR describes one partition (relative to the EBR) and links to the next
 * EBR (relative to the extended partition). The chain is bounded by a hop limit and a visited set.
 */
async function readEbrChain(device: BlockDevice, ext: Partition, c: Collector): Promise<void> {
  const extLba = ext.startByte / SECTOR;
  const extEnd = ext.startByte + ext.sizeBytes;
  const seen = new Set<number>();
  let ebrLba = extLba;
  let number = 5;
  for (let hop = 0; ; hop++) {
    if (hop >= MAX_EBR_HOPS) return void c.problems.push(`the extended partition chains more than ${MAX_EBR_HOPS} logical partitions`);
    if (seen.has(ebrLba)) return void c.problems.push(`the extended partition's chain of logical partitions loops back to sector ${ebrLba}`);
    seen.add(ebrLba);
    if (ebrLba * SECTOR + SECTOR > extEnd) {
      return void c.problems.push(`a link in the extended partition points to sector ${ebrLba}, outside the extended partition`);
    }
    const ebr = await device.read(ebrLba * SECTOR, SECTOR);
    if (ebr[510] !== 0x55 || ebr[511] !== 0xaa) {
      return void c.problems.push(`the extended boot record at sector ${ebrLba} has no 55 AA signature`);
    }
    const [entry, link] = [ebr.subarray(446, 462), ebr.subarray(462, 478)];
    if (entry[4] !== 0) {
      const p = mbrEntry(entry, number++, ebrLba);
      if (p.startByte < ext.startByte || p.startByte + p.sizeBytes > extEnd) {
        c.problems.push(`logical partition ${p.number} extends outside its extended partition`);
      } else {
        c.add(p);
      }
    }
    if (link[4] === 0) return;
    ebrLba = extLba + link.readUInt32LE(8);
  }
}

interface GptHeader {
  lba: number;
  alternateLba?: number;
  firstUsable: number;
  lastUsable: number;
  entriesLba: number;
  count: number;
  entrySize: number;
  entriesCrc: number;
}

/** Parses and validates the header at `lba`; returns it or a problem. */
async function gptHeader(device: BlockDevice, lba: number, sectors: number, which: string): Promise<GptHeader | string> {
  const buf = await device.read(lba * SECTOR, SECTOR);
  if (buf.toString('latin1', 0, 8) !== 'EFI PART') return `the ${which} GPT header (sector ${lba}) has no "EFI PART" signature`;
  const headerSize = buf.readUInt32LE(12);
  if (headerSize < 92 || headerSize > SECTOR) return `the ${which} GPT header has an invalid size (${headerSize} bytes)`;
  const copy = Buffer.from(buf.subarray(0, headerSize));
  copy.writeUInt32LE(0, 16);
  if (crc32(copy) >>> 0 !== buf.readUInt32LE(16)) return `the ${which} GPT header's CRC32 is wrong (the header is damaged or was edited)`;
  const h = {
    lba: lba64(buf, 24),
    alternateLba: lba64(buf, 32),
    firstUsable: lba64(buf, 40),
    lastUsable: lba64(buf, 48),
    entriesLba: lba64(buf, 72),
    count: buf.readUInt32LE(80),
    entrySize: buf.readUInt32LE(84),
    entriesCrc: buf.readUInt32LE(88),
  };
  if (h.lba !== lba) return `the ${which} GPT header says it is at sector ${h.lba}, but it was read at sector ${lba}`;
  const { firstUsable, lastUsable, entriesLba } = h;
  if (firstUsable === undefined || lastUsable === undefined || firstUsable > lastUsable || lastUsable >= sectors) {
    return `the ${which} GPT header's usable area (sectors ${firstUsable}–${lastUsable}) does not fit the disk (${sectors} sectors)`;
  }
  if (h.count > MAX_GPT_ENTRIES) return `the ${which} GPT header declares ${h.count} partition entries (at most ${MAX_GPT_ENTRIES} are accepted)`;
  if (h.entrySize < 128 || h.entrySize > MAX_GPT_ENTRY_SIZE || (h.entrySize & (h.entrySize - 1)) !== 0) {
    return `the ${which} GPT header declares partition entries of ${h.entrySize} bytes (must be 128 or a larger power of two up to ${MAX_GPT_ENTRY_SIZE})`;
  }
  if (entriesLba === undefined || entriesLba < 2 || (entriesLba + Math.ceil((h.count * h.entrySize) / SECTOR)) > sectors) {
    return `the ${which} GPT partition entries (at sector ${entriesLba}) do not fit the disk`;
  }
  return { ...h, lba, firstUsable, lastUsable, entriesLba };
}

async function gptEntries(device: BlockDevice, h: GptHeader): Promise<{ entries: Buffer; crcOk: boolean }> {
  const entries = await device.read(h.entriesLba * SECTOR, h.count * h.entrySize);
  return { entries, crcOk: crc32(entries) >>> 0 === h.entriesCrc };
}

async function readGpt(device: BlockDevice, diskSize: number): Promise<PartitionTable> {
  const sectors = Math.floor(diskSize / SECTOR);
  const c = collector(diskSize);
  const badEntries = (which: string) => `the ${which} GPT partition entries' CRC32 is wrong (the entries are damaged or were edited)`;

  // The primary copy is authoritative; the backup (last sector) is read only when it is damaged,
  // so a healthy disk costs two small reads.
  let use: { h: GptHeader; entries: Buffer } | undefined;
  let fallback: { h: GptHeader; entries: Buffer } | undefined;
  const primary = sectors > 2 ? await gptHeader(device, 1, sectors, 'primary') : 'the disk is too small for a GPT';
  let backupLba = sectors - 1;
  if (typeof primary === 'string') {
    c.problems.push(primary);
  } else {
    const e = await gptEntries(device, primary);
    if (e.crcOk) use = { h: primary, entries: e.entries };
    else {
      c.problems.push(badEntries('primary'));
      fallback = { h: primary, entries: e.entries };
      if (primary.alternateLba !== undefined && primary.alternateLba > 1 && primary.alternateLba < sectors) backupLba = primary.alternateLba;
    }
  }
  if (!use && backupLba > 1) {
    const backup = await gptHeader(device, backupLba, sectors, 'backup');
    if (typeof backup === 'string') c.problems.push(backup);
    else {
      const e = await gptEntries(device, backup);
      if (e.crcOk) use = { h: backup, entries: e.entries };
      else c.problems.push(badEntries('backup'));
    }
  }
  // With only damaged entries left, still list what they say: the CRC problem already fails PART-001.
  use ??= fallback;
  if (!use) return { scheme: 'gpt', partitions: [], problems: c.problems };

  const { h, entries } = use;
  for (let i = 0; i < h.count; i++) {
    const e = entries.subarray(i * h.entrySize, (i + 1) * h.entrySize);
    if (e.subarray(0, 16).every((b) => b === 0)) continue; // unused entry
    const typeId = guidToString(e.subarray(0, 16));
    const first = lba64(e, 32);
    const last = lba64(e, 40);
    const number = i + 1;
    if (first === undefined || last === undefined || last < first) {
      c.problems.push(`partition ${number} (type ${typeId}) ends before it starts (sectors ${e.readBigUInt64LE(32)}–${e.readBigUInt64LE(40)})`);
      continue;
    }
    if (first < h.firstUsable || last > h.lastUsable) {
      c.problems.push(`partition ${number} (sectors ${first}–${last}) lies outside the GPT's usable area (sectors ${h.firstUsable}–${h.lastUsable})`);
    }
    const raw = e.toString('utf16le', 56, 128);
    const nul = raw.indexOf('\0');
    const name = nul >= 0 ? raw.slice(0, nul) : raw;
    c.add({
      number,
      startByte: first * SECTOR,
      sizeBytes: (last - first + 1) * SECTOR,
      kind: GPT_KINDS[typeId] ?? 'other',
      typeId,
      ...(name ? { name } : {}),
    });
  }
  checkOverlaps(c.partitions, c.problems);
  return { scheme: 'gpt', partitions: c.partitions, problems: c.problems };
}

// ---------------------------------------------------------------------------------------------
// Checks

export interface PartitionCheckOptions {
  role: 'os' | 'data';
  osFamily: string;
  /** The disk, or its label as shown in reports. */
  disk: DiskRef | string;
  /** Numbers of the partitions found to hold a Linux root filesystem (the filesystem layer decides). */
  rootPartitions: number[];
}

const describe = (p: Partition) => `partition ${p.number} (${p.kind}, type ${p.typeId}, ${binarySize(p.sizeBytes)})`;
const schemeName = (t: PartitionTable) => (t.scheme === 'gpt' ? 'GPT' : t.scheme === 'mbr' ? 'MBR' : 'no partition table');

const RECREATE = 'then create the VHD again (`qemu-img convert -f raw -O vpc -o subformat=fixed,force_size disk.raw disk.vhd`) and upload it again';

/** PART-001…004 for one disk. PART-002…004 are about Linux OS disks only. */
export function partitionChecks(table: PartitionTable, opts: PartitionCheckOptions): CertificationCheck[] {
  const label = typeof opts.disk === 'string' ? opts.disk : diskLabel(opts.disk);
  const checks: CertificationCheck[] = [];
  const add = (testId: string, name: string, result: CheckResult, actualValue: string, requiredValue: string, remediation = '') =>
    checks.push({ testId, name, result, actualValue, requiredValue, remediation: result === 'Passed' ? '' : remediation, disk: label });

  const isOs = opts.role === 'os';
  const name1 = 'Partition table readable and consistent';
  const listed = table.partitions.length ? `: ${table.partitions.map(describe).join('; ')}` : '';
  if (table.problems.length) {
    add(
      'PART-001', name1, 'Failed',
      `${schemeName(table)}: ${table.problems.join('; ')}`,
      'a consistent MBR or GPT partition table (valid CRCs, every partition inside the disk, no overlaps)',
      'Repair the partition table on the source disk (`sudo sgdisk --verify /dev/sdX` shows GPT problems and `sudo sgdisk -e /dev/sdX` moves the backup GPT to the end after a resize; ' +
        '`sudo sfdisk --verify /dev/sdX` for MBR), check every filesystem still mounts, ' + RECREATE + '.',
    );
  } else if (table.scheme === 'none') {
    if (isOs) {
      add('PART-001', name1, 'Failed', 'no partition table (no 55 AA signature in the first sector)', 'an MBR or GPT partition table',
        'An OS disk must be partitioned and bootable: install the OS onto a partitioned disk (MBR for generation 1 VMs, GPT with an EFI system partition for generation 2), ' + RECREATE + '.');
    } else {
      add('PART-001', name1, 'Passed', 'no partition table (unpartitioned data disk)', 'an MBR or GPT partition table, or none on a data disk');
    }
  } else {
    add('PART-001', name1, 'Passed', `${schemeName(table)}${listed}`, 'a consistent MBR or GPT partition table');
  }
  if (!isOs) return checks;

  const linux = opts.osFamily === 'Linux';
  const na = (id: string, name: string, required: string) => add(id, name, 'NotApplicable', `not checked: ${opts.osFamily} OS disk`, required);

  const name2 = 'Exactly one root partition';
  const req2 = 'exactly one partition holding the root filesystem (/)';
  if (!linux) na('PART-002', name2, req2);
  else {
    const roots = table.partitions.filter((p) => opts.rootPartitions.includes(p.number));
    if (roots.length === 1) add('PART-002', name2, 'Passed', describe(roots[0]), req2);
    else if (roots.length === 0) {
      add('PART-002', name2, 'Failed', 'no partition with a Linux root filesystem (with /etc and /usr) was found', req2,
        'The OS disk must hold the root filesystem in a partition of its own (ext4 or xfs, not inside LVM or an encrypted volume we cannot read). ' +
          'Check that you uploaded the OS disk and not a data disk, ' + RECREATE + '.');
    } else {
      add('PART-002', name2, 'Failed', `${roots.length} partitions hold a root filesystem: ${roots.map(describe).join('; ')}`, req2,
        'Keep a single root filesystem on the OS disk: remove or wipe the other copies (e.g. a leftover recovery or A/B root), ' + RECREATE + '.');
    }
  }

  const name3 = 'No swap partition on the OS disk';
  const req3 = 'no swap partition (swap belongs on the resource disk)';
  const swaps = table.partitions.filter((p) => p.kind === 'swap');
  if (!linux) na('PART-003', name3, req3);
  else {
    add('PART-003', name3, swaps.length ? 'Failed' : 'Passed', swaps.length ? swaps.map(describe).join('; ') : 'no swap partition', req3,
      'Remove the swap partition (`swapoff -a`, delete it with `fdisk`/`parted`, remove its line from /etc/fstab, optionally grow the root partition) ' +
        'and let the Azure Linux Agent create swap on the resource disk: set `ResourceDisk.Format=y`, `ResourceDisk.EnableSwap=y` and ' +
        '`ResourceDisk.SwapSizeMB=<size>` in /etc/waagent.conf (with cloud-init, configure swap there instead); ' + RECREATE + '.');
  }

  const name4 = 'No LVM on the OS disk';
  const req4 = 'plain partitions (LVM is discouraged)';
  const lvm = table.partitions.filter((p) => p.kind === 'lvm');
  if (!linux) na('PART-004', name4, req4);
  else {
    add('PART-004', name4, lvm.length ? 'Warning' : 'Passed', lvm.length ? lvm.map(describe).join('; ') : 'no LVM partition', req4,
      'LVM is discouraged on the OS disk: when the disk is attached to another VM from the same image for recovery, identical volume group names clash, ' +
        'and resizing the OS disk needs extra steps. Prefer a plain root partition (LVM on data disks is fine).');
  }
  return checks;
}
