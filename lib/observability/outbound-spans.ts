/**
 * Client spans for outbound HTTP calls, so a trace reaches what an activity calls: fetch through
 * undici (lib/net's guardedFetch: images, logos, leads) and Node's http(s) (the Azure SDK: blob
 * copies, tables). Built on the diagnostics channels undici and Node publish on, so no
 * instrumentation package is needed and every client is covered, whoever created it.
 *
 * A span is made only under an active span (an activity's, a request's): background traffic (the
 * OTLP exporter's own requests among them) stays untraced. No context is injected into outbound
 * headers: most of these hosts are the publishers', not ours. The URL is kept without its query
 * (`redactUrl`): blob URLs carry SAS signatures.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { redactUrl } from '../net/url-policy';

/** The fields of undici's request object the channels hand out (undici's docs, Diagnostics Channel). */
interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  path?: string;
}

function startClientSpan(tracer: Tracer, method: string, url: string): Span | undefined {
  const parent = context.active();
  if (!trace.getSpan(parent)) return undefined;
  let host = '';
  let port: number | undefined;
  try {
    const u = new URL(url);
    host = u.hostname;
    port = u.port ? Number(u.port) : undefined;
  } catch {
    // Keep the span: the redacted URL still says where it went.
  }
  return tracer.startSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': method, 'url.full': redactUrl(url), 'server.address': host, ...(port ? { 'server.port': port } : {}) },
    },
    parent,
  );
}

function endWithStatus(span: Span, status: number | undefined, error?: unknown): void {
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  if (error !== undefined || status === undefined || status >= 400) {
    const message = error instanceof Error ? error.name : undefined;
    span.setStatus({ code: SpanStatusCode.ERROR, ...(message ? { message } : {}) });
  }
  span.end();
}

let unsubscribe: (() => void) | undefined;

/**
 * Subscribes once per process (later calls are no-ops until the returned stop): spans then go to
 * the registered tracer provider. Called by `startTracing` only when tracing is on.
 */
export function traceOutboundHttp(tracerName = 'offer-publishing-outbound-http'): () => void {
  if (unsubscribe) return unsubscribe;
  const tracer = trace.getTracer(tracerName);

  // undici (npm's and the one inside Node's fetch publish on the same channels).
  const fetches = new WeakMap<object, { span: Span; status?: number }>();
  const onCreate = (message: unknown) => {
    const request = (message as { request: UndiciRequest }).request;
    const url = `${String(request.origin ?? '')}${request.path ?? ''}`;
    const span = startClientSpan(tracer, (request.method ?? 'GET').toUpperCase(), url);
    if (span) fetches.set(request, { span });
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    const entry = fetches.get(request);
    if (entry) entry.status = response.statusCode;
  };
  const onTrailers = (message: unknown) => {
    const { request } = message as { request: object };
    const entry = fetches.get(request);
    if (!entry) return;
    fetches.delete(request);
    endWithStatus(entry.span, entry.status);
  };
  const onError = (message: unknown) => {
    const { request, error } = message as { request: object; error: unknown };
    const entry = fetches.get(request);
    if (!entry) return;
    fetches.delete(request);
    endWithStatus(entry.span, entry.status, error ?? new Error('request failed'));
  };

  // Node's http(s) client. Only 'response' and 'close' are listened to: an 'error' listener would
  // change what happens to an error nobody else handles.
  const onHttpStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const hostHeader = request.getHeader('host');
    const url = `${request.protocol}//${typeof hostHeader === 'string' ? hostHeader : request.host}${request.path}`;
    const span = startClientSpan(tracer, request.method, url);
    if (!span) return;
    let status: number | undefined;
    request.once('response', (res: IncomingMessage) => (status = res.statusCode));
    // 'close': the exchange is complete, or its connection ended before it was.
    request.once('close', () => endWithStatus(span, status, status === undefined ? new Error('no response') : undefined));
  };

  const channels: [string, (message: unknown) => void][] = [
    ['undici:request:create', onCreate],
    ['undici:request:headers', onHeaders],
    ['undici:request:trailers', onTrailers],
    ['undici:request:error', onError],
    ['http.client.request.start', onHttpStart],
  ];
  for (const [name, fn] of channels) diagnostics.subscribe(name, fn);
  unsubscribe = () => {
    for (const [name, fn] of channels) diagnostics.unsubscribe(name, fn);
    unsubscribe = undefined;
  };
  return unsubscribe;
}
