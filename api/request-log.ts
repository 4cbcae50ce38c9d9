/**
 * One JSON line per API request: method, route template (api/metrics.ts), status, duration, and the
 * publisher, offer and workflow ids when the path names them. Never the query string or headers:
 * the path is logged only as its template, so no key, SAS or session id can reach the log.
 */
import type { RequestHandler } from 'express';
import { publishWorkflowId } from '../domain/messages';
import type { Logger } from '../lib/observability/logger';
import { pathOf, routeTemplate } from './metrics';

const IDS = /^\/api\/(?:publishers\/([^/]+)(?:\/offers\/([^/]+))?|preview\/offers\/([^/]+)\/([^/]+)|marketplace\/offers\/([^/]+)\/([^/]+))/;

function idsOf(path: string): { publisherId?: string; offerId?: string; workflowId?: string } {
  const m = IDS.exec(path);
  if (!m) return {};
  const decode = (v: string | undefined) => (v === undefined ? undefined : decodeURIComponent(v));
  const publisherId = decode(m[1] ?? m[3] ?? m[5]);
  const offerId = decode(m[2] ?? m[4] ?? m[6]);
  return { publisherId, ...(offerId ? { offerId, workflowId: publishWorkflowId(publisherId!, offerId) } : {}) };
}

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const path = pathOf(req.originalUrl);
      let ids = {};
      try {
        ids = idsOf(path);
      } catch {
        // a malformed percent-escape: the request was refused anyway
      }
      const fields = { method: req.method, route: routeTemplate(req.method, path), status: res.statusCode, ms: Math.round(performance.now() - started), ...ids };
      if (res.statusCode >= 500) log.error(fields, 'request');
      else log.info(fields, 'request');
    });
    next();
  };
}
