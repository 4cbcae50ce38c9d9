/**
 * Traces (OpenTelemetry): one publish is one trace, from the API's server span for the request,
 * through the client's StartWorkflow span (`@temporalio/interceptors-opentelemetry` carries the
 * context in Temporal headers), the workflow's spans, to each activity's span and what it calls.
 *
 * On when the standard OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) is set: spans go over
 * OTLP/HTTP in batches. Off otherwise: no provider is registered, the API adds no middleware, the
 * client, activities and workflows no interceptors. The workflow interceptors cost CPU and memory in
 * every activation even when their spans are dropped, so only workers with tracing on run them:
 * bundled at start, or from the prebuilt bundle's tracing variant (workers/workflow-bundle.ts).
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientOptions } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { RequestHandler } from 'express';
import { traceOutboundHttp } from './outbound-spans';

/** The workflow interceptors' module, bundled with the workflows when tracing is on (workers/workflow-bundle.ts). */
export const OTEL_WORKFLOW_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface Tracing {
  processor: SpanProcessor;
  resource: Resource;
  shutdown(): Promise<void>;
}

/**
 * Registers the process's tracer provider when tracing is on (or `spanProcessor` is given: tests
 * use an in-memory exporter); undefined when off. `service`: `offer-publishing-api` or `-worker`.
 */
export function startTracing(service: string, opts: { env?: NodeJS.ProcessEnv; spanProcessor?: SpanProcessor } = {}): Tracing | undefined {
  const env = opts.env ?? process.env;
  const on = env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const processor = opts.spanProcessor ?? (on ? new BatchSpanProcessor(new OTLPTraceExporter()) : undefined);
  if (!processor) return undefined;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || service });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  // Client spans for the HTTP calls made under a span (activities' fetches, the Azure SDK's requests).
  const stopOutbound = traceOutboundHttp();
  return {
    processor,
    resource,
    shutdown: () => {
      stopOutbound();
      return provider.shutdown();
    },
  };
}

/** The client's interceptors: StartWorkflow, signals, updates and queries as spans carrying the context. */
export function clientTracing(tracing: Tracing | undefined): Pick<ClientOptions, 'interceptors'> {
  return tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {};
}

/**
 * A worker's tracing options. `bundlesAtStart`: the worker bundles workflows/ itself (development),
 * so with tracing on it is given the workflow interceptors' module; a prebuilt bundle has them or
 * not (workflow-source.ts picks the tracing variant). With tracing off the span sink still exists
 * and drops what it gets, so a bundle with the interceptors (an older build, a test's) runs quietly
 * rather than logging an "unregistered external sink" error for each of its spans.
 */
export function workerTracing(tracing: Tracing | undefined, bundlesAtStart: boolean): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!tracing) return { sinks: { exporter: { export: { fn: () => undefined, callDuringReplay: false } } } };
  return {
    sinks: { exporter: makeWorkflowExporter(tracing.processor, tracing.resource) },
    interceptors: {
      ...(bundlesAtStart ? { workflowModules: [OTEL_WORKFLOW_INTERCEPTORS] } : {}),
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
  };
}

/**
 * The API's server span per request, continuing a caller's `traceparent`; the handlers (and the
 * Temporal client under them) run inside it. `route` names the span by route template, never by ids.
 */
export function traceRequests(route: (method: string, originalUrl: string) => string): RequestHandler {
  const tracer = trace.getTracer('offer-publishing-api');
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const name = `${req.method} ${route(req.method, req.originalUrl)}`;
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': name.slice(req.method.length + 1) } }, parent);
    res.once('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
