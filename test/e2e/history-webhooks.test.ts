/**
 * Submission history, signed webhooks and compare-with-live, end to end on the real stack:
 * publish → live; republish with a new title and image version → cancel; republish → changes →
 * Go live by an operator's signal. The history shows every run and event with its actor; a
 * receiver that verifies every signature with the reference algorithm (standardwebhooks'
 * Webhook.verify) gets every event in order, including those sent while it was down.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { goLiveSignal, publishWorkflowId } from '../../domain/messages';
import type { HistoryEvent, HistoryPage } from '../../domain/history';
import { WEBHOOK_EVENT_TYPES } from '../../domain/history';
import type { PublishStatusBody } from '../../domain/status';
import { historyTableFor } from '../../lib/history/store';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { OTHER_PUBLISHER_KEY, PUBLISHER_KEY, startStack, type Stack } from '../helpers/stack';

/**
 * A publisher of this test's own (with contoso's key): the suite's other stacks share the storage
 * and publish as contoso, so its webhook, delivery log and history stay this test's alone.
 */
const PUB = `hooks${randomUUID().slice(0, 8)}`;
const HOOK = `/api/publishers/${PUB}/webhook`;

const ended = (s: PublishStatusBody) => ['Succeeded', 'Failed', 'Canceled'].includes(s.status);

interface Received {
  id: string;
  type: string;
  runId: string;
  step?: string;
}

/** A webhook receiver that verifies each request's signature and can be taken down and brought back on the same port. */
async function startReceiver() {
  const received: Received[] = [];
  const badSignatures: string[] = [];
  let secret = '';
  let server: http.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          try {
            const msg = new Webhook(secret).verify(body, req.headers as Record<string, string>) as { type: string; data: { runId: string; step?: string } };
            received.push({ id: String(req.headers['webhook-id']), type: msg.type, runId: msg.data.runId, step: msg.data.step });
            res.writeHead(204).end();
          } catch (err) {
            badSignatures.push(String(err));
            res.writeHead(400).end();
          }
        });
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    received,
    badSignatures,
    url: () => `http://127.0.0.1:${port}/hooks`,
    setSecret: (s: string) => (secret = s),
    down: () => new Promise<void>((r) => (server!.closeAllConnections(), server!.close(() => r()))),
    up: listen,
    close: () => new Promise<void>((r) => (server ? (server.closeAllConnections(), server.close(() => r())) : r())),
  };
}

async function allHistory(stack: Stack, offerId: string): Promise<HistoryPage> {
  const all: HistoryPage = { runs: [], events: [] };
  let cursor: string | undefined;
  do {
    const r = await call<HistoryPage>(stack, 'GET', `${offerPath(offerId, PUB)}/history?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status).toBe(200);
    all.runs.push(...r.body.runs);
    all.events.push(...r.body.events);
    cursor = r.body.nextCursor;
  } while (cursor);
  return all;
}

async function waitFor<T>(what: string, get: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await get();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < deadline);
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last).slice(0, 2000)}`);
}

describe('history, webhooks and changes', () => {
  let stack: Stack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    stack = await startStack({ WEBHOOK_RETRY_INITIAL_MS: '200', WEBHOOK_RETRY_MAX_MS: '1000', PUBLISHER_API_KEYS: `${PUB}:${PUBLISHER_KEY},fabrikam:${OTHER_PUBLISHER_KEY}` });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
  });

  it('records every run and event with its actor, delivers them signed and in order, and lists the changes against live', async () => {
    const offerId = uniqueOfferId('history');
    const publish = (offer: unknown) => call(stack, 'POST', `${offerPath(offerId, PUB)}/publish`, { body: { offer, notificationEmails: [`${offerId}@contoso.example`] } });

    // The webhook: the secret is shown once; GET never shows it; another publisher cannot read it.
    const put = await call(stack, 'PUT', HOOK, { body: { url: receiver.url() } });
    expect(put.status).toBe(200);
    expect(put.body.secret).toMatch(/^whsec_/);
    receiver.setSecret(put.body.secret);
    const shown = await call(stack, 'GET', HOOK);
    expect(shown.status).toBe(200);
    expect(shown.text).not.toContain(put.body.secret.slice(6));
    // Stored sealed: the table row does not hold it.
    const row = await historyTableFor(stack.config.storageConnectionString, 'publisherwebhooks').getEntity(PUB, 'config');
    expect(JSON.stringify(row)).not.toContain(put.body.secret.slice(6));
    expect((await call(stack, 'GET', HOOK, { key: OTHER_PUBLISHER_KEY })).status).toBe(403);
    expect((await call(stack, 'PUT', HOOK, { body: { url: 'http://169.254.169.254/latest' } })).status).toBe(400);

    // Run 1: publish → Go live (API).
    const offer = await hostedOffer(stack.blobs);
    expect((await publish(offer)).status).toBe(202);
    await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || ended(s), 120_000, PUB);
    expect((await call(stack, 'POST', `${offerPath(offerId, PUB)}/golive`)).status).toBe(202);
    const run1 = await waitForStatus(stack, offerId, ended, 60_000, PUB);
    expect(run1.status).toBe('Succeeded');

    // Run 2, with the receiver down: a new title and image version, then canceled with a reason.
    await receiver.down();
    const changed = structuredClone(offer);
    changed.title = 'Contoso Web Appliance 2';
    changed.skus![0].diskVersions![0].version = '1.1.0';
    expect((await publish(changed)).status).toBe(202);
    await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || ended(s), 120_000, PUB);
    expect((await call(stack, 'POST', `${offerPath(offerId, PUB)}/cancel`, { body: { reason: 'wrong price' } })).status).toBe(202);
    const run2 = await waitForStatus(stack, offerId, ended, 60_000, PUB);
    expect(run2.status).toBe('Canceled');
    // Attempts failed meanwhile, and the log says so (no answer: connection refused).
    const whileDown = await waitFor('a failed attempt', () => call(stack, 'GET', HOOK), (r) => r.body.deliveries.some((d: { statusCode: number | null }) => d.statusCode === null));
    expect(whileDown.body.deliveries[0]).toEqual(expect.objectContaining({ webhookId: expect.any(String), latencyMs: expect.any(Number), delivered: expect.any(Boolean) }));
    await receiver.up();

    // Run 3: the same changes; compare with live at sign-off, then Go live by an operator's signal.
    expect((await publish(changed)).status).toBe(202);
    const review = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || ended(s), 120_000, PUB);
    expect(review.status).toBe('WaitingForPublisherReview');
    const changes = await call(stack, 'GET', `${offerPath(offerId, PUB)}/changes`);
    expect(changes.status).toBe(200);
    expect(changes.body.live).toBe(true);
    expect(changes.body.liveRunId).toBe(run1.runId);
    expect(changes.body.changes).toEqual([
      { path: 'skus[0].diskVersions[0].version', change: 'changed', from: '1.0.0', to: '1.1.0' },
      { path: 'title', change: 'changed', from: 'Contoso Web Appliance', to: 'Contoso Web Appliance 2' },
    ]);
    await stack.client.workflow.getHandle(publishWorkflowId(PUB, offerId)).signal(goLiveSignal);
    const run3 = await waitForStatus(stack, offerId, ended, 60_000, PUB);
    expect(run3.status).toBe('Succeeded');

    // History: three runs, newest first, each with who started it and its steps' durations.
    const history = await waitFor('the last event', () => allHistory(stack, offerId), (h) => h.events.some((e) => e.runId === run3.runId && e.type === 'publish.live'));
    expect(history.runs.map((r) => [r.runId, r.result, r.endStep, r.startedBy])).toEqual([
      [run3.runId, 'Succeeded', 'live', `publisher:${PUB}`],
      [run2.runId, 'Canceled', 'signoff', `publisher:${PUB}`],
      [run1.runId, 'Succeeded', 'live', `publisher:${PUB}`],
    ]);
    expect(history.runs[0].steps.find((s) => s.id === 'provision')!.durationMs).toEqual(expect.any(Number));
    expect(history.runs[0].endedAt).not.toBeNull();
    const times = history.events.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    const of = (runId: string) => history.events.filter((e) => e.runId === runId).reverse();
    const requests = (runId: string) => of(runId).filter((e) => e.actor !== 'system').map((e) => [e.type, e.actor, e.reason]);
    expect(requests(run1.runId)).toEqual([
      ['publish.started', `publisher:${PUB}`, undefined],
      ['publish.go_live.requested', `publisher:${PUB}`, undefined],
    ]);
    expect(requests(run2.runId)).toEqual([
      ['publish.started', `publisher:${PUB}`, undefined],
      ['publish.cancel.requested', `publisher:${PUB}`, 'The publish was canceled: wrong price'],
    ]);
    expect(requests(run3.runId)).toEqual([
      ['publish.started', `publisher:${PUB}`, undefined],
      ['publish.go_live.requested', 'operator', undefined],
    ]);
    const steps = ['validate', 'certify', 'provision', 'package', 'preview'];
    const completed = steps.map((step) => ['publish.step.completed', step]);
    const types = (runId: string) => of(runId).filter((e) => e.actor === 'system').map((e) => [e.type, e.step]);
    expect(types(run1.runId)).toEqual([...completed, ['publish.waiting_for_review', 'signoff'], ['publish.step.completed', 'signoff'], ['publish.step.completed', 'live'], ['publish.live', 'live']]);
    expect(types(run2.runId)).toEqual([...completed, ['publish.waiting_for_review', 'signoff'], ['publish.canceled', 'signoff']]);
    expect(of(run2.runId).find((e) => e.type === 'publish.canceled')!.reason).toMatch(/wrong price/);

    // The receiver: every webhook event of the three runs, in the order they happened, each
    // verified; those of run 2 arrived after it came back.
    const expected = [run1, run2, run3].flatMap((r) => of(r.runId).filter((e: HistoryEvent) => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(e.type)));
    await waitFor('every event at the receiver', async () => new Set(receiver.received.map((r) => r.id)).size, (n) => n >= expected.length);
    const firstSeen = receiver.received.filter((r, i) => receiver.received.findIndex((x) => x.id === r.id) === i);
    expect(firstSeen.map((r) => [r.id, r.type, r.step])).toEqual(expected.map((e) => [e.id, e.type, e.step]));
    expect(receiver.badSignatures).toEqual([]);
    const log = (await call(stack, 'GET', HOOK)).body;
    expect(log.deliveries.some((d: { delivered: boolean }) => d.delivered)).toBe(true);

    expect((await call(stack, 'DELETE', HOOK)).status).toBe(204);
    expect((await call(stack, 'GET', HOOK)).status).toBe(404);
  }, 600_000);

  it('keeps publishers apart', async () => {
    expect((await call(stack, 'GET', `${offerPath('any', PUB)}/history`, { key: OTHER_PUBLISHER_KEY })).status).toBe(403);
    expect((await call(stack, 'GET', `${offerPath('never-published', PUB)}/changes`)).status).toBe(404);
  });
});
