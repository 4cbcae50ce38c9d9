/**
 * What the publisher must fix, end to end: validation failures per field, certification failures
 * per check with their e-mail, republishing after a failure, and waiting for notification e-mails.
 */
import { publishWorkflowId } from '../../domain/messages';
import type { PublishStatusBody } from '../../domain/status';
import { hostedOffer, uniqueOfferId, uploadLinuxImage } from '../helpers/assets';
import { recordHistory } from '../helpers/histories';
import { call, offerPath, stepOf, waitForStatus } from '../helpers/http';
import { waitForMail } from '../helpers/mail';
import { OTHER_PUBLISHER_KEY, startStack, type Stack } from '../helpers/stack';
import { GiB } from '../../domain/units';
import { ErrorType } from '../../domain/errors';

const ended = (s: PublishStatusBody) => ['Succeeded', 'Failed', 'Canceled'].includes(s.status);

describe('publisher-fixable failures', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('fails validate with a message on each bad field, e-mails, and a republish starts a new run at validate', async () => {
    const offerId = uniqueOfferId('invalid');
    const email = `${offerId}@contoso.example`;
    const good = await hostedOffer(stack.blobs);
    const bad = {
      ...good,
      // Blank: a content rule of validate (lengths are already refused by the API with 400).
      title: '   ',
      contacts: { ...good.contacts, support: { ...good.contacts!.support, email: 'not-an-email' } },
      preview: { subscriptionIds: ['not-a-guid'] },
      skus: [{ ...good.skus![0], skuId: 'Bad SKU', diskVersions: [{ ...good.skus![0].diskVersions![0], version: 'v1' }] }],
    };
    delete (bad as { summary?: string }).summary;

    const dryRun = await call(stack, 'POST', `${offerPath(offerId)}/validate`, { body: { offer: bad } });
    expect((await call(stack, 'GET', `${offerPath(offerId)}/certification-report`)).status).toBe(404);
    expect(dryRun.status).toBe(200);
    expect(dryRun.body.valid).toBe(false);

    const pub = await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer: bad, notificationEmails: [email] } });
    expect(pub.status).toBe(202);
    const failed = await waitForStatus(stack, offerId, ended);
    expect(failed.status).toBe('Failed');
    expect(failed.currentStep).toBe('validate');
    expect(failed.cancellable).toBe(false);
    const validate = stepOf(failed, 'validate');
    expect(validate.status).toBe('Failed');
    const errorFields = validate.messages.filter((m) => m.level === 'Error').map((m) => m.field);
    for (const field of ['title', 'summary', 'contacts.support.email', 'preview.subscriptionIds[0]', 'skus[0].skuId', 'skus[0].diskVersions[0].version']) {
      expect(errorFields).toContain(field);
    }
    // The dry run and the step report the same problems.
    expect(dryRun.body.messages.filter((m: { level: string }) => m.level === 'Error').map((m: { field: string }) => m.field).sort()).toEqual(
      [...errorFields].sort(),
    );
    expect(failed.steps.slice(1).every((s) => s.status === 'NotStarted')).toBe(true);
    const mail = await waitForMail((m) => m.to.includes(email) && /did not pass validation/.test(m.subject));
    expect(mail.text).toContain('skus[0].skuId');
    expect(mail.text).toContain(failed.supportUrl);

    // Fixed: publish again. A new run, from validate.
    const again = await call<PublishStatusBody>(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer: good, notificationEmails: [email] } });
    expect(again.status).toBe(202);
    expect(again.body.runId).not.toBe(failed.runId);
    expect(again.body.currentStep).toBe('validate');
    const review = await waitForStatus(stack, offerId, (s) => s.runId === again.body.runId && (s.status === 'WaitingForPublisherReview' || ended(s)));
    expect(review.status).toBe('WaitingForPublisherReview');
    expect(stepOf(review, 'validate').status).toBe('Complete');
    await call(stack, 'POST', `${offerPath(offerId)}/cancel`);
    await waitForStatus(stack, offerId, ended);

    await recordHistory(publishWorkflowId('contoso', offerId), failed.runId, 'validation-failed');
  });

  it.each([
    ['a dynamic VHD', { diskType: 3 }, 'VHD-003'],
    ['a size that is not a whole number of MiB', { virtualSize: GiB + 512 * 3, fileLength: GiB + 512 * 4 }, 'VHD-005'],
  ])('fails certify on %s, naming the check, and e-mails the failing tests', async (_name, vhd, testId) => {
    const offerId = uniqueOfferId('uncertified');
    const email = `${offerId}@contoso.example`;
    const offer = await hostedOffer(stack.blobs, vhd);
    await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: [email] } });
    const failed = await waitForStatus(stack, offerId, ended);
    expect(failed.status).toBe('Failed');
    expect(failed.currentStep).toBe('certify');
    expect(stepOf(failed, 'validate').status).toBe('Complete');
    const certify = stepOf(failed, 'certify');
    expect(certify.status).toBe('Failed');
    const errors = certify.messages.filter((m) => m.level === 'Error');
    expect(errors.some((m) => m.text.startsWith(testId) && /Required:/.test(m.text))).toBe(true);
    expect(failed.reports.certification).toBeTruthy();
    expect(stepOf(failed, 'provision').status).toBe('NotStarted');
    const mail = await waitForMail((m) => m.to.includes(email) && /failed certification/.test(m.subject));
    expect(mail.text).toContain(testId);
    // The full report, every check with actual and required values, through the API.
    const report = await call(stack, 'GET', `${offerPath(offerId)}/certification-report`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ runId: failed.runId, passed: false });
    expect(report.body.checks).toContainEqual(expect.objectContaining({ testId, result: 'Failed', requiredValue: expect.any(String), remediation: expect.any(String) }));
    expect(report.body.bytesRead).toBeGreaterThan(0);
    expect((await call(stack, 'GET', `${offerPath(offerId)}/certification-report`, { key: OTHER_PUBLISHER_KEY })).status).toBe(403);
    if (testId === 'VHD-003') await recordHistory(publishWorkflowId('contoso', offerId), failed.runId, 'certification-failed');
  });

  it('fails certify on what is inside the image: swap in /etc/fstab, with the remediation in the status and the e-mail', async () => {
    const offerId = uniqueOfferId('swap');
    const email = `${offerId}@contoso.example`;
    const offer = await hostedOffer(stack.blobs);
    offer.skus![0].diskVersions![0].osVhdUrl = await uploadLinuxImage(stack.blobs, {
      '/etc/fstab': 'UUID=6f1c2b3a-0d4e-4f5a-9b8c-7d6e5f4a3b2c / ext4 defaults 0 1\n/swapfile none swap sw 0 0\n',
    });
    await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: [email] } });
    const failed = await waitForStatus(stack, offerId, ended);
    expect(failed.currentStep).toBe('certify');
    const errors = stepOf(failed, 'certify').messages.filter((m) => m.level === 'Error');
    expect(errors).toHaveLength(1);
    expect(errors[0].text).toMatch(/^LNX-041 No swap in \/etc\/fstab/);
    expect(errors[0].text).toMatch(/ResourceDisk/);
    const mail = await waitForMail((m) => m.to.includes(email) && /failed certification/.test(m.subject));
    expect(mail.text).toContain('LNX-041');
  });

  it('waits for notification e-mails after validate, refuses Go live meanwhile, and goes on once they are given', async () => {
    const offerId = uniqueOfferId('noemail');
    const offer = await hostedOffer(stack.blobs);
    await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer } });
    const waiting = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherInput' || ended(s));
    expect(waiting.status).toBe('WaitingForPublisherInput');
    expect(stepOf(waiting, 'validate').status).toBe('WaitingForPublisherInput');
    expect(waiting.cancellable).toBe(true);

    // Go live before signoff: 409 with the reason.
    const early = await call(stack, 'POST', `${offerPath(offerId)}/golive`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe(ErrorType.InvalidState);
    expect(early.body.error.message).toMatch(/sign-off/);

    const badEmails = await call(stack, 'POST', `${offerPath(offerId)}/notification-emails`, { body: { emails: ['nope'] } });
    expect(badEmails.status).toBe(400);
    expect(badEmails.body.error.details[0].path).toBe('emails[0]');

    const email = `${offerId}@contoso.example`;
    const given = await call(stack, 'POST', `${offerPath(offerId)}/notification-emails`, { body: { emails: [email] } });
    expect(given.status).toBe(202);
    expect(given.body.notificationEmails).toEqual([email]);
    const review = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || ended(s));
    expect(review.status).toBe('WaitingForPublisherReview');
    // Not waiting for e-mails any more: 409.
    expect((await call(stack, 'POST', `${offerPath(offerId)}/notification-emails`, { body: { emails: [email] } })).status).toBe(409);
    await waitForMail((m) => m.to.includes(email) && /ready for preview/.test(m.subject));
    await call(stack, 'POST', `${offerPath(offerId)}/cancel`);
    await waitForStatus(stack, offerId, ended);
  });

  it('refuses an image URL outside the URL policy at validate, without fetching it', async () => {
    const offerId = uniqueOfferId('policy');
    const offer = await hostedOffer(stack.blobs);
    offer.skus![0].diskVersions![0].osVhdUrl = 'http://169.254.169.254/metadata/disk.vhd';
    const strict = await startStack({ URL_ALLOW_LOOPBACK: 'false' });
    try {
      await call(strict, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: ['a@contoso.example'] } });
      const failed = await waitForStatus(strict, offerId, ended);
      const messages = stepOf(failed, 'validate').messages.filter((m) => m.field === 'skus[0].diskVersions[0].osVhdUrl');
      expect(messages.some((m) => m.level === 'Error')).toBe(true);
    } finally {
      await strict.stop();
    }
  });
});
