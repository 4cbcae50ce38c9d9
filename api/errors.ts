/** The API's error body `{ error: { code, message, details? } }` and the middleware that makes every failure one. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { type z } from 'zod';
import { ServiceError } from '@temporalio/client';
import { MAX_REPORTED_FINDINGS, REQUEST_BODY_LIMIT_BYTES } from '../domain/offer';

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

/** The error body of the contract (docs/http-api.md, "Errors"), as every error answer writes it. */
export function errorBody(code: string, message: string, details?: ErrorDetail[]) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

/** `skus[0].diskVersions[0].osVhdUrl` from zod's path segments. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
}

/**
 * Parses `value` with `schema`, or throws a 400 listing each bad field with its path: outer fields
 * first (a list past its limit before what is wrong inside it), at most MAX_REPORTED_FINDINGS of them.
 */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = [...result.error.issues].sort((a, b) => a.path.length - b.path.length);
  const listed = issues.length > MAX_REPORTED_FINDINGS ? `: ${issues.length} problems, the first ${MAX_REPORTED_FINDINGS} listed` : '';
  throw new ApiError(
    400,
    'InvalidRequest',
    `The ${what} is not valid${listed}.`,
    issues.slice(0, MAX_REPORTED_FINDINGS).map((i) => ({ path: formatPath(i.path) || '(root)', message: i.message })),
  );
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'NotFound', `No route for ${req.method} ${req.path}.`));
};

export function errorHandler(log: (msg: string, err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof ApiError) {
      res.status(err.status).json(errorBody(err.code, err.message, err.details));
      return;
    }
    // body-parser's errors carry a `type` and a 4xx status.
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      res.status(400).json(errorBody('MalformedJson', 'The request body is not valid JSON.'));
      return;
    }
    if (type === 'entity.too.large') {
      res.status(413).json(errorBody('PayloadTooLarge', `The request body is larger than the limit of ${REQUEST_BODY_LIMIT_BYTES} bytes.`));
      return;
    }
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json(errorBody('BadRequest', 'The request could not be read.'));
      return;
    }
    if (err instanceof ServiceError) {
      log('Temporal service error', err);
      res.status(503).json(errorBody('ServiceUnavailable', 'The workflow service is unavailable right now; retry shortly.'));
      return;
    }
    log('unexpected error', err);
    res.status(500).json(errorBody('InternalError', 'Something went wrong on our side; please retry.'));
  };
}
