/** `/api/publishers/{publisherId}/offers…`: publish, validate, status, Go live, cancel, e-mails, list. */
import { Router } from 'express';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { AppConfig } from '../../config/env';
import { cancelUpdate, goLiveUpdate, setNotificationEmailsUpdate, type PublishOptions } from '../../domain/messages';
import { deleteOfferSnapshot, saveOfferSnapshot } from '../../lib/storage/offer-snapshots';
import { validateOffer } from '../../activities/validate';
import type { ActivityDeps } from '../../activities/deps';
import { readJson } from '../../lib/storage/json-blobs';
import { CONTAINERS } from '../../lib/storage/layout';
import { apiPath } from '../../domain/api-paths';
import { ApiError, parseOr400 } from '../errors';
import type { PublishGateway } from '../publish-gateway';
import { cancelRequestSchema, notificationEmailsRequestSchema, publishRequestSchema, validateRequestSchema } from '../schemas';
import { offerIds, publisherIdOf, serve } from './params';
import { actorOf } from '../actor';

export interface PublishersRouterDeps {
  config: AppConfig;
  gateway: PublishGateway;
  blobs: BlobServiceClient;
  /** What the dry-run validation needs (the same function the `validate` step runs). */
  validationDeps: ActivityDeps;
}

export function publishOptions(config: AppConfig): PublishOptions {
  return {
    regions: config.regions,
    provisionConcurrency: config.provisionConcurrency,
    regionsPerCopyActivity: config.regionsPerCopyActivity,
    publicBaseUrl: config.publicBaseUrl,
    supportUrl: config.supportUrl,
    ioTaskQueue: config.ioTaskQueue,
    regionStorageRetry: config.regionStorageRetry,
  };
}

export function createPublishersRouter({ config, gateway, blobs, validationDeps }: PublishersRouterDeps): Router {
  const router = Router({ mergeParams: true });

  const statusPath = (publisherId: string, offerId: string) => apiPath('status', { publisherId, offerId });

  serve(router, 'publisher', 'listOffers', async (req, res) => {
    res.json({ offers: await gateway.listOffers(publisherIdOf(req.params)) });
  });

  serve(router, 'publisher', 'stepDurations', async (req, res) => {
    res.json(await gateway.stepDurations(publisherIdOf(req.params)));
  });

  serve(router, 'publisher', 'publish', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const body = parseOr400(publishRequestSchema, req.body, 'publish request');
    // The draft (with its SAS URLs and lead secrets) is stored; the workflow only gets its name.
    const offerRef = await saveOfferSnapshot({ blobs, config }, publisherId, offerId, body.offer);
    try {
      const status = await gateway.start(
        {
          publisherId,
          offerId,
          offerRef,
          notificationEmails: body.notificationEmails ?? [],
          options: publishOptions(config),
          startedBy: actorOf(res, publisherId),
          ...(body.language ? { language: body.language } : {}),
        },
        body.offer.title?.trim() || offerId,
      );
      res.status(202).location(statusPath(publisherId, offerId)).json(status);
    } catch (err) {
      await deleteOfferSnapshot(blobs, offerRef).catch(() => undefined);
      throw err;
    }
  });

  serve(router, 'publisher', 'validate', async (req, res) => {
    offerIds(req.params);
    const body = parseOr400(validateRequestSchema, req.body, 'validate request');
    const result = await validateOffer(validationDeps, body.offer);
    res.json({
      valid: !result.findings.some((f) => f.level === 'Error'),
      messages: result.findings.map((f) => ({ field: f.field, level: f.level, text: f.text })),
    });
  });

  serve(router, 'publisher', 'status', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    res.json(await gateway.status(publisherId, offerId));
  });

  serve(router, 'publisher', 'certificationReport', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const ref = (await gateway.status(publisherId, offerId)).reports.certification;
    // The reference comes from the run's own status; the prefix check keeps publishers apart regardless.
    const report = ref?.startsWith(`${publisherId}/${offerId}/`) ? await readJson(blobs, CONTAINERS.reports, ref) : undefined;
    if (!report) throw new ApiError(404, 'NotFound', 'Certification has not run in the latest publish of this offer.');
    res.json(report);
  });

  serve(router, 'publisher', 'goLive', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const status = await gateway.update(publisherId, offerId, (h) => h.executeUpdate(goLiveUpdate, { args: [{ actor: actorOf(res, publisherId) }] }));
    res.status(202).location(statusPath(publisherId, offerId)).json(status);
  });

  serve(router, 'publisher', 'cancel', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const body = parseOr400(cancelRequestSchema, req.body ?? {}, 'cancel request');
    const status = await gateway.update(publisherId, offerId, (h) => h.executeUpdate(cancelUpdate, { args: [{ reason: body.reason, actor: actorOf(res, publisherId) }] }));
    res.status(202).location(statusPath(publisherId, offerId)).json(status);
  });

  serve(router, 'publisher', 'notificationEmails', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const body = parseOr400(notificationEmailsRequestSchema, req.body, 'notification e-mails request');
    const status = await gateway.update(publisherId, offerId, (h) =>
      h.executeUpdate(setNotificationEmailsUpdate, { args: [{ emails: body.emails, actor: actorOf(res, publisherId) }] }),
    );
    res.status(202).location(statusPath(publisherId, offerId)).json(status);
  });

  router.use((req) => {
    throw new ApiError(404, 'NotFound', `No route for ${req.method} ${req.originalUrl.split('?')[0]}.`);
  });

  return router;
}
