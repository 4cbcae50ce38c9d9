/**
 * Deprecation after Go live on the real stack (Temporal dev server, Azurite, MailDev, the worker
 * and the API) with a short minimum notice: publish to live → schedule → the banner on the live
 * page → the workers stop between the notice and the effective time and come back (nothing lost:
 * the reminders and the effective notice go, late) → gone from the catalog for new customers →
 * restore (a replica lost meanwhile is copied again) → back, banner gone; each step in the offer's
 * history with its actor.
 */
import { deprecationWorkflowId, type DeprecationStatus } from '../../domain/deprecation';
import { ErrorType } from '../../domain/errors';
import type { HistoryPage } from '../../domain/history';
import type { PublishStatusBody } from '../../domain/status';
import { runPrefix } from '../../lib/storage/layout';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { recordHistory } from '../helpers/histories';
import { workflowBundleFile } from '../helpers/workflow-bundle';
import { Worker } from '@temporalio/worker';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { listMails, waitForMail } from '../helpers/mail';
import { startStack, type Stack } from '../helpers/stack';

const NOTICE_MS = 12_000;

describe('deprecation after Go live', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ DEPRECATION_MIN_NOTICE: `${NOTICE_MS / 1000}s`, DEPRECATION_RESTORE_WINDOW: '5m' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const deprecation = (offerId: string) => `${offerPath(offerId)}/deprecation`;
  async function waitForDeprecation(offerId: string, done: (s: DeprecationStatus) => boolean, timeoutMs = 60_000): Promise<DeprecationStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      const r = await call<DeprecationStatus>(stack, 'GET', deprecation(offerId));
      last = r.body;
      if (r.status === 200 && done(r.body)) return r.body;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`timed out waiting for the deprecation; last: ${JSON.stringify(last)}`);
  }
  /** Once the deprecation has ended, its history replays on today's code (updates, signals and timers in their recorded order). */
  async function replays(offerId: string): Promise<void> {
    const handle = stack.client.workflow.getHandle(deprecationWorkflowId('contoso', offerId));
    await handle.result();
    await Worker.runReplayHistory({ workflowBundle: { codePath: await workflowBundleFile() } }, await handle.fetchHistory(), handle.workflowId);
  }
  /** The offer's deprecation events (GET …/history, newest first) as `type by actor`, oldest first, once `last` is among them. */
  async function deprecationHistory(offerId: string, last: string): Promise<string[]> {
    const deadline = Date.now() + 30_000;
    let events: string[] = [];
    while (Date.now() < deadline) {
      const r = await call<HistoryPage>(stack, 'GET', `${offerPath(offerId)}/history?limit=200`);
      expect(r.status).toBe(200);
      events = r.body.events.filter((e) => e.type.startsWith('deprecation.')).map((e) => `${e.type} by ${e.actor}`).reverse();
      if (events.some((e) => e.startsWith(`${last} `))) return events;
      await new Promise((res) => setTimeout(res, 250));
    }
    throw new Error(`timed out waiting for ${last} in the history; last: ${JSON.stringify(events)}`);
  }
  const livePage = (offerId: string, html = false) =>
    call(stack, 'GET', `/api/marketplace/offers/contoso/${offerId}`, { key: null, headers: html ? { accept: 'text/html' } : {} });
  const catalogIds = async () => ((await call(stack, 'GET', '/api/marketplace/offers', { key: null })).body.offers as Array<{ offerId: string }>).map((o) => o.offerId);

  it('schedules with a banner, takes effect across a worker restart, leaves the catalog, and restores', async () => {
    const offerId = uniqueOfferId('deprecate');
    const email = `${offerId}@contoso.example`;
    expect((await call(stack, 'POST', deprecation(offerId), { body: { scope: 'offer', reason: 'other' } })).body.error.code).toBe(ErrorType.OfferNotLive);

    await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer: await hostedOffer(stack.blobs), notificationEmails: [email] } });
    await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed', 120_000);
    await call(stack, 'POST', `${offerPath(offerId)}/golive`);
    const live = await waitForStatus(stack, offerId, (s: PublishStatusBody) => s.status === 'Succeeded' || s.status === 'Failed');
    expect(live.status).toBe('Succeeded');
    expect(await catalogIds()).toContain(offerId);

    // Refusals: too short a notice, a plan the live offer does not have, another publisher's offer.
    const tooSoon = new Date(Date.now() + NOTICE_MS / 2).toISOString();
    expect((await call(stack, 'POST', deprecation(offerId), { body: { scope: 'offer', reason: 'endOfSupport', effectiveAt: tooSoon } })).body.error.code).toBe(ErrorType.NoticeTooShort);
    expect((await call(stack, 'POST', deprecation(offerId), { body: { scope: { skuId: 'nope' }, reason: 'other' } })).body.error.code).toBe(ErrorType.OfferNotLive);
    expect((await call(stack, 'POST', deprecation(offerId).replace('/contoso/', '/fabrikam/'), { body: { scope: 'offer', reason: 'other' } })).status).toBe(403);
    expect((await call(stack, 'GET', deprecation(offerId))).status).toBe(404);

    // The only plan stands for the offer; effectiveAt defaults to now + the minimum notice.
    const before = Date.now();
    const scheduled = await call<DeprecationStatus>(stack, 'POST', deprecation(offerId), {
      body: { scope: { skuId: 'standard' }, reason: 'endOfSupport', text: 'Replaced by the 2027 edition.', alternative: { offerId: 'web-2027' } },
    });
    expect(scheduled.status).toBe(202);
    expect(scheduled.headers.get('location')).toBe(deprecation(offerId));
    expect(scheduled.body).toMatchObject({ scope: 'offer', state: 'Scheduled', requestedBy: 'publisher:contoso' });
    const effectiveAt = Date.parse(scheduled.body.effectiveAt);
    expect(effectiveAt - before).toBeGreaterThanOrEqual(NOTICE_MS - 1000);

    // The banner, from the moment it is scheduled: date, reason, alternative. Still in the catalog.
    const page = await livePage(offerId);
    expect(page.body.deprecations).toEqual([expect.objectContaining({ state: 'Scheduled', effectiveAt: scheduled.body.effectiveAt, alternative: { offerId: 'web-2027' } })]);
    expect(page.body.availableToNewCustomers).toBe(true);
    const html = (await livePage(offerId, true)).text;
    expect(html).toContain('class="banner deprecated"');
    expect(html).toContain(`will be deprecated on ${scheduled.body.effectiveAt}`);
    expect(html).toContain('Reason: end of support. Replaced by the 2027 edition. Alternative: offer web-2027.');
    expect(await catalogIds()).toContain(offerId);
    await waitForMail((m) => m.to.includes(email) && m.subject.startsWith('Deprecation scheduled'));

    // The workers go away between the notice and the effective time, and come back after it.
    await stack.stopWorkers();
    await new Promise((r) => setTimeout(r, Math.max(0, effectiveAt - Date.now()) + 1000));
    expect(await catalogIds()).toContain(offerId); // nothing ran while they were gone
    await stack.startWorkers();

    const effective = await waitForDeprecation(offerId, (s) => s.state === 'Effective' && s.notices.every((n) => n.sentAt));
    expect(effective.notices.map((n) => n.label ?? n.kind)).toEqual(['scheduled', '30d', '7d', '1d', 'effective']);
    expect(Date.parse(effective.restorableUntil!)).toBeGreaterThan(Date.now());
    await waitForMail((m) => m.to.includes(email) && m.subject.startsWith('Deprecated:'));
    const mine = (await listMails()).filter((m) => m.to.includes(email) && /deprecat|Reminder/i.test(m.subject));
    expect(mine.filter((m) => m.subject.startsWith('Reminder')).length).toBe(3);

    // Gone from the catalog for new customers; the page says so for existing ones.
    expect(await catalogIds()).not.toContain(offerId);
    expect((await livePage(offerId)).body).toMatchObject({ availableToNewCustomers: false, deprecations: [expect.objectContaining({ state: 'Effective' })] });
    expect((await livePage(offerId, true)).text).toContain('is no longer available to new customers; existing deployments keep running');

    const twice = await call(stack, 'POST', deprecation(offerId), { body: { scope: 'offer', reason: 'other' } });
    expect([twice.status, twice.body.error.code]).toEqual([409, ErrorType.OfferNotLive]);

    // A replica lost meanwhile (as after the window) is copied again by the restore.
    const replica = stack.regionAccounts.replicas('eastus').getBlobClient(`${runPrefix(live)}standard/1.0.0/os.vhd`);
    expect((await replica.deleteIfExists()).succeeded).toBe(true);

    const restore = await call<DeprecationStatus>(stack, 'DELETE', deprecation(offerId));
    expect(restore.status).toBe(202);
    const restored = await waitForDeprecation(offerId, (s) => s.state === 'Restored');
    expect(restored.restoredBy).toBe('publisher:contoso');
    expect(await replica.exists()).toBe(true);
    expect(await catalogIds()).toContain(offerId);
    const back = await livePage(offerId);
    expect(back.body.deprecations).toBeUndefined();
    expect((await livePage(offerId, true)).text).not.toContain('banner deprecated');
    await waitForMail((m) => m.to.includes(email) && m.subject.startsWith('Deprecation restored'));
    // In the offer's history, in order, with who caused each: the publisher's requests, the schedule's timer.
    expect(await deprecationHistory(offerId, 'deprecation.restored')).toEqual([
      'deprecation.scheduled by publisher:contoso',
      'deprecation.effective by system',
      'deprecation.restore_requested by publisher:contoso',
      'deprecation.restored by publisher:contoso',
    ]);

    // Operators find it by its search attributes (kept current by the workflow).
    const query = `WorkflowType = 'deprecateOffer' AND OfferId = '${offerId}' AND DeprecationState = 'Restored'`;
    for (let i = 0; i < 50 && (await stack.client.workflow.count(query)).count === 0; i++) await new Promise((r) => setTimeout(r, 200));
    expect((await stack.client.workflow.count(query)).count).toBe(1);

    const again = await call(stack, 'DELETE', deprecation(offerId));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe(ErrorType.InvalidState);

    // Kept for test/integration/replay.test.ts (with RECORD_HISTORIES=1): every path of the schedule in one history.
    const handle = stack.client.workflow.getHandle(deprecationWorkflowId('contoso', offerId));
    await handle.result();
    await recordHistory(handle.workflowId, (await handle.describe()).runId, 'deprecation-effective-restored');
    await replays(offerId);
  }, 300_000);

  it('lets a new version go live while a deprecation is scheduled, with the banner on it; reschedules by a second POST', async () => {
    const offerId = uniqueOfferId('deprecate-republish');
    const offer = await hostedOffer(stack.blobs);
    const publishToLive = async () => {
      await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: [`${offerId}@contoso.example`] } });
      await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed', 120_000);
      await call(stack, 'POST', `${offerPath(offerId)}/golive`);
      return waitForStatus(stack, offerId, (s: PublishStatusBody) => s.status === 'Succeeded' || s.status === 'Failed');
    };
    const first = await publishToLive();
    const effectiveAt = new Date(Date.now() + 600_000).toISOString();
    expect((await call(stack, 'POST', deprecation(offerId), { body: { scope: 'offer', reason: 'other', effectiveAt } })).status).toBe(202);

    const second = await publishToLive();
    expect(second.status).toBe('Succeeded');
    const page = await livePage(offerId);
    expect(page.body.runId).toBe(second.runId);
    expect(page.body.runId).not.toBe(first.runId);
    expect(page.body.deprecations).toEqual([expect.objectContaining({ scope: 'offer', state: 'Scheduled', effectiveAt })]);

    // Another scope while one is scheduled is refused; the same scope reschedules.
    const other = await call(stack, 'POST', deprecation(offerId), { body: { scope: { skuId: 'standard', version: '1.0.0' }, reason: 'other', effectiveAt } });
    expect([other.status, other.body.error.code]).toEqual([409, ErrorType.DeprecationScheduled]);
    const later = new Date(Date.parse(effectiveAt) + 600_000).toISOString();
    const rescheduled = await call<DeprecationStatus>(stack, 'POST', deprecation(offerId), { body: { scope: 'offer', reason: 'endOfSupport', effectiveAt: later } });
    expect(rescheduled.status).toBe(202);
    expect(rescheduled.body).toMatchObject({ effectiveAt: later, reason: 'endOfSupport', state: 'Scheduled' });
    await waitForDeprecation(offerId, (s) => s.notices.some((n) => n.kind === 'rescheduled' && n.sentAt));
    expect((await livePage(offerId)).body.deprecations).toEqual([expect.objectContaining({ effectiveAt: later })]);

    expect((await call(stack, 'DELETE', deprecation(offerId))).status).toBe(202);
    await waitForDeprecation(offerId, (s) => s.state === 'Restored');
    expect((await livePage(offerId)).body.deprecations).toBeUndefined();
    expect(await deprecationHistory(offerId, 'deprecation.restored')).toEqual([
      'deprecation.scheduled by publisher:contoso',
      'deprecation.rescheduled by publisher:contoso',
      'deprecation.restore_requested by publisher:contoso',
      'deprecation.restored by publisher:contoso',
    ]);
    await replays(offerId);
  }, 300_000);

  it('takes a critical security issue off the catalog at once', async () => {
    const offerId = uniqueOfferId('deprecate-critical');
    await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer: await hostedOffer(stack.blobs), notificationEmails: [`${offerId}@contoso.example`] } });
    await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed', 120_000);
    await call(stack, 'POST', `${offerPath(offerId)}/golive`);
    expect((await waitForStatus(stack, offerId, (s) => s.status === 'Succeeded' || s.status === 'Failed')).status).toBe('Succeeded');

    const before = Date.now();
    const now = await call<DeprecationStatus>(stack, 'POST', deprecation(offerId), {
      body: { scope: 'offer', reason: 'criticalSecurityIssue', effectiveAt: new Date(before - 3_600_000).toISOString() },
    });
    expect(now.status).toBe(202);
    expect(Date.parse(now.body.effectiveAt)).toBeGreaterThanOrEqual(before - 1000); // never in the past
    const effective = await waitForDeprecation(offerId, (s) => s.state === 'Effective', 20_000);
    expect(effective.notices.filter((n) => n.kind === 'reminder')).toEqual([]);
    expect(await catalogIds()).not.toContain(offerId);
    expect((await call(stack, 'DELETE', deprecation(offerId))).status).toBe(202);
    await waitForDeprecation(offerId, (s) => s.state === 'Restored');
    expect(await catalogIds()).toContain(offerId);
    await replays(offerId);
  }, 300_000);
});
