/** Client spans of outbound HTTP calls (lib/observability/outbound-spans.ts): under the caller's span, without the query, with the status. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { fetch as undiciFetch } from 'undici';
import { traceOutboundHttp } from '../../lib/observability/outbound-spans';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const tracer = trace.getTracer('test');

describe('outbound HTTP spans', () => {
  let server: http.Server;
  let base: string;
  let stop: () => void;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.statusCode = req.url?.startsWith('/missing') ? 404 : 200;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stop = traceOutboundHttp();
  });
  afterAll(async () => {
    stop();
    await new Promise((r) => server.close(r));
    await provider.shutdown();
  });
  beforeEach(() => exporter.reset());

  const clientSpans = () => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
  const nodeGet = (url: string) =>
    new Promise<void>((resolve, reject) => {
      http.get(url, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
  /** Runs `fn` under a parent span, returns the parent's span id once both ended. */
  async function underParent(fn: () => Promise<unknown>): Promise<string> {
    return tracer.startActiveSpan('activity', async (parent) => {
      await fn();
      await new Promise((r) => setImmediate(r));
      parent.end();
      return parent.spanContext().spanId;
    });
  }

  it('makes a client span for fetch (undici) under the active span, without the SAS query', async () => {
    const parentId = await underParent(async () => (await undiciFetch(`${base}/c/disk.vhd?sv=1&sig=SECRET`)).text());
    const [span] = clientSpans();
    expect(span).toMatchObject({ name: 'GET', parentSpanId: parentId });
    expect(span.attributes).toMatchObject({ 'url.full': `${base}/c/disk.vhd`, 'http.response.status_code': 200, 'server.address': '127.0.0.1' });
    expect(JSON.stringify(span.attributes)).not.toContain('SECRET');
  });

  it('makes a client span for Node http(s) requests (the Azure SDK) under the active span', async () => {
    const parentId = await underParent(() => nodeGet(`${base}/missing?sig=SECRET`));
    const [span] = clientSpans();
    expect(span).toMatchObject({ name: 'GET', parentSpanId: parentId });
    expect(span.attributes).toMatchObject({ 'url.full': `${base}/missing`, 'http.response.status_code': 404 });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(JSON.stringify(span.attributes)).not.toContain('SECRET');
  });

  it('marks a failed connection as an error', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await underParent(() => undiciFetch(`http://127.0.0.1:${port}/x`).catch(() => undefined));
    const [span] = clientSpans();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['http.response.status_code']).toBeUndefined();
  });

  it('makes no span for calls outside any span', async () => {
    await (await undiciFetch(`${base}/a`)).text();
    await nodeGet(`${base}/b`);
    await new Promise((r) => setImmediate(r));
    expect(clientSpans()).toHaveLength(0);
  });
});
