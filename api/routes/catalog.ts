/**
 * Customer-facing pages, no API key: the preview (allow-listed subscriptions only, by the
 * `x-ms-subscription-id` header) and the live marketplace catalog.
 */
import { Router, type Request, type Response } from 'express';
import type { BlobServiceClient } from '@azure/storage-blob';
import { listLiveOffers, readLivePage, readPreviewPage } from '../../lib/storage/catalog';
import { GUID } from '../../activities/validate/formats';
import { ApiError } from '../errors';
import { offerIds, serve } from './params';

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

  return router;
}
