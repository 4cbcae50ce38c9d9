/**
 * `/api/publishers/{publisherId}/…`: the offer's history, its changes against live, the
 * publisher's webhook, and image self-tests (docs/http-api.md). Mounted before the publishers
 * router, behind the same auth; every read is scoped to the publisher of the path.
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { BlobServiceClient } from '@azure/storage-blob';
import { WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { AppConfig } from '../../config/env';
import { apiPath } from '../../domain/api-paths';
import { ErrorType } from '../../domain/errors';
import { IMAGE_TEST_OFFER_ID, IMAGE_TEST_WORKFLOW_TYPE, imageTestWorkflowId, type ImageTestBody, type ImageTestInput, type ImageTestResult } from '../../domain/image-tests';
import type { CertificationReport } from '../../domain/certification';
import type { ChangesBody } from '../../domain/history';
import type { OfferDraft } from '../../domain/offer';
import { imageTestDraft } from '../../activities/image-tests';
import { draftChanges } from '../../lib/history/draft-changes';
import { historyTableFor, listRunDrafts, readHistoryPage } from '../../lib/history/store';
import { takeFromWindow } from '../../lib/history/rate-window';
import { assertUrlAllowed, resolveAndCheck, UrlPolicyError, type UrlPolicy } from '../../lib/net/url-policy';
import { takeSecrets } from '../../lib/offer/secret-fields';
import type { LivePointer } from '../../lib/storage/catalog';
import { readJson } from '../../lib/storage/json-blobs';
import { CONTAINERS, livePointerBlobName } from '../../lib/storage/layout';
import { saveOfferSnapshot, SNAPSHOT_FORMAT, type StoredSnapshot } from '../../lib/storage/offer-snapshots';
import { deleteWebhook, getWebhook, putWebhook, recentAttempts } from '../../lib/webhooks/store';
import { ApiError, parseOr400 } from '../errors';
import type { PublishGateway } from '../publish-gateway';
import { historyQuerySchema, imageTestRequestSchema, webhookRequestSchema } from '../audit-schemas';
import { idSchema } from '../schemas';
import { offerIds, publisherIdOf, serve } from './params';

export interface OfferAuditRouterDeps {
  config: AppConfig;
  gateway: PublishGateway;
  blobs: BlobServiceClient;
}

const HOUR_MS = 3_600_000;

/** A publisher-given URL under a policy, checked as the delivery or read will connect (its addresses too); a 400 saying why not. */
async function allowedUrl(url: string, policy: UrlPolicy, field: string, code: string): Promise<void> {
  try {
    assertUrlAllowed(url, policy);
    await resolveAndCheck(url, policy);
  } catch (err) {
    if (err instanceof UrlPolicyError) throw new ApiError(400, code, `${field} is not allowed: ${err.message}`);
    throw new ApiError(400, code, `${field}: its host cannot be resolved.`);
  }
}

/** The non-secret part of a stored draft, if it belongs to this offer. */
async function storedDraft(blobs: BlobServiceClient, publisherId: string, offerId: string, offerRef: string): Promise<OfferDraft | undefined> {
  if (!offerRef.startsWith(`${publisherId}/${offerId}/`)) return undefined;
  const doc = await readJson<StoredSnapshot | OfferDraft>(blobs, CONTAINERS.offerSnapshots, offerRef);
  if (!doc) return undefined;
  return (doc as StoredSnapshot).format === SNAPSHOT_FORMAT ? (doc as StoredSnapshot).offer : takeSecrets(doc as OfferDraft).offer;
}

/** Bytes read so far, from the certification's last heartbeat (`{ bytesRead }`, activities/certify). */
function bytesReadSoFar(pending: Array<{ heartbeatDetails?: { payloads?: Payload[] | null } | null }>): number {
  const payload = pending[0]?.heartbeatDetails?.payloads?.[0];
  if (!payload) return 0;
  try {
    const details = defaultPayloadConverter.fromPayload<{ bytesRead?: unknown }>(payload);
    return typeof details?.bytesRead === 'number' ? details.bytesRead : 0;
  } catch {
    return 0;
  }
}

export function createOfferAuditRouter({ config, gateway, blobs }: OfferAuditRouterDeps): Router {
  const router = Router({ mergeParams: true });
  const history = historyTableFor(config.storageConnectionString);
  const rateTable = historyTableFor(config.storageConnectionString, 'imagetestwindows');

  serve(router, 'publisher', 'history', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const q = parseOr400(historyQuerySchema, req.query, 'history query');
    res.json(await readHistoryPage(history, publisherId, offerId, q.limit, q.cursor));
  });

  serve(router, 'publisher', 'changes', async (req, res) => {
    const { publisherId, offerId } = offerIds(req.params);
    const runs = await listRunDrafts(history, publisherId, offerId);
    const latest = runs[0];
    if (!latest) throw new ApiError(404, 'NotFound', 'This offer has no recorded publish.');
    const pointer = await readJson<LivePointer>(blobs, CONTAINERS.live, livePointerBlobName(publisherId, offerId));
    const liveRun = pointer && runs.find((r) => r.runId === pointer.runId);
    if (pointer && !liveRun) {
      throw new ApiError(409, 'LiveDraftUnknown', 'The live version was published before drafts were recorded with the history; there is nothing to compare it with.');
    }
    const draft = await storedDraft(blobs, publisherId, offerId, latest.offerRef);
    const liveDraft = liveRun && (await storedDraft(blobs, publisherId, offerId, liveRun.offerRef));
    if (!draft || (liveRun && !liveDraft)) throw new ApiError(404, 'NotFound', 'The draft of a run is no longer stored.');
    const body: ChangesBody = {
      live: !!pointer,
      ...(liveRun ? { liveRunId: liveRun.runId } : {}),
      draftRunId: latest.runId,
      changes: draftChanges(liveDraft && { offer: liveDraft, secretDigests: liveRun.secretDigests ?? {} }, { offer: draft, secretDigests: latest.secretDigests ?? {} }),
    };
    res.json(body);
  });

  serve(router, 'publisher', 'putWebhook', async (req, res) => {
    const publisherId = publisherIdOf(req.params);
    const { url } = parseOr400(webhookRequestSchema, req.body, 'webhook request');
    await allowedUrl(url, config.leadUrlPolicy, 'url', 'WebhookUrlNotAllowed');
    res.json(await putWebhook(config, publisherId, url));
  });

  serve(router, 'publisher', 'getWebhook', async (req, res) => {
    const publisherId = publisherIdOf(req.params);
    const hook = await getWebhook(config, publisherId);
    if (!hook) throw new ApiError(404, 'NotFound', 'No webhook is set for this publisher.');
    res.json({ ...hook, deliveries: await recentAttempts(config, publisherId) });
  });

  serve(router, 'publisher', 'deleteWebhook', async (req, res) => {
    const publisherId = publisherIdOf(req.params);
    if (!(await deleteWebhook(config, publisherId))) throw new ApiError(404, 'NotFound', 'No webhook is set for this publisher.');
    res.status(204).end();
  });

  serve(router, 'publisher', 'startImageTest', async (req, res) => {
    const publisherId = publisherIdOf(req.params);
    const body = parseOr400(imageTestRequestSchema, req.body, 'image test request');
    await allowedUrl(body.vhdUrl, config.urlPolicy, 'vhdUrl', ErrorType.ImageUrlNotAllowed);
    const window = await takeFromWindow(rateTable, publisherId, config.imageTestsPerHour, HOUR_MS);
    if (!window.allowed) {
      res.setHeader('Retry-After', String(window.retryAfterS));
      throw new ApiError(429, 'TooManyImageTests', `At most ${config.imageTestsPerHour} image tests in 60 minutes; try again in ${window.retryAfterS} s.`);
    }
    const testId = randomUUID();
    // The URL carries a SAS: stored sealed like a draft, the workflow gets only the reference.
    const offerRef = await saveOfferSnapshot({ blobs, config }, publisherId, IMAGE_TEST_OFFER_ID, imageTestDraft(body.vhdUrl, body.os));
    const input: ImageTestInput = { publisherId, testId, offerRef, osFamily: body.os.family, ioTaskQueue: config.ioTaskQueue };
    await gateway.temporal.workflow.start(IMAGE_TEST_WORKFLOW_TYPE, { workflowId: imageTestWorkflowId(publisherId, testId), taskQueue: config.taskQueue, args: [input] });
    const body202: ImageTestBody = { testId, status: 'Running', bytesRead: 0, checks: [] };
    res.status(202).location(apiPath('imageTest', { publisherId, testId })).json(body202);
  });

  serve(router, 'publisher', 'imageTest', async (req, res) => {
    const publisherId = publisherIdOf(req.params);
    const testId = parseOr400(idSchema, req.params.testId, 'test id');
    const handle = gateway.temporal.workflow.getHandle(imageTestWorkflowId(publisherId, testId));
    const description = await handle.describe().catch((err) => {
      if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'NotFound', 'No such image test.');
      throw err;
    });
    if (description.status.name === 'RUNNING') {
      const running: ImageTestBody = { testId, status: 'Running', bytesRead: bytesReadSoFar(description.raw.pendingActivities ?? []), checks: [] };
      return void res.json(running);
    }
    if (description.status.name !== 'COMPLETED') {
      throw new ApiError(410, 'RunEnded', `The image test ended as ${description.status.name} without a result; start another.`);
    }
    const result = (await handle.result()) as ImageTestResult;
    const report = result.reportRef.startsWith(`${publisherId}/${IMAGE_TEST_OFFER_ID}/`)
      ? await readJson<CertificationReport>(blobs, CONTAINERS.reports, result.reportRef)
      : undefined;
    const done: ImageTestBody = {
      testId,
      status: result.passed ? 'Passed' : 'Failed',
      bytesRead: result.bytesRead,
      checks: (report?.checks ?? []).map((c) => ({
        testId: c.testId,
        name: c.name,
        result: c.result,
        actualValue: c.actualValue,
        requiredValue: c.requiredValue,
        remediation: c.remediation,
      })),
    };
    res.json(done);
  });

  return router;
}
