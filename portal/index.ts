/**
 * The publisher portal, served by the API process under /portal: server-rendered pages in English
 * and Traditional Chinese, a small client script, sessions shared by every API process through
 * an Azure Table (table-sessions.ts), CSRF tokens on every form, and a strict
 * Content-Security-Policy. It reads and acts on offers only through the HTTP API, with the
 * signed-in key (api-client.ts).
 */
import express, { Router, type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '../config/env';
import type { Principal } from '../api/auth';
import { assetUrls, buildPortalAssets, type Asset } from './assets';
import { CSRF_FIELD, CSRF_HEADER, csrfSecretFrom, CsrfTokens } from './csrf';
import { loadState, sendPage, stateOf, viewContext, type PortalEnv } from './request-state';
import { DEFAULT_SESSION_LIMITS, MemorySessionStore, type SessionLimits, type SessionStore } from './sessions';
import { SESSIONS_TABLE, TableSessionStore } from './table-sessions';
import { historyTableFor } from '../lib/history/store';
import { editorRoutes } from './routes/editor';
import { notFoundPage, offerRoutes } from './routes/offers';
import { sessionRoutes } from './routes/session';
import { errorBody } from './views/simple-pages';

export { PORTAL_MOUNT } from './paths';

export interface PortalDeps {
  config: AppConfig;
  /** The API's key check (api/auth.ts): who a key is, at sign-in. */
  identify: (key: string) => Principal | undefined;
  sessionLimits?: SessionLimits;
  /** Where sessions are kept; by default the shared table (sessionStoreFor). */
  sessions?: SessionStore;
  log?: (msg: string, err?: unknown) => void;
}

/** Offer drafts are at most 1 MB as JSON (the API's limit); form encoding makes them up to ~3 times larger. */
const FORM_LIMIT = '4mb';

const CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    requireTrustedTypesFor: ["'script'"],
    trustedTypes: ['portal-fragments'],
  },
};

export function createPortal(deps: PortalDeps): Router {
  const log = deps.log ?? ((msg, err) => console.error(`portal: ${msg}`, err));
  const env: PortalEnv = {
    config: deps.config,
    sessions: deps.sessions ?? sessionStoreFor(deps.config, deps.sessionLimits ?? DEFAULT_SESSION_LIMITS, log),
    // Shared by the processes that share sessions: a form served by one is accepted by another.
    csrf: new CsrfTokens(deps.config.offerSecretsKey && csrfSecretFrom(deps.config.offerSecretsKey)),
    identify: deps.identify,
    knownPublishers: [...new Set(deps.config.publisherKeys.values())].sort(),
  };
  // Built once, in the background from the start; a request waits for it the first time.
  const built = buildPortalAssets();
  built.catch((err) => log('building the portal assets failed', err));
  const served = new Map<string, Asset>();
  void built.then((a) => [a.css, a.js, a.icon].forEach((asset) => served.set(asset.name, asset)), () => undefined);

  const router = Router();
  router.use(helmet({ contentSecurityPolicy: CSP, referrerPolicy: { policy: 'same-origin' } }));
  router.get('/assets/:name', async (req, res, next) => {
    await built.catch(() => undefined);
    const asset = served.get(req.params.name);
    if (!asset) return next();
    res.set('Cache-Control', 'public, max-age=31536000, immutable').type(asset.type).send(asset.body);
  });
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(loadState(env, async () => assetUrls(await built)));
  router.use(express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 50 }));
  router.use(requireCsrfToken(env));

  sessionRoutes(router, env);
  offerRoutes(router, env);
  editorRoutes(router, env);
  router.use((req, res) => notFoundPage(env, req, res));
  router.use(errorPage(env, log));
  return router;
}

/**
 * The table of the control account, shared by every API process, with the API keys sealed under
 * OFFER_SECRETS_KEY; without that key (only allowed with Azurite) this process's memory instead.
 */
function sessionStoreFor(config: AppConfig, limits: SessionLimits, log: (msg: string, err?: unknown) => void): SessionStore {
  const secretsKey = config.offerSecretsKey;
  if (!secretsKey) {
    log('OFFER_SECRETS_KEY is not set: portal sessions are kept in this process only (lost at a restart, unknown to other API processes)');
    return new MemorySessionStore(limits);
  }
  return new TableSessionStore({ table: historyTableFor(config.storageConnectionString, SESSIONS_TABLE), secretsKey, limits, log });
}

/** Every state-changing request carries the token of this browser's session (or pre-session). */
function requireCsrfToken(env: PortalEnv) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const s = stateOf(res);
    const token: unknown = req.get(CSRF_HEADER) ?? (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    if (env.csrf.verify(s.binding, token)) return next();
    const ctx = viewContext(env, req, res);
    sendPage(res, ctx, { title: s.t.errCsrfTitle, body: errorBody(ctx, { heading: s.t.errCsrfTitle, text: s.t.errCsrf }) }, 403);
  };
}

/** A page for whatever went wrong, never a stack or an internal message. */
function errorPage(env: PortalEnv, log: (msg: string, err?: unknown) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const status = (err as { status?: number }).status;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientError) log(`${req.method} ${req.path} failed`, err);
    if (res.headersSent || !res.locals.portal) {
      res.status(clientError ? status : 500).end();
      return;
    }
    const { t } = stateOf(res);
    const ctx = viewContext(env, req, res);
    const [heading, text] = status === 413 ? [t.errServerTitle, t.tooLarge] : [t.errServerTitle, t.errServer];
    sendPage(res, ctx, { title: heading, body: errorBody(ctx, { heading, text }) }, clientError ? status : 500);
  };
}
