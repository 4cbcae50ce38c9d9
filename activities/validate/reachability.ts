/**
 * Are the offer's images and logos there? Each URL must pass the URL policy; an image must answer
 * a byte-range read (certification depends on it) and be an Azure page blob (replication copies
 * nothing else), a logo must be a PNG of its required size. Only a few bytes of each are transferred.
 */
import { LOGO_SIZES, type LogoKind, type OfferDraft } from '../../domain/offer';
import type { Finding } from '../../domain/status';
import { isImageAccessError, openBlockDevice } from '../../lib/net/block-device';
import { httpStatusProblem, policedFetch, type UrlPolicy } from '../../lib/net/url-policy';
import { logoProblem, PNG_HEADER_BYTES } from './png';
import { mapLimit } from '../../lib/map-limit';
import { BLOB_TYPE_HEADER, imageBlobTypeProblem } from '../../lib/storage/image-blob';
import { buildPlan, diskUrl } from '../../lib/offer/plan';

const IMAGE_PROBE_BYTES = 512;

export interface ReachabilityOptions {
  /**
   * Fields not to check, with everything under them: those that failed the format rules, and lists
   * past their limits (`skus` skips every image of the offer).
   */
  skipFields?: ReadonlySet<string>;
  /** Checks in flight at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
}

type Target = { field: string; url: string; logo?: LogoKind };

function targets(offer: OfferDraft): Target[] {
  const out: Target[] = [];
  for (const kind of Object.keys(LOGO_SIZES) as LogoKind[]) {
    const url = offer.logos?.[kind];
    if (typeof url === 'string' && url) out.push({ field: `logos.${kind}`, url, logo: kind });
  }
  // The disks as certify and provision will see them: the same plan, the same URL lookup.
  for (const disk of buildPlan(offer).disks) {
    const url = diskUrl(offer, disk);
    if (url) out.push({ field: disk.field, url });
  }
  return out;
}

interface Prefix {
  bytes: Buffer;
  /** The blob type the storage service answered with; undefined when it is not Azure Storage. */
  blobType?: string;
}

/** The first `n` bytes (fewer if the file is shorter), or a problem in words. */
async function readPrefix(url: string, n: number, policy: UrlPolicy, acceptWholeBody: boolean, signal?: AbortSignal): Promise<Prefix | string> {
  if (url.startsWith('file:')) {
    const device = await openBlockDevice(url, { policy, signal, blockSize: n });
    try {
      return { bytes: await device.read(0, Math.min(n, await device.size())) };
    } finally {
      await device.close();
    }
  }
  const res = await policedFetch(url, { headers: { range: `bytes=0-${n - 1}` } }, policy, { maxBytes: n, signal });
  const answered = async () => ({ bytes: await res.head(n), blobType: res.headers.get(BLOB_TYPE_HEADER) ?? undefined });
  try {
    if (res.status === 206) return await answered();
    // A server that ignores Range sends the whole file: fine for a logo, not for a multi-GB image.
    if (res.status === 200 && acceptWholeBody) return await answered();
    if (res.status === 200) {
      return 'was served without support for HTTP range requests; host the image where byte-range reads work (e.g. Azure Blob Storage)';
    }
    return httpStatusProblem(res.status);
  } finally {
    await res.discard();
  }
}

/** What one read of a URL learnt: its first bytes, or why it cannot be used or read (in words). */
type Probe = { prefix: Prefix } | { unusable: string } | { unreadable: string };

async function probe(url: string, logo: boolean, policy: UrlPolicy, signal?: AbortSignal): Promise<Probe> {
  try {
    const prefix = await readPrefix(url, logo ? PNG_HEADER_BYTES : IMAGE_PROBE_BYTES, policy, logo, signal);
    return typeof prefix === 'string' ? { unreadable: prefix } : { prefix };
  } catch (err) {
    signal?.throwIfAborted();
    if (!isImageAccessError(err)) throw err;
    return { unusable: err.message };
  }
}

/** The finding on `t`'s field from what the read of its URL learnt, if any. */
function judge(t: Target, p: Probe): Finding | undefined {
  const what = t.logo ? `The ${t.logo} logo` : 'The image';
  if ('unusable' in p) return { level: 'Error', field: t.field, text: `${what} cannot be used: ${p.unusable}` };
  if ('unreadable' in p) return { level: 'Error', field: t.field, text: `${what} could not be read: ${p.unreadable}.` };
  const { prefix } = p;
  if (!t.logo) {
    const notPageBlob = imageBlobTypeProblem(prefix.blobType);
    return notPageBlob ? { level: 'Error', field: t.field, text: `${what} ${notPageBlob}.` } : undefined;
  }
  const problem = logoProblem(t.logo, prefix.bytes);
  return problem ? { level: 'Error', field: t.field, text: `${what} ${problem}.` } : undefined;
}

/** Whether `field` or a field it is under (`skus`, `skus[0]`, `skus[0].diskVersions`…) is in `fields`. */
function isUnder(field: string, fields: ReadonlySet<string> | undefined): boolean {
  if (!fields?.size) return false;
  for (let i = 1; i <= field.length; i++) {
    if ((i === field.length || field[i] === '.' || field[i] === '[') && fields.has(field.slice(0, i))) return true;
  }
  return false;
}

export async function checkReachability(offer: OfferDraft, policy: UrlPolicy, opts: ReachabilityOptions = {}): Promise<Finding[]> {
  // One read per URL (and kind of read: a logo's header, an image's first sector), however many
  // fields give it: a draft repeating one URL in every disk costs one request, not one per disk.
  const byUrl = new Map<string, Target[]>();
  for (const t of targets(offer)) {
    if (isUnder(t.field, opts.skipFields)) continue;
    const key = `${t.logo ? 'logo' : 'image'} ${t.url}`;
    const same = byUrl.get(key);
    if (same) same.push(t);
    else byUrl.set(key, [t]);
  }
  const results = await mapLimit([...byUrl.values()], opts.concurrency ?? 4, async (same) => {
    const p = await probe(same[0].url, !!same[0].logo, policy, opts.signal);
    return same.map((t) => judge(t, p));
  });
  return results.flat().filter((f): f is Finding => f !== undefined);
}
