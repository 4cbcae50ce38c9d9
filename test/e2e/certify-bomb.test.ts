/**
 * A crafted image (issue 9 §1) certified on the same worker as a normal publish: 20 000 hard links
 * in /etc/default/grub.d to one 256 KiB file, which once held the worker's event loop for minutes
 * and 5.9 GB of memory. Its certification fails with the cause named (too many entries), while the
 * publish beside it reaches sign-off and the worker's event loop keeps answering throughout.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { PublishStatusBody } from '../../domain/status';
import { validOffer } from '../../samples/offer';
import { buildBombDisk, hardLinkFarm } from '../fixtures/ext4-image';
import { hostedOffer, uniqueOfferId, uploadDiskImage, uploadLogos } from '../helpers/assets';
import { call, offerPath, stepOf, waitForStatus } from '../helpers/http';
import { startStack, type Stack } from '../helpers/stack';

const ended = (s: PublishStatusBody) => ['Succeeded', 'Failed', 'Canceled'].includes(s.status);

describe('a crafted image beside a normal publish on one worker', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The workflow and I/O workers run in this process: the event loop measured is theirs.
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('fails certification naming the cause, while the other publish reaches sign-off and the loop keeps answering', async () => {
    const [bombUrl, logos, normal] = await Promise.all([
      uploadDiskImage(stack.blobs, (file) => buildBombDisk(file, hardLinkFarm())),
      uploadLogos(stack.blobs),
      hostedOffer(stack.blobs),
    ]);
    const bomb = { ...validOffer({ osVhdUrl: bombUrl, logos }), leadDestination: null };
    const bombId = uniqueOfferId('bomb');
    const normalId = uniqueOfferId('beside');

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    try {
      for (const [id, offer] of [[bombId, bomb], [normalId, normal]] as const) {
        const r = await call(stack, 'POST', `${offerPath(id)}/publish`, { body: { offer, notificationEmails: [`${id}@contoso.example`] } });
        expect(r.status).toBe(202);
      }
      const [failed, review] = await Promise.all([
        waitForStatus(stack, bombId, ended, 120_000),
        waitForStatus(stack, normalId, (s) => s.status === 'WaitingForPublisherReview' || ended(s), 180_000),
      ]);

      expect(failed).toMatchObject({ status: 'Failed', currentStep: 'certify' });
      const certify = stepOf(failed, 'certify');
      const errors = certify.messages.filter((m) => m.level === 'Error').map((m) => m.text);
      expect(errors).toEqual([
        expect.stringMatching(/^LNX-040 Serial console on the kernel command line \(standard 1\.0\.0 OS disk\): Failed\. Actual: \/etc\/default\/grub\.d: more than 20000 entries \(too many entries\)\./),
        expect.stringMatching(/^LNX-103 .*: Failed\. Actual: \/etc\/default\/grub\.d: more than 20000 entries \(too many entries\)\./),
      ]);
      expect(JSON.stringify(failed).length).toBeLessThan(20_000);
      const report = await call(stack, 'GET', `${offerPath(bombId)}/certification-report`);
      expect(report.status).toBe(200);
      expect(report.body.checks.find((c: { testId: string }) => c.testId === 'LNX-040').actualValue).toBe('/etc/default/grub.d: more than 20000 entries (too many entries)');

      expect(review.status).toBe('WaitingForPublisherReview');
      expect(stepOf(review, 'certify').status).toBe('Complete');
    } finally {
      delay.disable();
    }
    console.log(`event-loop delay while both ran: p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`);
    expect(delay.percentile(99) / 1e6).toBeLessThan(200);

    await call(stack, 'POST', `${offerPath(normalId)}/cancel`);
    await waitForStatus(stack, normalId, ended);
  }, 300_000);
});
