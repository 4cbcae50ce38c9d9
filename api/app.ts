/** The express application, built over its dependencies so tests can build it against test servers. */
import express from 'express';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { AppConfig } from '../config/env';
import type { ActivityDeps } from '../activities/deps';
import { createAuth } from './auth';
import { ApiError, errorHandler, notFoundRoute } from './errors';
import { buildOpenApiDocument } from './openapi';
import type { PublishGateway } from './publish-gateway';
import { createPublishersRouter } from './routes/publishers';
import { createCatalogRouter } from './routes/catalog';
import { createOfferAuditRouter } from './routes/offer-audit';
import { createDeprecationRouter } from './routes/deprecation';
import { expressPath } from './routes/params';
import { API_ROUTES, API_SCOPES } from '../domain/api-paths';
import { createPortal, PORTAL_MOUNT } from '../portal';
import { REQUEST_BODY_LIMIT_BYTES } from '../domain/offer';
import { createApiMetrics, METRICS_PATH, pathOf, routeTemplate } from './metrics';
import { traceRequests } from '../lib/observability/tracing';
import { requestLog } from './request-log';
import type { Logger } from '../lib/observability/logger';

export interface AppDeps {
  config: AppConfig;
  gateway: PublishGateway;
  blobs: BlobServiceClient;
  validationDeps: ActivityDeps;
  log?: (msg: string, err?: unknown) => void;
  /** Where one line per request goes (api/request-log.ts); none when absent. */
  requestLogger?: Logger;
  /** A server span per request (lib/observability/tracing.ts): when tracing is on. */
  traced?: boolean;
}


export function createApp(deps: AppDeps) {
  const log = deps.log ?? ((msg, err) => console.error(`api: ${msg}`, err));
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const { requirePublisherAccess, identify } = createAuth(deps.config.publisherKeys, deps.config.operatorKeys);
  // First, so every request is timed and counted, refused ones included (api/metrics.ts).
  const metrics = createApiMetrics(identify, () => deps.gateway.statusReads);
  app.use(metrics.instrument);
  if (deps.requestLogger) app.use(requestLog(deps.requestLogger));
  if (deps.traced) app.use(traceRequests((method, url) => routeTemplate(method, pathOf(url))));
  app.get(METRICS_PATH, metrics.serve);
  app.use(express.json({ limit: REQUEST_BODY_LIMIT_BYTES, strict: true }));

  const openApi = buildOpenApiDocument(deps.config.publicBaseUrl);
  app.get(API_ROUTES.openApi.path, (_req, res) => {
    res.json(openApi);
  });
  app.get(API_ROUTES.health.path, async (_req, res) => {
    const ok = await deps.gateway.healthy();
    res.status(ok ? 200 : 503).json({ temporal: ok ? 'reachable' : 'unreachable' });
  });

  // History, changes, webhook, image tests, deprecation first: the publishers router ends in its own 404.
  app.use(expressPath(API_SCOPES.publisher), requirePublisherAccess, createOfferAuditRouter(deps), createDeprecationRouter(deps), createPublishersRouter(deps));
  app.use(API_SCOPES.api, createCatalogRouter(deps));
  // The publisher portal (HTML): a client of the routes above, through HTTP with the signed-in key.
  app.use(PORTAL_MOUNT, createPortal({ config: deps.config, identify, log }));

  app.use(notFoundRoute);
  app.use(errorHandler(log));
  return app;
}

export { ApiError };
