/**
 * Bearer API keys: a publisher key acts on its own publisher's paths only; an operator key acts on
 * every publisher. Keys are compared as SHA-256 digests in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

export type Principal = { kind: 'publisher'; publisherId: string } | { kind: 'operator' };

const digest = (key: string) => createHash('sha256').update(key).digest();

export function createAuth(publisherKeys: Map<string, string>, operatorKeys: Set<string>) {
  const entries: Array<{ digest: Buffer; principal: Principal }> = [
    ...[...publisherKeys].map(([key, publisherId]) => ({ digest: digest(key), principal: { kind: 'publisher', publisherId } as Principal })),
    ...[...operatorKeys].map((key) => ({ digest: digest(key), principal: { kind: 'operator' } as Principal })),
  ];

  /** The principal of an API key, or undefined; also how the portal signs a key in. */
  const identify = (key: string): Principal | undefined => {
    const d = digest(key);
    let found: Principal | undefined;
    // No early exit: the time taken does not depend on which key matched.
    for (const e of entries) if (timingSafeEqual(e.digest, d)) found = e.principal;
    return found;
  };

  /** Authenticates the request and checks it may act on `:publisherId`. */
  const requirePublisherAccess: RequestHandler = (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiError(401, 'Unauthorized', 'Send an API key as "Authorization: Bearer <key>".');
    const principal = identify(match[1]);
    if (!principal) throw new ApiError(401, 'Unauthorized', 'The API key is not valid.');
    const publisherId = req.params.publisherId;
    if (principal.kind === 'publisher' && principal.publisherId !== publisherId) {
      throw new ApiError(403, 'Forbidden', 'This API key does not give access to that publisher.');
    }
    res.locals.principal = principal;
    next();
  };

  return { requirePublisherAccess, identify };
}
