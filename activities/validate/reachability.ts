/**
 * Are the offer's images and logos there? Each URL must pass the URL policy; an image must answer
 * a byte-range read (certification depends on it) and be an Azure page blob (replication copies
 * nothing else), a logo must be a PNG of its required size. Only a few bytes of each are transferred.
 */
import { LOGO_SIZES, type LogoKind, type OfferDraft } from '../../domain/offer';
import type { Finding } from '../../domain/status';
import { isImageAccessError, openBlockDevice } from '../../lib/net/block-device';
import { httpStatusProblem, policedFetch, type UrlPolicy } from '../../lib/net/url-policy';
import { parsePngHeader, PNG_HEADER_BYTES } from './png';
import { mapLimit } from '../../lib/map-limit';
import { BLOB_TYPE_HEADER, imageBlobTypeProblem } from '../../lib/storage/image-blob';
import { buildPlan, diskUrl } from '../../lib/offer/plan';

const IMAGE_PROBE_BYTES = 512;

export interface ReachabilityOptions {
  /** Fields not to check (e.g. those that already failed the format rules). */
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

async function checkTarget(t: Target, policy: UrlPolicy, signal?: AbortSignal): Promise<Finding | undefined> {
  const what = t.logo ? `The ${t.logo} logo` : 'The image';
  let prefix: Prefix | string;
  try {
    prefix = await readPrefix(t.url, t.logo ? PNG_HEADER_BYTES : IMAGE_PROBE_BYTES, policy, !!t.logo, signal);
  } catch (err) {
    signal?.throwIfAborted();
    if (!isImageAccessError(err)) throw err;
    return { level: 'Error', field: t.field, text: `${what} cannot be used: ${err.message}` };
  }
  if (typeof prefix === 'string') return { level: 'Error', field: t.field, text: `${what} could not be read: ${prefix}.` };
  if (!t.logo) {
    const notPageBlob = imageBlobTypeProblem(prefix.blobType);
    return notPageBlob ? { level: 'Error', field: t.field, text: `${what} ${notPageBlob}.` } : undefined;
  }

  const { width, height } = LOGO_SIZES[t.logo];
  const png = parsePngHeader(prefix.bytes);
  if (!png.ok) return { level: 'Error', field: t.field, text: `${what} ${png.problem}: upload a PNG of ${width}×${height} pixels.` };
  const h = png.header;
  if (h.width !== width || h.height !== height) {
    return { level: 'Error', field: t.field, text: `${what} is ${h.width}×${h.height} pixels: it must be exactly ${width}×${height} pixels.` };
  }
  return undefined;
}

export async function checkReachability(offer: OfferDraft, policy: UrlPolicy, opts: ReachabilityOptions = {}): Promise<Finding[]> {
  const todo = targets(offer).filter((t) => !opts.skipFields?.has(t.field));
  const results = await mapLimit(todo, opts.concurrency ?? 4, (t) => checkTarget(t, policy, opts.signal));
  return results.filter((f): f is Finding => f !== undefined);
}
