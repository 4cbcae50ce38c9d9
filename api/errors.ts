/** The API's error body `{ error: { code, message, details? } }` and the middleware that makes every failure one. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { type z } from 'zod';
import { ServiceError } from '@temporalio/client';

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }
}

/** `skus[0].diskVersions[0].osVhdUrl` from zod's path segments. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
}

/** Parses `value` with `schema`, or throws a 400 listing each bad field with its path. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError(
    400,
    'InvalidRequest',
    `The ${what} is not valid.`,
    result.error.issues.map((i) => ({ path: formatPath(i.path) || '(root)', message: i.message })),
  );
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'NotFound', `No route for ${req.method} ${req.path}.`));
};

export function errorHandler(log: (msg: string, err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof ApiError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
      return;
    }
    // body-parser's errors carry a `type` and a 4xx status.
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'MalformedJson', message: 'The request body is not valid JSON.' } });
      return;
    }
    if (type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'PayloadTooLarge', message: 'The request body is too large.' } });
      return;
    }
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'BadRequest', message: 'The request could not be read.' } });
      return;
    }
    if (err instanceof ServiceError) {
      log('Temporal service error', err);
      res.status(503).json({ error: { code: 'ServiceUnavailable', message: 'The workflow service is unavailable right now; retry shortly.' } });
      return;
    }
    log('unexpected error', err);
    res.status(500).json({ error: { code: 'InternalError', message: 'Something went wrong on our side; please retry.' } });
  };
}
