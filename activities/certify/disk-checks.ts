/**
 * Disk-level certification checks (docs/certification.md), read through a block device: only the footer
 * (and, when it is missing, the first bytes to name the format) is transferred.
 */
import type { CertificationCheck, CheckResult } from '../../domain/certification';
import { MAX_DATA_DISKS } from '../../domain/offer';
import type { DiskRef } from '../../domain/pipeline';
import { binarySize, GiB, MiB } from '../../domain/units';
import type { BlockDevice } from '../../lib/net/block-device';
import { diskLabel } from '../../lib/offer/plan';
import { DISK_TYPE, parseVhdFooter, VHD_COOKIE, VHD_FOOTER_SIZE } from './vhd-footer';

const MIN_VIRTUAL_SIZE = 20 * MiB;

export function formatBytes(n: number): string {
  return `${n} bytes (${binarySize(n)})`;
}

const upload = (file = 'disk.vhd') => `upload ${file} unchanged as a page blob, e.g. \`azcopy copy ${file} '<blob URL with SAS>' --blob-type PageBlob\``;
const MAKE_FIXED =
  'Convert it to a fixed-size VHD: `qemu-img convert -f <source format> -O vpc -o subformat=fixed,force_size <source> disk.vhd` ' +
  '(Hyper-V: `Convert-VHD -Path <source> -DestinationPath disk.vhd -VHDType Fixed`), then ' + upload() + '.';

/** Names common image formats from their first bytes, for a helpful "actual value". */
async function sniffFormat(device: BlockDevice, size: number): Promise<string | undefined> {
  if (size < 8) return undefined;
  const magic = (await device.read(0, 8)).toString('latin1');
  if (magic === 'vhdxfile') return 'a VHDX file';
  if (magic.startsWith('QFI\xfb')) return 'a qcow2 file';
  if (magic.startsWith('KDMV')) return 'a VMDK file';
  if (magic === VHD_COOKIE) return 'a VHD whose footer is missing or damaged at the end';
  return undefined;
}

type Add = (testId: string, name: string, result: CheckResult, actualValue: string, requiredValue: string, remediation?: string) => void;

function checker(disk: DiskRef, out: CertificationCheck[]): Add {
  const label = diskLabel(disk);
  return (testId, name, result, actualValue, requiredValue, remediation = '') =>
    out.push({ testId, name, result, actualValue, requiredValue, remediation: result === 'Passed' ? '' : remediation, disk: label });
}

function osDiskSize(add: Add, size: number, osFamily: string): void {
  const name = 'OS disk size';
  const actual = formatBytes(size);
  if (osFamily === 'Linux') {
    const ok = size >= GiB && size <= 1023 * GiB;
    const fix = size < GiB ? 'Grow the OS disk to at least 1 GiB' : 'Shrink the OS disk to at most 1023 GiB (move data to data disks)';
    return add('VHD-007', name, ok ? 'Passed' : 'Failed', actual, 'Linux: 1–1023 GiB', `${fix}, keeping a whole number of MiB, and upload it again.`);
  }
  if (osFamily === 'Windows') {
    const required = 'Windows: 30–250 GiB (30–50 GiB recommended)';
    if (size < 30 * GiB) {
      return add('VHD-007', name, 'Failed', actual, required, 'Grow the OS disk to at least 30 GiB (`Resize-VHD -Path disk.vhd -SizeBytes 30GB`, then extend the partition) and upload it again.');
    }
    if (size > 250 * GiB) {
      return add('VHD-007', name, 'Failed', actual, required, 'Shrink the OS disk to at most 250 GiB (move data to data disks) and upload it again.');
    }
    if (size > 50 * GiB) {
      return add('VHD-007', name, 'Warning', actual, required, 'OS disks of 30–50 GiB are recommended: larger ones deploy more slowly; consider moving data to a data disk.');
    }
    return add('VHD-007', name, 'Passed', actual, required);
  }
  add('VHD-007', name, 'NotApplicable', `unknown OS family "${osFamily}"`, 'Linux or Windows');
}

/** The checks of one disk image. Read errors propagate (the caller reports them). */
export async function checkDisk(device: BlockDevice, disk: DiskRef, osFamily: string): Promise<CertificationCheck[]> {
  const checks: CertificationCheck[] = [];
  const add = checker(disk, checks);
  const sizeCheckId = disk.role === 'os' ? 'VHD-007' : 'VHD-008';
  const notChecked = (reason: string) => {
    const rest: Array<[string, string]> = [
      ['VHD-002', 'VHD footer checksum'],
      ['VHD-003', 'Fixed-size VHD'],
      ['VHD-004', 'Virtual size at least 20 MiB'],
      ['VHD-005', 'Virtual size a whole number of MiB'],
      ['VHD-006', 'Blob length is virtual size + 512'],
      [sizeCheckId, disk.role === 'os' ? 'OS disk size' : 'Data disk size'],
    ];
    for (const [id, name] of rest) add(id, name, 'NotApplicable', `not checked: ${reason}`, 'a valid VHD footer');
  };

  const length = await device.size();
  const parsed = length >= VHD_FOOTER_SIZE ? parseVhdFooter(await device.read(length - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE)) : undefined;
  const footer = parsed?.footer;
  if (!parsed?.cookieOk || !footer) {
    const looksLike = await sniffFormat(device, length);
    const actual =
      length < VHD_FOOTER_SIZE
        ? `the blob is only ${length} bytes`
        : `no "${VHD_COOKIE}" cookie in the last 512 bytes${looksLike ? `; the file looks like ${looksLike}` : ''}`;
    add('VHD-001', 'VHD footer', 'Failed', actual, `the last 512 bytes are a VHD footer with cookie "${VHD_COOKIE}"`, `The image is not a VHD. ${MAKE_FIXED}`);
    notChecked('no VHD footer');
    return checks;
  }
  add('VHD-001', 'VHD footer', 'Passed', `cookie "${VHD_COOKIE}" (created by "${footer.creatorApplication}")`, `cookie "${VHD_COOKIE}"`);

  add(
    'VHD-002',
    'VHD footer checksum',
    parsed.checksumOk ? 'Passed' : 'Failed',
    `0x${footer.checksum.toString(16).padStart(8, '0')}`,
    `0x${footer.computedChecksum.toString(16).padStart(8, '0')} (one's complement of the footer's byte sum)`,
    'The footer is damaged or was edited by hand. Re-create the VHD from the source disk: ' +
      '`qemu-img convert -f raw -O vpc -o subformat=fixed,force_size disk.raw disk.vhd` (Hyper-V: `Convert-VHD -Path <source> -DestinationPath disk.vhd -VHDType Fixed`), ' +
      `then ${upload()}.`,
  );

  const type = footer.diskType;
  const typeFix =
    type === DISK_TYPE.dynamic
      ? 'Convert the dynamic VHD to a fixed one: `qemu-img convert -f vpc -O vpc -o subformat=fixed,force_size disk.vhd disk-fixed.vhd` ' +
        '(Hyper-V: `Convert-VHD -Path disk.vhd -DestinationPath disk-fixed.vhd -VHDType Fixed`), then ' + upload('disk-fixed.vhd') + '.'
      : type === DISK_TYPE.differencing
        ? 'Merge the differencing VHD with its parent into a fixed one: `Convert-VHD -Path child.vhd -DestinationPath disk-fixed.vhd -VHDType Fixed` ' +
          '(or `qemu-img convert -f vpc -O vpc -o subformat=fixed,force_size child.vhd disk-fixed.vhd` with the parent beside it), then ' + upload('disk-fixed.vhd') + '.'
        : MAKE_FIXED;
  add('VHD-003', 'Fixed-size VHD', type === DISK_TYPE.fixed ? 'Passed' : 'Failed', `disk type ${type} (${footer.diskTypeName})`, 'disk type 2 (Fixed)', typeFix);

  const virtual = footer.currentSize;
  const wholeMiB = Math.ceil(virtual / MiB);
  add(
    'VHD-004',
    'Virtual size at least 20 MiB',
    virtual >= MIN_VIRTUAL_SIZE ? 'Passed' : 'Failed',
    formatBytes(virtual),
    `at least ${formatBytes(MIN_VIRTUAL_SIZE)}`,
    'Grow the disk to at least 20 MiB (a whole number of MiB) and convert it again.',
  );
  add(
    'VHD-005',
    'Virtual size a whole number of MiB',
    virtual % MiB === 0 ? 'Passed' : 'Failed',
    formatBytes(virtual),
    'a multiple of 1048576 bytes (1 MiB)',
    `Resize the disk to a whole number of MiB, e.g. ${wholeMiB} MiB: \`qemu-img convert -f vpc -O raw disk.vhd disk.raw\`, ` +
      `\`qemu-img resize -f raw disk.raw ${wholeMiB}M\`, \`qemu-img convert -f raw -O vpc -o subformat=fixed,force_size disk.raw disk.vhd\` ` +
      `(Hyper-V: \`Resize-VHD -Path disk.vhd -SizeBytes ${wholeMiB}MB\`), then ${upload()}.`,
  );
  if (type === DISK_TYPE.fixed) {
    add(
      'VHD-006',
      'Blob length is virtual size + 512',
      length === virtual + VHD_FOOTER_SIZE ? 'Passed' : 'Failed',
      `blob length ${length} bytes, virtual size ${virtual} bytes`,
      `blob length ${virtual + VHD_FOOTER_SIZE} bytes (virtual size + 512)`,
      `The blob was truncated or padded after conversion: ${upload()}, without appending or trimming data.`,
    );
  } else {
    add('VHD-006', 'Blob length is virtual size + 512', 'NotApplicable', `not checked: disk type ${footer.diskTypeName}`, 'a fixed-size VHD');
  }

  if (disk.role === 'os') osDiskSize(add, virtual, osFamily);
  else {
    add(
      'VHD-008',
      'Data disk size',
      virtual <= 1023 * GiB ? 'Passed' : 'Failed',
      formatBytes(virtual),
      'at most 1023 GiB',
      'Shrink the data disk to at most 1023 GiB, or split its data across several data disks.',
    );
  }
  return checks;
}

/** Offer-level checks on each image's data disks: count and LUN order. */
export function checkDiskLayout(disks: DiskRef[]): CertificationCheck[] {
  const images = new Map<string, number[]>();
  for (const d of disks) {
    const key = `${d.skuId} ${d.version}`;
    if (!images.has(key)) images.set(key, []);
    if (d.role === 'data') images.get(key)!.push(d.lun ?? -1);
  }
  const checks: CertificationCheck[] = [];
  for (const [image, luns] of images) {
    const expected = luns.map((_, i) => i);
    const ok = luns.every((l, i) => l === i);
    checks.push({
      testId: 'DISK-001',
      name: `At most ${MAX_DATA_DISKS} data disks`,
      result: luns.length <= MAX_DATA_DISKS ? 'Passed' : 'Failed',
      actualValue: `${luns.length} data disks`,
      requiredValue: `at most ${MAX_DATA_DISKS} data disks`,
      remediation: luns.length <= MAX_DATA_DISKS ? '' : `Remove data disks from this disk version until at most ${MAX_DATA_DISKS} remain.`,
      disk: image,
    });
    checks.push({
      testId: 'DISK-002',
      name: 'Data disk LUNs 0, 1, 2… in order',
      result: ok ? 'Passed' : 'Failed',
      actualValue: luns.length ? `LUNs ${luns.join(', ')}` : 'no data disks',
      requiredValue: luns.length ? `LUNs ${expected.join(', ')}` : 'no data disks',
      remediation: ok ? '' : 'Number the data disks 0, 1, 2… in the order they are listed, without gaps.',
      disk: image,
    });
  }
  return checks;
}
