/**
 * The preview and live catalogs: product pages in blob storage, and the preview pointer that
 * tells the preview endpoint which run's page to show and who may see it, in one read.
 */
import type { BlobServiceClient } from '@azure/storage-blob';
import type { RunKey, RunRef } from '../../domain/pipeline';
import type { ProductPage } from '../product-page/model';
import { renderProductPageHtml } from '../product-page/render-html';
import { readJson, readText, writeJson } from './json-blobs';
import { CONTAINERS, livePointerBlobName, previewPageBlobName, previewPointerBlobName } from './layout';
import { mapLimit } from '../map-limit';
import { publicBlobUrl } from './public-url';
import { statusOf } from './rest-errors';
import { readCatalogDeprecations } from './catalog-deprecations';
import { applyDeprecations } from '../product-page/deprecation';

export interface PreviewPointer {
  runId: string;
  pageJson: string;
  pageHtml: string;
  /** Allow-listed subscription ids, lower-cased (compare lower-cased). */
  subscriptionIds: string[];
  createdAt: string;
}

export interface LiveOfferSummary {
  publisherId: string;
  offerId: string;
  title: string;
  summary: string;
  categories: string[];
  liveSince?: string;
  /** The offer's next or latest deprecation still shown (its date and state), if any. */
  deprecation?: { state: 'Scheduled' | 'Effective'; effectiveAt: string };
}

export async function writePreviewPointer(blobs: BlobServiceClient, ref: RunRef, subscriptionIds: string[]): Promise<PreviewPointer> {
  const pointer: PreviewPointer = {
    runId: ref.runId,
    pageJson: previewPageBlobName(ref, 'json'),
    pageHtml: previewPageBlobName(ref, 'html'),
    subscriptionIds: [...new Set(subscriptionIds.map((s) => s.trim().toLowerCase()).filter(Boolean))],
    createdAt: new Date().toISOString(),
  };
  await writeJson(blobs, CONTAINERS.preview, previewPointerBlobName(ref.publisherId, ref.offerId), pointer);
  return pointer;
}

/** The pointer with its ETag (for conditional deletes), or undefined. */
export async function readPreviewPointer(
  blobs: BlobServiceClient,
  publisherId: string,
  offerId: string,
): Promise<{ pointer: PreviewPointer; etag: string } | undefined> {
  try {
    const res = await blobs.getContainerClient(CONTAINERS.preview).getBlobClient(previewPointerBlobName(publisherId, offerId)).download();
    const chunks: Buffer[] = [];
    for await (const chunk of res.readableStreamBody!) chunks.push(Buffer.from(chunk as Buffer));
    return { pointer: JSON.parse(Buffer.concat(chunks).toString('utf8')) as PreviewPointer, etag: res.etag ?? '' };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/** What the preview endpoint serves: the pointer (for the allow-list check) and the page. */
export async function readPreviewPage(
  blobs: BlobServiceClient,
  publisherId: string,
  offerId: string,
): Promise<{ pointer: PreviewPointer; page: ProductPage; html: string } | undefined> {
  const found = await readPreviewPointer(blobs, publisherId, offerId);
  if (!found) return undefined;
  const [page, html] = await Promise.all([
    readJson<ProductPage>(blobs, CONTAINERS.preview, found.pointer.pageJson),
    readText(blobs, CONTAINERS.preview, found.pointer.pageHtml),
  ]);
  return page && html !== undefined ? { pointer: found.pointer, ...servable(page, html) } : undefined;
}

/** Deletes the run's preview page and, if it still points at this run, the pointer. Returns blobs deleted. */
export async function deletePreviewOfRun(blobs: BlobServiceClient, ref: RunKey): Promise<number> {
  const c = blobs.getContainerClient(CONTAINERS.preview);
  let deleted = 0;
  try {
    for (const ext of ['json', 'html'] as const) {
      if ((await c.getBlobClient(previewPageBlobName(ref, ext)).deleteIfExists()).succeeded) deleted++;
    }
    const found = await readPreviewPointer(blobs, ref.publisherId, ref.offerId);
    if (found?.pointer.runId === ref.runId) {
      // Conditional: a newer run may have replaced the pointer since we read it.
      const res = await c
        .getBlobClient(previewPointerBlobName(ref.publisherId, ref.offerId))
        .deleteIfExists({ conditions: { ifMatch: found.etag } })
        .catch((err) => {
          if (statusOf(err) === 412) return { succeeded: false };
          throw err;
        });
      if (res.succeeded) deleted++;
    }
  } catch (err) {
    if (statusOf(err) !== 404) throw err; // no preview container yet
  }
  return deleted;
}

/** Which version of an offer is live (activities/live writes it last, in one blob). */
export interface LivePointer {
  runId: string;
  pageJson: string;
  pageHtml: string;
  liveSince: string;
  /** The run that was live before this one (kept until the next switch; see activities/live). */
  supersedes?: string;
}

/** The live page, JSON and HTML of the same version: read through the pointer, never a mix. */
export async function readLivePage(
  blobs: BlobServiceClient,
  publisherId: string,
  offerId: string,
): Promise<{ page: ProductPage; html: string } | undefined> {
  const pointer = await readJson<LivePointer>(blobs, CONTAINERS.live, livePointerBlobName(publisherId, offerId));
  if (!pointer) return undefined;
  const [page, html, deprecations] = await Promise.all([
    readJson<ProductPage>(blobs, CONTAINERS.live, pointer.pageJson),
    readText(blobs, CONTAINERS.live, pointer.pageHtml),
    readCatalogDeprecations(blobs, publisherId, offerId),
  ]);
  if (!page || html === undefined) return undefined;
  if (deprecations.length === 0) return servable(page, html);
  // Deprecations are kept apart from the versions (they outlive a publish): the page is rendered with them.
  const shown = applyDeprecations(publicPage(page), deprecations);
  return { page: shown, html: renderProductPageHtml(shown) };
}

/**
 * The page as it may be served. Pages written before every URL on them was made public could
 * carry credentials: replica URLs with a region's SAS, logos hot-linked with the publisher's SAS.
 * Such a page is served cleaned (replica URLs without query, those logos left out) with its HTML
 * rendered again from the cleaned JSON; a page of this version is served as stored.
 */
function servable(page: ProductPage, html: string): { page: ProductPage; html: string } {
  const clean = publicPage(page);
  return clean === page ? { page, html } : { page: clean, html: renderProductPageHtml(clean) };
}

/** The page without credentials: `page` itself when it has none (every page of this version). */
function publicPage(page: ProductPage): ProductPage {
  const logos = Object.fromEntries(Object.entries(page.logos ?? {}).filter(([, url]) => !/[?#]/.test(url)));
  const deployFrom = page.deployFrom?.map((r) => ({ ...r, images: r.images.map((i) => ({ ...i, url: publicBlobUrl(i) })) }));
  const clean: ProductPage = { ...page, logos, ...(deployFrom ? { deployFrom } : {}) };
  return JSON.stringify(clean) === JSON.stringify(page) ? page : clean;
}

/** Every live offer, sorted by publisher and offer id. */
export async function listLiveOffers(blobs: BlobServiceClient): Promise<LiveOfferSummary[]> {
  const names: string[] = [];
  try {
    for await (const b of blobs.getContainerClient(CONTAINERS.live).listBlobsFlat()) {
      const parts = b.name.split('/');
      if (parts.length === 3 && parts[2] === 'current.json') names.push(b.name);
    }
  } catch (err) {
    if (statusOf(err) === 404) return [];
    throw err;
  }
  const pages = await mapLimit(names, 8, async (name) => {
    const pointer = await readJson<LivePointer>(blobs, CONTAINERS.live, name);
    const page = pointer && (await readJson<ProductPage>(blobs, CONTAINERS.live, pointer.pageJson));
    return page && applyDeprecations(page, await readCatalogDeprecations(blobs, page.publisherId, page.offerId));
  });
  return pages
    // An offer deprecated for good is no longer in the catalog for new customers (its page still answers).
    .filter((p): p is ProductPage => p !== undefined && p.availableToNewCustomers !== false)
    .map((p) => ({
      publisherId: p.publisherId,
      offerId: p.offerId,
      title: p.title,
      summary: p.summary,
      categories: p.categories,
      liveSince: p.liveSince,
      ...(p.deprecations?.length ? { deprecation: { state: p.deprecations[0].state, effectiveAt: p.deprecations[0].effectiveAt } } : {}),
    }))
    .sort((a, b) => `${a.publisherId}/${a.offerId}`.localeCompare(`${b.publisherId}/${b.offerId}`));
}
