/**
 * Customer-facing pages, no API key: the preview (allow-listed subscriptions only, by the
 * `x-ms-subscription-id` header), the live marketplace catalog, and the logos their pages show.
 */
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { BlobServiceClient } from '@azure/storage-blob';
import { z } from 'zod';
import { LOGO_SIZES, type LogoKind } from '../../domain/offer';
import { listLiveOffers, readLivePage, readPreviewPage } from '../../lib/storage/catalog';
import { openRunLogo } from '../../lib/storage/catalog-assets';
import { GUID } from '../../activities/validate/formats';
import { ApiError, parseOr400 } from '../errors';
import { idSchema } from '../schemas';
import { offerIds, serve } from './params';

const logoKindSchema = z.enum(Object.keys(LOGO_SIZES) as [LogoKind, ...LogoKind[]]);

/**
 * Logos are served as images only: a copy that is not one (validate and package check it is a PNG)
 * is never sniffed or rendered as a document. A run's logos do not change, so caches may keep them.
 */
const LOGO_HEADERS = {
  'Content-Type': 'image/png',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Cache-Control': 'public, max-age=86400',
};

/** Pages are rendered from sanitised content; the policy is a second wall against script. */
const HTML_CSP = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

function sendPage(req: Request, res: Response, page: unknown, html: string): void {
  res.vary('Accept');
  if (req.accepts(['application/json', 'text/html']) === 'text/html') {
    res.set('Content-Security-Policy', HTML_CSP).type('html').send(html);
  } else {
    res.json(page);
  }
}

export function createCatalogRouter({ blobs }: { blobs: BlobServiceClient }): Router {
  const router = Router();

  serve(router, 'api', 'previewPage', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const subscription = req.get('x-ms-subscription-id')?.trim() ?? '';
    if (!GUID.test(subscription)) {
      throw new ApiError(400, 'InvalidSubscriptionId', 'Send your Azure subscription id (a GUID) in the x-ms-subscription-id header.');
    }
    const preview = await readPreviewPage(blobs, publisherId, offerId);
    if (!preview) throw new ApiError(404, 'NotFound', 'This offer has no preview.');
    if (!preview.pointer.subscriptionIds.includes(subscription.toLowerCase())) {
      throw new ApiError(403, 'NotAllowListed', 'This subscription is not on the preview allow-list of the offer.');
    }
    sendPage(req, res, preview.page, preview.html);
  });

  serve(router, 'api', 'liveOffers', async (_req, res) => {
    res.json({ offers: await listLiveOffers(blobs) });
  });

  serve(router, 'api', 'livePage', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const live = await readLivePage(blobs, publisherId, offerId);
    if (!live) throw new ApiError(404, 'NotFound', 'This offer is not live.');
    sendPage(req, res, live.page, live.html);
  });

  // No key, like the pages that show them: a logo is public once its page is, and the run id in
  // the path is not guessable, so a preview's logos are as hard to find as the preview itself.
  serve(router, 'api', 'catalogLogo', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const runId = parseOr400(idSchema, req.params.runId, 'run id');
    const kind = parseOr400(logoKindSchema, req.params.logoKind, 'logo kind');
    const logo = await openRunLogo(blobs, { publisherId, offerId, runId }, kind);
    if (!logo) throw new ApiError(404, 'NotFound', 'There is no such logo.');
    res.set(LOGO_HEADERS);
    if (logo.length !== undefined) res.set('Content-Length', String(logo.length));
    await pipeline(logo.body, res).catch((err: unknown) => {
      // Once the answer has started no error answer can follow: the client sees it cut short.
      if (!res.headersSent) throw err;
      res.destroy();
    });
  });

  return router;
}
