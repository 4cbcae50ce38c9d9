/**
 * The `certify` step: opens every planned disk image under the URL policy, runs the disk checks,
 * stores the full report and returns a summary small enough for workflow history. A publisher's
 * image that cannot be read is a Failed check, not an activity failure.
 */
import type { CertificationCheck, CertificationReport } from '../../domain/certification';
import type { OfferDraft } from '../../domain/offer';
import type { CertifyResult, DiskRef, PublishPlan, RunRef } from '../../domain/pipeline';
import { MiB } from '../../domain/units';
import type { ActivityDeps } from '../deps';
import { isImageAccessError, openBlockDevice, type BlockDevice } from '../../lib/net/block-device';
import { CONTAINERS, reportBlobName } from '../../lib/storage/layout';
import { writeJson } from '../../lib/storage/json-blobs';
import { diskLabel, diskUrl } from '../../lib/offer/plan';
import { clippedCheck } from './check-text';
import { checkDisk, checkDiskLayout } from './disk-checks';
import { inspectImage } from './inspect-image';

export { checkDisk, checkDiskLayout } from './disk-checks';

const MAX_NOTABLE = 50;
/** Transferred: enough for the footer, partition table and filesystem metadata of any sane image. */
const DEFAULT_MAX_BYTES_PER_DISK = 64 * MiB;
/**
 * Read, cache hits included: the work the checks may do on one image (a compliant one reads
 * a few hundred KB; a crafted one must not read the same blocks for minutes).
 */
const DEFAULT_MAX_BYTES_SERVED_PER_DISK = 256 * MiB;
/** A well-formed image certifies in seconds; a slow server or a crafted image does not get to hold the step. */
const DEFAULT_MAX_MS_PER_DISK = 5 * 60 * 1000;

export interface CertifyOptions {
  heartbeat?: (details: unknown) => void;
  signal?: AbortSignal;
  maxBytesPerDisk?: number;
  maxBytesServedPerDisk?: number;
  maxMsPerDisk?: number;
}

const TIMELY = { testId: 'IMG-003', name: 'Image certified within the time budget' };

const READABLE = {
  testId: 'IMG-001',
  name: 'Image readable',
  requiredValue: 'the image URL is allowed, reachable and answers HTTP range requests',
  remediation:
    'Check that the URL points at the VHD blob, that its SAS token grants read (r) permission and stays valid until the offer is live, ' +
    'and that it is on an allowed storage host; then publish again.',
};

function readable(disk: DiskRef, failure?: string): CertificationCheck {
  return failure
    ? { ...READABLE, result: 'Failed', actualValue: failure, disk: diskLabel(disk) }
    : { ...READABLE, result: 'Passed', actualValue: 'readable', remediation: '', disk: diskLabel(disk) };
}

async function certifyDisk(
  deps: Pick<ActivityDeps, 'config'>,
  offer: OfferDraft,
  plan: PublishPlan,
  disk: DiskRef,
  opts: CertifyOptions,
  progress: (bytesRead: number) => void,
): Promise<{ checks: CertificationCheck[]; bytesRead: number }> {
  const url = diskUrl(offer, disk);
  if (!url) return { checks: [readable(disk, `the offer has no URL for this disk (${disk.field})`)], bytesRead: 0 };
  let device: BlockDevice | undefined;
  const maxMs = opts.maxMsPerDisk ?? DEFAULT_MAX_MS_PER_DISK;
  const deadline = AbortSignal.timeout(maxMs);
  const osFamily = plan.osFamilyBySku[disk.skuId] ?? '';
  try {
    device = await openBlockDevice(url, {
      policy: deps.config.urlPolicy,
      signal: opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline,
      maxBytes: opts.maxBytesPerDisk ?? DEFAULT_MAX_BYTES_PER_DISK,
      maxBytesServed: opts.maxBytesServedPerDisk ?? DEFAULT_MAX_BYTES_SERVED_PER_DISK,
      onProgress: progress,
    });
    const checks = await checkDisk(device, disk, osFamily);
    const fixedFooter = ['VHD-001', 'VHD-003'].every((id) => checks.find((c) => c.testId === id)?.result === 'Passed');
    // The layers below need a fixed VHD: its data is the blob minus the 512-byte footer.
    if (fixedFooter) checks.push(...(await inspectImage(device, (await device.size()) - 512, disk, osFamily)));
    return { checks: [readable(disk), ...checks], bytesRead: device.bytesRead };
  } catch (err) {
    opts.signal?.throwIfAborted();
    if (deadline.aborted) {
      const slow = {
        ...TIMELY,
        result: 'Failed' as const,
        actualValue: `not finished after ${maxMs / 1000} s (${device?.bytesRead ?? 0} bytes transferred, ${device?.bytesServed ?? 0} read)`,
        requiredValue: `at most ${maxMs / 1000} s per image`,
        remediation:
          'Serve the image from Azure Blob Storage (a page blob) in a region close to the marketplace, with a SAS that allows range reads. ' +
          'If it is served that way, the filesystem asks for too much work: keep directories the checks read (/etc, /usr/lib, /boot) to ordinary sizes, without farms of links, then capture the image again.',
        disk: diskLabel(disk),
      };
      return { checks: [readable(disk), slow], bytesRead: device?.bytesRead ?? 0 };
    }
    if (!isImageAccessError(err)) throw err;
    return { checks: [readable(disk, err.message)], bytesRead: device?.bytesRead ?? 0 };
  } finally {
    await device?.close();
  }
}

export async function certifyImages(
  deps: Pick<ActivityDeps, 'config' | 'blobs'>,
  ref: RunRef,
  offer: OfferDraft,
  plan: PublishPlan,
  opts: CertifyOptions = {},
): Promise<CertifyResult> {
  const startedAt = new Date().toISOString();
  const checks: CertificationCheck[] = [];
  let bytesRead = 0;
  for (const [index, disk] of plan.disks.entries()) {
    opts.signal?.throwIfAborted();
    const beat = (diskBytes: number) =>
      opts.heartbeat?.({ disk: diskLabel(disk), index, of: plan.disks.length, bytesRead: bytesRead + diskBytes });
    beat(0);
    const result = await certifyDisk(deps, offer, plan, disk, opts, beat);
    checks.push(...result.checks);
    bytesRead += result.bytesRead;
  }
  checks.push(...checkDiskLayout(plan.disks));
  const clipped = checks.map(clippedCheck);

  const passed = clipped.every((c) => c.result !== 'Failed');
  const report: CertificationReport = {
    publisherId: ref.publisherId,
    offerId: ref.offerId,
    runId: ref.runId,
    startedAt,
    completedAt: new Date().toISOString(),
    passed,
    bytesRead,
    checks: clipped,
  };
  const reportRef = reportBlobName(ref, 'certify');
  await writeJson(deps.blobs, CONTAINERS.reports, reportRef, report);
  const notable = [...clipped.filter((c) => c.result === 'Failed'), ...clipped.filter((c) => c.result === 'Warning')].slice(0, MAX_NOTABLE);
  return { passed, checkCount: clipped.length, bytesRead, notable, reportRef };
}
