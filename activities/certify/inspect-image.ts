/**
 * Below the VHD footer: the partition table, the root filesystem and the OS inside it. Each layer
 * reads through the one below (block device → partition window → filesystem); corruption or an
 * exhausted budget at any layer becomes a Failed check, and the checks already made are kept.
 */
import type { CertificationCheck } from '../../domain/certification';
import type { DiskRef } from '../../domain/pipeline';
import { BudgetExceededError, isImageAccessError, type BlockDevice } from '../../lib/net/block-device';
import { diskLabel } from '../../lib/offer/plan';
import { openExtFileSystem } from './ext4';
import { ImageFormatError, subDevice, type FileSystemReader, type PartitionTable } from './image-types';
import { linuxChecks } from './linux';
import { partitionChecks, readPartitionTable } from './partitions';
import { isNtfsBootSector, windowsChecks } from './windows';

const ROOT_FS = { testId: 'FS-001', name: 'Linux root filesystem readable' };
const CONTENTS = { testId: 'IMG-002', name: 'Image contents readable' };

/** Problems a hostile or damaged image causes, as opposed to bugs and infrastructure errors. */
function isImageProblem(err: unknown): err is Error {
  return err instanceof ImageFormatError || isImageAccessError(err);
}

function check(disk: DiskRef, id: { testId: string; name: string }, result: CertificationCheck['result'], actualValue: string, requiredValue: string, remediation = ''): CertificationCheck {
  return { ...id, result, actualValue, requiredValue, remediation, disk: diskLabel(disk) };
}

export async function inspectImage(device: BlockDevice, diskSize: number, disk: DiskRef, osFamily: string): Promise<CertificationCheck[]> {
  const checks: CertificationCheck[] = [];
  try {
    const table = await readPartitionTable(device, diskSize);
    if (disk.role === 'data') {
      checks.push(...partitionChecks(table, { role: 'data', osFamily, disk, rootPartitions: [] }));
    } else if (osFamily === 'Windows') {
      checks.push(...partitionChecks(table, { role: 'os', osFamily, disk, rootPartitions: [] }));
      checks.push(...windowsChecks(diskLabel(disk), await hasNtfs(device, table, diskSize)));
    } else {
      await inspectLinux(device, table, diskSize, disk, osFamily, checks);
    }
  } catch (err) {
    if (!isImageProblem(err)) throw err;
    const remediation =
      err instanceof BudgetExceededError
        ? 'The image asks for more reading than certification does for one image: keep what the checks read (/etc, /usr/lib, /boot, /var/lib/dpkg) to ordinary sizes, ' +
          'without farms of links or huge configuration files, then capture the image again.'
        : 'Re-create the image from a cleanly shut down VM (fsck the filesystems first), convert it to a fixed VHD and upload it again.';
    checks.push(check(disk, CONTENTS, 'Failed', err.message, 'a consistent partition table and filesystem, readable within the byte and time budgets', remediation));
  }
  return checks;
}

async function inspectLinux(device: BlockDevice, table: PartitionTable, diskSize: number, disk: DiskRef, osFamily: string, checks: CertificationCheck[]) {
  // A partitionless disk may carry the filesystem directly; PART-001 says what Azure expects.
  const candidates =
    table.scheme === 'none'
      ? [{ number: 0, startByte: 0, sizeBytes: diskSize }]
      : table.partitions.filter((p) => p.kind === 'linux' || p.kind === 'other');
  const roots: Array<{ number: number; fs: FileSystemReader }> = [];
  const problems: string[] = [];
  for (const p of candidates) {
    try {
      const fs = await openExtFileSystem(subDevice(device, p.startByte, p.sizeBytes));
      if (fs && (await fs.stat('/etc'))?.type === 'dir') roots.push({ number: p.number, fs });
    } catch (err) {
      if (!(err instanceof ImageFormatError)) throw err;
      problems.push(`partition ${p.number}: ${err.message}`);
    }
  }
  checks.push(...partitionChecks(table, { role: 'os', osFamily, disk, rootPartitions: roots.map((r) => r.number) }));
  const required = 'an ext2/3/4 root filesystem (one with /etc) on the OS disk';
  if (roots.length === 0) {
    checks.push(
      check(disk, ROOT_FS, 'Failed', problems.length ? problems.join('; ') : 'no ext2/3/4 filesystem with /etc was found', required,
        'Put the root filesystem on an ext4 partition of the OS disk (XFS and Btrfs roots are not inspected by this version), run `fsck` on it, and upload the image again.'),
    );
    return;
  }
  const root = roots[0];
  checks.push(check(disk, ROOT_FS, 'Passed', `${root.fs.type} on ${root.number === 0 ? 'the whole disk' : `partition ${root.number}`}`, required));
  checks.push(...(await linuxChecks(root.fs, diskLabel(disk))));
}

/** NTFS is recognised by the boot sector of a data partition (or of the disk itself). */
async function hasNtfs(device: BlockDevice, table: PartitionTable, diskSize: number): Promise<boolean> {
  const starts = table.scheme === 'none' ? [0] : table.partitions.filter((p) => p.kind === 'ntfs' || p.kind === 'other').map((p) => p.startByte);
  for (const start of starts) {
    if (start + 512 <= diskSize && isNtfsBootSector(await device.read(start, 512))) return true;
  }
  return false;
}
