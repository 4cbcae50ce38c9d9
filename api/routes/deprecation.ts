/**
 * `…/offers/{offerId}/deprecation`: schedule (or reschedule) a deprecation of the live offer, a plan
 * or an image version; read it; restore it (docs/http-api.md, docs/process.md "After Go live").
 * The request is checked against the live page here, so the workflow starts only for something
 * customers can see: an unknown plan or version, or a notice shorter than the minimum, is a 409.
 */
import { Router, type Response } from 'express';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { AppConfig } from '../../config/env';
import { apiPath } from '../../domain/api-paths';
import type { DeprecationInput, DeprecationScope } from '../../domain/deprecation';
import { ErrorType } from '../../domain/errors';
import { publisherActor, type Actor } from '../../domain/history';
import { readLivePage } from '../../lib/storage/catalog';
import type { ProductPage } from '../../lib/product-page/model';
import type { Principal } from '../auth';
import { DeprecationGateway } from '../deprecation-gateway';
import { ApiError, parseOr400 } from '../errors';
import type { PublishGateway } from '../publish-gateway';
import { deprecationRequestSchema } from '../schemas';
import { offerIds, serve } from './params';

export interface DeprecationRouterDeps {
  config: AppConfig;
  gateway: PublishGateway;
  blobs: BlobServiceClient;
}

/** Who is asking, as the notices and the history name them. */
export function actorOf(res: Response): Actor {
  const p = res.locals.principal as Principal | undefined;
  return p?.kind === 'publisher' ? publisherActor(p.publisherId) : 'operator';
}

/** The scope checked against the live page; the only plan stands for the offer. */
function liveScope(page: ProductPage, scope: DeprecationScope): DeprecationScope {
  // An offer deprecated for good keeps its page for existing customers; it cannot be deprecated again.
  if (page.availableToNewCustomers === false) throw new ApiError(409, ErrorType.OfferNotLive, 'This offer is deprecated: it is no longer available to new customers.');
  if (scope === 'offer') return scope;
  const sku = page.skus.find((s) => s.skuId === scope.skuId);
  if (!sku) throw new ApiError(409, ErrorType.OfferNotLive, `The live offer has no plan ${scope.skuId}.`);
  if (scope.version !== undefined && !sku.diskVersions.some((v) => v.version === scope.version)) {
    throw new ApiError(409, ErrorType.OfferNotLive, `Plan ${scope.skuId} of the live offer has no version ${scope.version}.`);
  }
  return scope.version === undefined && page.skus.length === 1 ? 'offer' : scope;
}

export function createDeprecationRouter({ config, gateway, blobs }: DeprecationRouterDeps): Router {
  const router = Router({ mergeParams: true });
  const deprecations = new DeprecationGateway(gateway.temporal, config.taskQueue);
  const location = (publisherId: string, offerId: string) => apiPath('deprecation', { publisherId, offerId });

  serve(router, 'publisher', 'scheduleDeprecation', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const body = parseOr400(deprecationRequestSchema, req.body, 'deprecation request');
    const live = await readLivePage(blobs, publisherId, offerId);
    if (!live) throw new ApiError(409, ErrorType.OfferNotLive, 'This offer is not live: only a live offer can be deprecated.');
    const now = Date.now();
    const earliest = now + config.deprecationMinNoticeMs;
    const asked = body.effectiveAt ? Date.parse(body.effectiveAt) : earliest;
    // A second of slack: a client that computed now + notice itself is not refused for the time the request took.
    if (asked < earliest - 1000 && body.reason !== 'criticalSecurityIssue') {
      throw new ApiError(409, ErrorType.NoticeTooShort, `effectiveAt may not be earlier than ${new Date(earliest).toISOString()} (the minimum notice), except for a critical security issue.`);
    }
    const notificationEmails = body.notificationEmails ?? (await gateway.status(publisherId, offerId).then((s) => s.notificationEmails, () => []));
    const input: DeprecationInput = {
      publisherId,
      offerId,
      offerTitle: live.page.title,
      request: {
        scope: liveScope(live.page, body.scope),
        reason: body.reason,
        ...(body.text ? { text: body.text } : {}),
        ...(body.alternative ? { alternative: body.alternative } : {}),
        effectiveAt: new Date(Math.max(asked, now)).toISOString(),
      },
      actor: actorOf(res),
      notificationEmails,
      minNoticeMs: config.deprecationMinNoticeMs,
      restoreWindowMs: config.deprecationRestoreWindowMs,
      publicBaseUrl: config.publicBaseUrl,
      supportUrl: config.supportUrl,
      ioTaskQueue: config.ioTaskQueue,
    };
    const { status } = await deprecations.schedule(input);
    res.status(202).location(location(publisherId, offerId)).json(status);
  });

  serve(router, 'publisher', 'deprecation', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    res.json(await deprecations.status(publisherId, offerId));
  });

  serve(router, 'publisher', 'restoreDeprecation', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const status = await deprecations.restore(publisherId, offerId, actorOf(res));
    res.status(202).location(location(publisherId, offerId)).json(status);
  });

  return router;
}
