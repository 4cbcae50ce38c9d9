/**
 * The API's Prometheus metrics (`GET /metrics`, prom-client): request duration by method, route
 * template (domain/api-paths.ts, never the concrete path: ids would make a series per offer) and
 * status code; requests in flight; status reads by how the read model answered them; the
 * process's default metrics. A registry per app, so tests can build several apps in one process.
 *
 * Who may read them: a caller on a loopback address (a Prometheus next to the API), or anyone with
 * an operator key as `Authorization: Bearer`. Publisher keys get 403: the figures span publishers.
 */
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { API_ROUTES } from '../domain/api-paths';
import { API_METRICS } from '../domain/metrics';
import { PORTAL_MOUNT } from '../portal/paths';
import type { Principal } from './auth';
import { ApiError } from './errors';

export const METRICS_PATH = '/metrics';

const ROUTES = Object.values(API_ROUTES).map(({ method, path }) => ({
  method: method.toUpperCase(),
  path,
  pattern: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '{' || c === '}' ? c : `\\${c}`)).replace(/\{\w+\}/g, '[^/]+')}/?$`),
}));

/** The route template a request path falls under: an API route, the portal, /metrics, or `other`. */
export function routeTemplate(method: string, path: string): string {
  const hit = ROUTES.find((r) => r.method === method && r.pattern.test(path)) ?? ROUTES.find((r) => r.pattern.test(path));
  if (hit) return hit.path;
  if (path === METRICS_PATH) return METRICS_PATH;
  if (path === PORTAL_MOUNT || path.startsWith(`${PORTAL_MOUNT}/`)) return `${PORTAL_MOUNT}/*`;
  return 'other';
}

/** The path of a request URL, without its query. `req.path` will not do: a mounted router rewrites it. */
export const pathOf = (originalUrl: string): string => originalUrl.split('?')[0];

export interface ApiMetrics {
  /** Times every request; mount first. */
  instrument: RequestHandler;
  /** `GET /metrics`. */
  serve: RequestHandler;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export function createApiMetrics(identify: (key: string) => Principal | undefined, statusReads?: () => Readonly<Record<string, number>>): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: API_METRICS.requestDuration,
    help: 'HTTP requests served, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new Gauge({ name: API_METRICS.requestsInFlight, help: 'HTTP requests being served', registers: [registry] });
  if (statusReads) {
    // The read model's own counts, read at each scrape: how often a status read waited for Temporal.
    new Counter({
      name: API_METRICS.statusReads,
      help: 'Status reads by how they were answered: fresh or refreshing (from memory), loaded (waited for Temporal)',
      labelNames: ['answered'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [answered, n] of Object.entries(statusReads())) this.inc({ answered }, n);
      },
    });
  }

  const instrument: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    inFlight.inc();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight.dec();
      end({ method: req.method, route: routeTemplate(req.method, pathOf(req.originalUrl)), status_code: String(res.statusCode) });
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };

  const serve: RequestHandler = async (req, res) => {
    if (!LOOPBACK.test(req.socket.remoteAddress ?? '')) {
      const key = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
      const who = key ? identify(key) : undefined;
      if (!who) throw new ApiError(401, 'Unauthorized', 'Send an operator key as "Authorization: Bearer <key>", or scrape from the same host.');
      if (who.kind !== 'operator') throw new ApiError(403, 'Forbidden', 'Metrics are for operators.');
    }
    res.type(registry.contentType).send(await registry.metrics());
  };

  return { instrument, serve };
}
