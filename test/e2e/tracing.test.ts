/**
 * One publish is one trace (lib/observability/tracing.ts): the API's server span for the publish
 * request, the client's StartWorkflow span under it, the workflow's span, and the validate,
 * certify and replicate activities' spans, all with the same trace id and linked by parent ids, and
 * the HTTP client spans of the activities' outbound calls under them.
 * Spans are kept by an in-memory exporter in place of OTLP.
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../lib/observability/tracing';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { startStack, type Stack } from '../helpers/stack';

const exporter = new InMemorySpanExporter();

describe('tracing a publish', () => {
  let stack: Stack;
  let tracing: Tracing;

  beforeAll(async () => {
    tracing = startTracing('offer-publishing-test', { env: {}, spanProcessor: new SimpleSpanProcessor(exporter) })!;
    // One lane: the regions are copied by one replicateRegions activity.
    stack = await startStack({ PROVISION_CONCURRENCY: '1' }, { tracing });
  });
  afterAll(async () => {
    await stack?.stop();
    await tracing?.shutdown();
  });

  it('links the request, the workflow start, the workflow and its activities in one trace', async () => {
    const offerId = uniqueOfferId('trace');
    const published = await call(stack, 'POST', `${offerPath(offerId)}/publish`, {
      body: { offer: await hostedOffer(stack.blobs), notificationEmails: [`${offerId}@contoso.example`] },
    });
    expect(published.status).toBe(202);
    const review = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed', 120_000);
    expect(review.status).toBe('WaitingForPublisherReview');
    // The workflow's span ends with the run: go live and let it finish.
    expect((await call(stack, 'POST', `${offerPath(offerId)}/golive`)).status).toBe(202);
    await stack.client.workflow.getHandle(`publish/contoso/${offerId}`).result();

    const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
    const named = (name: string) => spans().filter((s) => s.name === name);
    // Workflow spans arrive through the worker's sink once their activation completes.
    for (const deadline = Date.now() + 10_000; named('RunWorkflow:publishOffer').length === 0 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 100));
    }

    const [request] = named('POST /api/publishers/{publisherId}/offers/{offerId}/publish');
    expect(request).toBeDefined();
    const traceId = request.spanContext().traceId;
    const inTrace = spans().filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: ReadableSpan) => byId.get(s.parentSpanId ?? '');
    /** The span's ancestors, nearest first, by name. */
    const ancestry = (s: ReadableSpan): string[] => {
      const names: string[] = [];
      for (let p = parentOf(s); p; p = parentOf(p)) names.push(p.name);
      return names;
    };

    const start = inTrace.find((s) => s.name === 'StartWorkflow:publishOffer');
    expect(start && parentOf(start)).toBe(request);
    const run = inTrace.find((s) => s.name === 'RunWorkflow:publishOffer');
    expect(run && ancestry(run)).toEqual(expect.arrayContaining(['StartWorkflow:publishOffer', request.name]));
    for (const activity of ['validateOffer', 'certifyImages', 'replicateRegions']) {
      const ran = inTrace.filter((s) => s.name === `RunActivity:${activity}`);
      expect([activity, ran.length > 0]).toEqual([activity, true]);
      for (const s of ran) expect([activity, ancestry(s)]).toEqual([activity, expect.arrayContaining(['RunWorkflow:publishOffer', request.name])]);
    }
    expect(inTrace.filter((s) => s.name === 'RunActivity:replicateRegions')).toHaveLength(1);

    // The activities' outbound calls are client spans under them (lib/observability/outbound-spans.ts):
    // certification reads the image over HTTP, a region copy talks to the storage account.
    const outbound = inTrace.filter((s) => s.kind === SpanKind.CLIENT && s.attributes['http.request.method'] !== undefined);
    const under = (activity: string) => outbound.filter((s) => ancestry(s).includes(`RunActivity:${activity}`));
    expect(under('certifyImages').length).toBeGreaterThan(0);
    expect(under('replicateRegions').length).toBeGreaterThan(0);
    for (const s of outbound) {
      expect(JSON.stringify(s.attributes)).not.toMatch(/[?&]sig=|sig%3D/i);
      expect(s.attributes['http.response.status_code']).toEqual(expect.any(Number));
    }
  });
});
