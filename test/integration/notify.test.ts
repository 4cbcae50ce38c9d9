/** Notification e-mails: every template escapes what it interpolates; sending reaches MailDev. */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config/env';
import type { NotificationEvent, NotificationRequest } from '../../domain/pipeline';
import { createActivityDeps } from '../../activities/deps';
import { notificationMessageId, sendNotification } from '../../activities/notify';
import { renderNotification } from '../../activities/notify/templates';
import { testServices } from '../helpers/services';
import { waitForMail } from '../helpers/mail';

const EVIL = '<script>alert("x")</script>';

function request(event: NotificationEvent, over: Partial<NotificationRequest> = {}): NotificationRequest {
  return {
    event,
    to: ['publisher@contoso.test'],
    publisherId: 'contoso',
    offerId: 'web-appliance',
    runId: randomUUID(),
    offerTitle: `Contoso ${EVIL} & Co`,
    stepName: 'Provisioning',
    findings: [
      { level: 'Error', field: 'skus[0].title', text: `Title is missing ${EVIL}` },
      { level: 'Warning', field: 'logos.wide', text: 'Wide logo is 250×115; expected 255×115' },
    ],
    failedChecks: [
      {
        testId: '41',
        name: 'Swap partition',
        result: 'Failed',
        actualValue: `swap in /etc/fstab ${EVIL}`,
        requiredValue: 'no swap on the OS disk',
        remediation: 'Remove the swap entry; let the agent create swap on the resource disk',
        disk: 'standard 1.0.0 OS disk',
      },
    ],
    links: ['https://marketplace.test/preview/contoso/web-appliance?x=1&y=<b>'],
    statusUrl: 'https://marketplace.test/api/publishers/contoso/offers/web-appliance/status',
    supportUrl: 'https://support.marketplace.test/new',
    ...over,
  };
}

const EVENTS: NotificationEvent[] = ['validationFailed', 'certificationFailed', 'previewReady', 'live', 'canceled', 'failed', 'internalFailure', 'overdue'];

describe('notification templates', () => {
  it.each(EVENTS)('%s escapes every interpolated value', (event) => {
    const mail = renderNotification(request(event));
    expect(mail.subject).toContain('Contoso <script>');
    expect(mail.html).not.toMatch(/<script|<b>/);
    expect(mail.html).toContain('Contoso &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(mail.text).toContain(`Contoso ${EVIL} & Co`);
    expect(mail.html).toContain('href="https://marketplace.test/api/publishers/contoso/offers/web-appliance/status"');
    expect(mail.text).toContain('https://marketplace.test/api/publishers/contoso/offers/web-appliance/status');
  });

  it('carries what each event needs', () => {
    const v = renderNotification(request('validationFailed'));
    expect(v.text).toContain('skus[0].title: Title is missing');
    expect(v.text).toContain('Warning: logos.wide:');
    expect(v.text).toMatch(/press Publish again.*step 1/);

    const c = renderNotification(request('certificationFailed'));
    for (const part of ['41 Swap partition', 'no swap on the OS disk', 'Remove the swap entry', 'standard 1.0.0 OS disk']) {
      expect(c.text).toContain(part);
      expect(c.html).toContain(part);
    }
    expect(c.html).toContain('swap in /etc/fstab &lt;script&gt;');

    const p = renderNotification(request('previewReady'));
    expect(p.html).toContain('href="https://marketplace.test/preview/contoso/web-appliance?x=1&amp;y=%3Cb%3E"');
    expect(p.text).toContain('Go live');

    const f = renderNotification(request('failed', { stepName: 'Packaging and lead generation registration' }));
    expect(f.subject).toContain('failed at Packaging and lead generation registration');
    expect(f.text).toContain('https://support.marketplace.test/new');
    expect(f.text).toMatch(/restarts at step 1/);

    const o = renderNotification(request('overdue', { stepName: 'Provisioning' }));
    expect(o.text).toContain('Less than 1 day');

    expect(renderNotification(request('live')).subject).toMatch(/is live$/);
    expect(renderNotification(request('canceled')).text).toContain('starts over at step 1');
  });

  it('internalFailure says the problem is ours and publishing again is safe, and shows no error text', () => {
    const internal = 'The storage account of region westeurope could not be used (check REGION_STORAGE) (403 AuthorizationFailure)';
    const req = request('internalFailure', { findings: [{ level: 'Error', text: internal }] });
    const mail = renderNotification(req);
    expect(mail.subject).toMatch(/stopped at Provisioning because of a problem on our side/);
    expect(mail.text).toMatch(/support team has been told/);
    expect(mail.text).toMatch(/Publishing again is safe/);
    expect(mail.text).toContain(req.runId);
    expect(mail.text).toContain('https://support.marketplace.test/new');
    for (const part of [mail.text, mail.html]) {
      expect(part).not.toMatch(/REGION_STORAGE|AuthorizationFailure|Title is missing|fix what/);
    }
  });

  it('does not turn non-http links into anchors', () => {
    const mail = renderNotification(request('previewReady', { links: ['javascript:alert(1)'] }));
    expect(mail.html).not.toContain('href="javascript');
    expect(mail.html).toContain('javascript:alert(1)');
  });
});

describe('sendNotification', () => {
  const s = testServices();
  const deps = createActivityDeps(loadConfig({ AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString, SMTP_URL: s.smtpUrl }));

  it('sends to every recipient with the rendered subject and a deterministic Message-ID', async () => {
    const a = `a-${randomUUID()}@contoso.test`;
    const b = `b-${randomUUID()}@contoso.test`;
    const req = request('previewReady', { to: [a, ` ${b} `, a] });
    const { messageId } = await sendNotification(deps, req);
    expect(messageId).toBe(notificationMessageId(req, deps.config.mailFrom));
    expect(messageId).toMatch(/^<previewReady\.[0-9a-f]{32}@marketplace\.local>$/);

    const mail = await waitForMail((m) => m.to.includes(a));
    expect(mail.to.sort()).toEqual([a, b].sort());
    expect(mail.subject).toBe(renderNotification(req).subject);
    expect(mail.messageId).toBe(messageId);
    expect(mail.from).toEqual(['publishing@marketplace.local']);
    expect(mail.html).toContain('&lt;script&gt;');

    // A retry of the same notification has the same Message-ID; another step's does not.
    expect(notificationMessageId(req, deps.config.mailFrom)).toBe(messageId);
    expect(notificationMessageId({ ...req, stepName: 'Certification' }, deps.config.mailFrom)).not.toBe(messageId);
  });

  it('skips when there are no recipients', async () => {
    expect(await sendNotification(deps, request('live', { to: [' '] }))).toEqual({ messageId: '' });
  });
});
