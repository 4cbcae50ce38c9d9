/**
 * Cancel, end to end: during `provision` (copies stopped, every replica removed) and at `signoff`
 * (preview removed), with the e-mail; and a worker restart in the middle of provisioning.
 */
import { publishWorkflowId } from '../../domain/messages';
import type { PublishStatusBody } from '../../domain/status';
import { DEFAULT_REGIONS } from '../../domain/regions';
import { runPrefix } from '../../lib/storage/layout';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { recordHistory } from '../helpers/histories';
import { call, offerPath, stepOf, waitForStatus } from '../helpers/http';
import { waitForMail } from '../helpers/mail';
import { startStack, type Stack } from '../helpers/stack';

const ended = (s: PublishStatusBody) => ['Succeeded', 'Failed', 'Canceled'].includes(s.status);

async function replicasOf(stack: Stack, run: PublishStatusBody): Promise<string[]> {
  const names: string[] = [];
  await Promise.all(
    stack.config.regions.map(async (region) => {
      const container = stack.regionAccounts.replicas(region);
      if (!(await container.exists())) return;
      for await (const b of container.listBlobsFlat({ prefix: runPrefix(run) })) names.push(`${region}/${b.name}`);
    }),
  );
  return names;
}

describe('cancel', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Every region, one copy at a time, two regions per copy activity: provisioning lasts long
    // enough to be caught in the middle of an activity copying several regions, and the status is
    // read as it is (no read model in between).
    stack = await startStack({ REGIONS: DEFAULT_REGIONS.join(','), PROVISION_CONCURRENCY: '1', REGIONS_PER_COPY_ACTIVITY: '2', STATUS_CACHE_FRESH_MS: '0' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('during provision stops the copies and removes every replica', async () => {
    const offerId = uniqueOfferId('cancel-provision');
    const email = `${offerId}@contoso.example`;
    await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer: await hostedOffer(stack.blobs), notificationEmails: [email] } });
    const copying = await waitForStatus(stack, offerId, (s) => (s.currentStep === 'provision' && (s.provisioning?.regionsDone ?? 0) >= 2) || ended(s));
    expect(copying.currentStep).toBe('provision');
    expect(copying.provisioning!.regionsTotal).toBe(55);
    expect(copying.provisioning!.regionsDone).toBeLessThan(55);
    expect(copying.cancellable).toBe(true);
    expect(await replicasOf(stack, copying)).not.toHaveLength(0);

    const cancel = await call(stack, 'POST', `${offerPath(offerId)}/cancel`, { body: { reason: 'wrong image' } });
    expect(cancel.status).toBe(202);
    const canceled = await waitForStatus(stack, offerId, ended);
    expect(canceled.status).toBe('Canceled');
    expect(canceled.currentStep).toBe('provision');
    expect(stepOf(canceled, 'provision').status).toBe('Canceled');
    expect(stepOf(canceled, 'provision').messages.some((m) => /wrong image/.test(m.text))).toBe(true);
    expect(stepOf(canceled, 'package').status).toBe('NotStarted');
    expect(canceled.cancellable).toBe(false);
    expect(Object.values(canceled.provisioning!.regions).every((r) => r === 'Removed' || r === 'Pending')).toBe(true);
    expect(await replicasOf(stack, canceled)).toEqual([]);
    await waitForMail((m) => m.to.includes(email) && /was canceled/.test(m.subject));

    // Ended: a second cancel is refused.
    const again = await call(stack, 'POST', `${offerPath(offerId)}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/ended/);
    await recordHistory(publishWorkflowId('contoso', offerId), canceled.runId, 'canceled-during-batched-provision');
  });

  it('at signoff removes the preview and the replicas', async () => {
    const offerId = uniqueOfferId('cancel-signoff');
    const email = `${offerId}@contoso.example`;
    await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer: await hostedOffer(stack.blobs), notificationEmails: [email] } });
    const review = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || ended(s), 120_000);
    expect(review.status).toBe('WaitingForPublisherReview');
    expect(await replicasOf(stack, review)).toHaveLength(55);
    const previewPath = `/api/preview/offers/contoso/${offerId}`;
    const subscription = { 'x-ms-subscription-id': '0b1f6a3c-2d4e-4f60-8a7b-9c0d1e2f3a4b' };
    expect((await call(stack, 'GET', previewPath, { key: null, headers: subscription })).status).toBe(200);

    expect((await call(stack, 'POST', `${offerPath(offerId)}/cancel`)).status).toBe(202);
    const canceled = await waitForStatus(stack, offerId, ended);
    expect(canceled.status).toBe('Canceled');
    expect(canceled.currentStep).toBe('signoff');
    expect(stepOf(canceled, 'signoff').status).toBe('Canceled');
    expect(await replicasOf(stack, canceled)).toEqual([]);
    expect((await call(stack, 'GET', previewPath, { key: null, headers: subscription })).status).toBe(404);
    await waitForMail((m) => m.to.includes(email) && /was canceled/.test(m.subject));
    // Go live after the end: 409.
    expect((await call(stack, 'POST', `${offerPath(offerId)}/golive`)).status).toBe(409);
    await recordHistory(publishWorkflowId('contoso', offerId), canceled.runId, 'canceled-at-signoff');
  });

  it('a worker restart during provision resumes where it was, without copying finished regions again', async () => {
    const offerId = uniqueOfferId('restart');
    await call(stack, 'POST', `${offerPath(offerId)}/publish`, {
      body: { offer: await hostedOffer(stack.blobs), notificationEmails: [`${offerId}@contoso.example`] },
    });
    const copying = await waitForStatus(stack, offerId, (s) => (s.currentStep === 'provision' && (s.provisioning?.regionsDone ?? 0) >= 3) || ended(s));
    expect(copying.currentStep).toBe('provision');
    await stack.stopWorkers();
    // The regions the run had finished, and the identity of each copy (a new copy gets a new copy id and ETag).
    const finished = Object.entries(copying.provisioning!.regions).filter(([, state]) => state === 'Complete').map(([region]) => region);
    const identity = async (region: string) => {
      const p = await stack.regionAccounts.replicas(region).getBlobClient(`${runPrefix(copying)}standard/1.0.0/os.vhd`).getProperties();
      return `${p.copyId} ${p.etag}`;
    };
    const before = await Promise.all(finished.map(identity));
    await stack.startWorkers();
    const review = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || ended(s), 120_000);
    expect(review.status).toBe('WaitingForPublisherReview');
    expect(review.provisioning).toMatchObject({ regionsDone: 55, regionsTotal: 55 });
    expect(await replicasOf(stack, review)).toHaveLength(55);
    expect(finished.length).toBeGreaterThanOrEqual(3);
    expect(await Promise.all(finished.map(identity))).toEqual(before);
    await call(stack, 'POST', `${offerPath(offerId)}/cancel`);
    await waitForStatus(stack, offerId, ended);
  });
});
