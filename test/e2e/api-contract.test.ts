/**
 * The HTTP contract around the pipeline: authentication and publisher isolation, bad input always
 * a 4xx with the failing paths (never a 500), unknown routes, 404s, health and the OpenAPI document.
 */
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { OPERATOR_KEY, OTHER_PUBLISHER_KEY, PUBLISHER_KEY, startStack, type Stack } from '../helpers/stack';
import { ErrorType } from '../../domain/errors';
import { API_ROUTES, apiPath, type ApiRoute } from '../../domain/api-paths';

describe('HTTP API contract', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('authentication', () => {
    it('401 without a key or with an unknown key, on every publisher route', async () => {
      for (const key of [null, 'wrong-key']) {
        for (const [method, path] of [
          ['GET', '/api/publishers/contoso/offers'],
          ['GET', `${offerPath('x')}/status`],
          ['POST', `${offerPath('x')}/publish`],
          ['POST', `${offerPath('x')}/golive`],
        ]) {
          const r = await call(stack, method, path, { key, body: method === 'POST' ? {} : undefined });
          expect([method, path, r.status]).toEqual([method, path, 401]);
          expect(r.body.error.code).toBe('Unauthorized');
        }
      }
      const basic = await call(stack, 'GET', '/api/publishers/contoso/offers', { key: null, headers: { authorization: `Basic ${PUBLISHER_KEY}` } });
      expect(basic.status).toBe(401);
    });

    it("403 for a publisher key on another publisher's path; an operator key reaches every publisher", async () => {
      const offerId = uniqueOfferId('isolation');
      const offer = await hostedOffer(stack.blobs);
      expect((await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: ['a@contoso.example'] } })).status).toBe(202);

      const asFabrikam = { key: OTHER_PUBLISHER_KEY };
      expect((await call(stack, 'GET', `${offerPath(offerId)}/status`, asFabrikam)).status).toBe(403);
      expect((await call(stack, 'POST', `${offerPath(offerId)}/cancel`, asFabrikam)).status).toBe(403);
      expect((await call(stack, 'GET', '/api/publishers/contoso/offers', asFabrikam)).status).toBe(403);
      // Fabrikam's own list does not show Contoso's offer.
      const own = await call(stack, 'GET', '/api/publishers/fabrikam/offers', asFabrikam);
      expect(own.status).toBe(200);
      expect(own.body.offers.map((o: { offerId: string }) => o.offerId)).not.toContain(offerId);

      const asOperator = { key: OPERATOR_KEY };
      expect((await call(stack, 'GET', `${offerPath(offerId)}/status`, asOperator)).status).toBe(200);
      expect((await call(stack, 'GET', '/api/publishers/fabrikam/offers', asOperator)).status).toBe(200);
      expect((await call(stack, 'POST', `${offerPath(offerId)}/cancel`, asOperator)).status).toBe(202);
      expect((await waitForStatus(stack, offerId, (s) => s.status === 'Canceled' || s.status === 'Failed')).status).toBe('Canceled');
    });
  });

  describe('bad input is a 4xx that says what is wrong', () => {
    const publish = (opts: Parameters<typeof call>[3]) => call(stack, 'POST', `${offerPath(uniqueOfferId('bad'))}/publish`, opts);

    it('malformed JSON → 400 MalformedJson', async () => {
      const r = await publish({ rawBody: '{"offer": {"title": ' });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('MalformedJson');
    });

    it('wrong JSON types → 400 listing each bad field with its path', async () => {
      const r = await publish({
        body: {
          offer: { title: 42, categories: 'networking', skus: [{ skuId: 'a', diskVersions: [{ version: '1.0.0', dataDisks: [{ lun: 'zero' }] }] }] },
          notificationEmails: ['not-an-email'],
        },
      });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('InvalidRequest');
      const paths = r.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(
        expect.arrayContaining(['offer.title', 'offer.categories', 'offer.skus[0].diskVersions[0].dataDisks[0].lun', 'notificationEmails[0]']),
      );
    });

    it('an unknown lead destination type → 400', async () => {
      const r = await publish({ body: { offer: { leadDestination: { type: 'Pigeon' } } } });
      expect(r.status).toBe(400);
      expect(r.body.error.details[0].path).toBe('offer.leadDestination.type');
    });

    it('a missing offer, a non-object body, a non-JSON content type → 400', async () => {
      expect((await publish({ body: {} })).status).toBe(400);
      expect((await publish({ body: [1, 2] })).status).toBe(400);
      expect((await publish({ rawBody: 'offer=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(400);
    });

    it('an oversized body → 413', async () => {
      const r = await publish({ body: { offer: { description: 'x'.repeat(2 * 1024 * 1024) } } });
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe('PayloadTooLarge');
    });

    it('ids that cannot be workflow ids → 400', async () => {
      for (const id of ['has.dot', 'x'.repeat(51), '-leading']) {
        const r = await call(stack, 'GET', `${offerPath(id)}/status`);
        expect([id, r.status]).toEqual([id, 400]);
      }
    });

    it('unknown routes → 404 in the error shape', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['GET', `${offerPath('x')}/nope`],
        ['DELETE', `${offerPath('x')}/status`],
      ]) {
        const r = await call(stack, method, path);
        expect([path, r.status, r.body.error.code]).toEqual([path, 404, 'NotFound']);
      }
    });

    it('actions on an offer never published → 404 NotFound', async () => {
      const never = offerPath(uniqueOfferId('never'));
      for (const [method, path] of [
        ['GET', `${never}/status`],
        ['POST', `${never}/golive`],
        ['POST', `${never}/cancel`],
      ]) {
        const r = await call(stack, method, path);
        expect([path, r.status, r.body.error?.code]).toEqual([path, 404, 'NotFound']);
      }
    });

    it('a second publish while a run is open → 409 PublishInProgress, and nothing is left behind', async () => {
      const offerId = uniqueOfferId('twice');
      const offer = await hostedOffer(stack.blobs);
      expect((await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer } })).status).toBe(202);
      const second = await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer } });
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe(ErrorType.PublishInProgress);
      const snapshots: string[] = [];
      for await (const b of stack.blobs.getContainerClient('offer-snapshots').listBlobsFlat({ prefix: `contoso/${offerId}/` })) snapshots.push(b.name);
      expect(snapshots).toHaveLength(1);
      // A cancel this early races the run's first workflow task; the API retries what the server aborts.
      const cancel = await call(stack, 'POST', `${offerPath(offerId)}/cancel`);
      expect(cancel.status).toBe(202);
      expect(cancel.body.cancellable).toBe(false);
      expect((await waitForStatus(stack, offerId, (s) => s.status !== 'Running' && s.status !== 'WaitingForPublisherInput')).status).toBe('Canceled');
    });

    it("a request the run's state refuses → 409 InvalidState with the validator's reason as it is", async () => {
      const offerId = uniqueOfferId('refused');
      const offer = await hostedOffer(stack.blobs);
      expect((await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer } })).status).toBe(202);
      await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherInput');
      const early = await call(stack, 'POST', `${offerPath(offerId)}/golive`);
      expect([early.status, early.body.error]).toEqual([
        409,
        { code: ErrorType.InvalidState, message: 'Go live is possible only while the publish waits for sign-off; it is WaitingForPublisherInput at step validate.' },
      ]);
      expect((await call(stack, 'POST', `${offerPath(offerId)}/cancel`)).status).toBe(202);
      await waitForStatus(stack, offerId, (s) => s.status === 'Canceled');
    });
  });

  it('the validate dry run answers per field and starts nothing', async () => {
    const offerId = uniqueOfferId('dry');
    const offer = await hostedOffer(stack.blobs);
    const ok = await call(stack, 'POST', `${offerPath(offerId)}/validate`, { body: { offer } });
    expect(ok.status).toBe(200);
    expect(ok.body.valid).toBe(true);
    const bad = await call(stack, 'POST', `${offerPath(offerId)}/validate`, { body: { offer: { ...offer, logos: { ...offer.logos, small: offer.logos!.large } } } });
    expect(bad.body.valid).toBe(false);
    expect(bad.body.messages).toContainEqual(expect.objectContaining({ field: 'logos.small', level: 'Error' }));
    expect((await call(stack, 'GET', `${offerPath(offerId)}/status`)).status).toBe(404);
  });

  it('serves /healthz and an OpenAPI document with every contract path', async () => {
    expect((await call(stack, 'GET', '/healthz', { key: null })).status).toBe(200);
    const doc = await call(stack, 'GET', '/openapi.json', { key: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/publishers/{publisherId}/offers',
        '/api/publishers/{publisherId}/offers/{offerId}/publish',
        '/api/publishers/{publisherId}/offers/{offerId}/validate',
        '/api/publishers/{publisherId}/offers/{offerId}/status',
        '/api/publishers/{publisherId}/offers/{offerId}/golive',
        '/api/publishers/{publisherId}/offers/{offerId}/cancel',
        '/api/publishers/{publisherId}/offers/{offerId}/notification-emails',
        '/api/publishers/{publisherId}/offers/{offerId}/certification-report',
        '/api/preview/offers/{publisherId}/{offerId}',
        '/api/marketplace/offers',
        '/api/marketplace/offers/{publisherId}/{offerId}',
        '/openapi.json',
        '/healthz',
      ]),
    );
    const schemas = doc.body.components.schemas;
    expect(schemas.PublishRequest.properties.offer).toBeDefined();
    expect(JSON.stringify(schemas.PublishRequest)).toContain('Dynamics365');
    expect(schemas.PublishStatus.properties.status.enum).toEqual(
      expect.arrayContaining(['Running', 'WaitingForPublisherInput', 'WaitingForPublisherReview', 'Succeeded', 'Failed', 'Canceled']),
    );
  });

  it('the OpenAPI document and the routes served are the one route table (domain/api-paths.ts)', async () => {
    const doc = await call(stack, 'GET', apiPath('openApi'), { key: null });
    const documented = Object.entries(doc.body.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual(Object.values(API_ROUTES).map((r) => `${r.method} ${r.path}`).sort());
    // Each route reaches its handler (whatever it answers to these ids), not the "No route" fallback.
    const ids = { publisherId: 'contoso', offerId: uniqueOfferId('routes'), runId: '0194d3c2-0000-7000-8000-000000000000', logoKind: 'small', testId: 'no-such-test' };
    for (const route of Object.keys(API_ROUTES) as ApiRoute[]) {
      const { method } = API_ROUTES[route];
      const r = await call(stack, method.toUpperCase(), apiPath(route, ids), { body: method === 'post' ? {} : undefined });
      expect([route, r.status === 404 && /^No route/.test(r.body?.error?.message ?? '')]).toEqual([route, false]);
    }
    // The workflow's links use the same table: test/integration/workflow-logic.test.ts.
  });

  it('serves a run\'s logos without a key: 404 for none, 400 for a kind that is not one', async () => {
    const ids = { publisherId: 'contoso', offerId: uniqueOfferId('logo'), runId: '0194d3c2-0000-7000-8000-000000000000' };
    const none = await call(stack, 'GET', apiPath('catalogLogo', { ...ids, logoKind: 'small' }), { key: null });
    expect([none.status, none.body.error.code]).toEqual([404, 'NotFound']);
    const bad = await call(stack, 'GET', apiPath('catalogLogo', { ...ids, logoKind: 'huge' }), { key: null });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'InvalidRequest']);
  });

  it('healthz is 503 when Temporal cannot be reached', async () => {
    const { createApp } = await import('../../api/app');
    const { PublishGateway } = await import('../../api/publish-gateway');
    const { Client, Connection } = await import('@temporalio/client');
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 }) });
    const app = createApp({ ...stack, gateway: new PublishGateway(client, 'x'), validationDeps: undefined as never });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const r = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/healthz`);
      expect(r.status).toBe(503);
    } finally {
      server.close();
    }
  });
});
