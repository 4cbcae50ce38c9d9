/** What the routers share: their routes from the one table (domain/api-paths.ts) and the id parameters, checked. */
import type { RequestHandler, Router } from 'express';
import { API_ROUTES, API_SCOPES, type ApiRoute } from '../../domain/api-paths';
import { parseOr400 } from '../errors';
import { idSchema } from '../schemas';

/** An OpenAPI path template as an Express path: `{offerId}` → `:offerId`. */
export const expressPath = (template: string): string => template.replace(/\{(\w+)\}/g, ':$1');

/** The Express path of `route` inside a router mounted at `scope`. */
export function routeIn(scope: keyof typeof API_SCOPES, route: ApiRoute): string {
  const { path } = API_ROUTES[route];
  const prefix = API_SCOPES[scope];
  if (!path.startsWith(`${prefix}/`)) throw new Error(`route ${route} (${path}) is not under ${prefix}`);
  return expressPath(path.slice(prefix.length));
}

/** Registers `handler` for `route` (its method and path from the table) on a router mounted at `scope`. */
export function serve(router: Router, scope: keyof typeof API_SCOPES, route: ApiRoute, handler: RequestHandler): void {
  router[API_ROUTES[route].method](routeIn(scope, route), handler);
}

/** The publisher id of the path, or a 400. */
export const publisherIdOf = (params: Record<string, unknown>): string => parseOr400(idSchema, params.publisherId, 'publisher id');

/** The publisher and offer ids of the path, or a 400. */
export const offerIds = (params: Record<string, unknown>) => ({
  publisherId: publisherIdOf(params),
  offerId: parseOr400(idSchema, params.offerId, 'offer id'),
});
