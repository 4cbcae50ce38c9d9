/** E-mails in the publisher's language: a run published in zh-TW writes every e-mail in Traditional Chinese. */
import type { NotificationEvent, NotificationRequest } from '../../domain/pipeline';
import { renderNotification } from '../../activities/notify/templates';

const EVENTS: NotificationEvent[] = ['validationFailed', 'certificationFailed', 'previewReady', 'live', 'canceled', 'failed', 'internalFailure', 'overdue'];

const request = (over: Partial<NotificationRequest>): NotificationRequest => ({
  event: 'previewReady',
  to: ['ops@contoso.example'],
  publisherId: 'contoso',
  offerId: 'web',
  runId: 'run-1',
  offerTitle: 'Contoso <Web>',
  stepName: 'Certification',
  findings: [{ level: 'Error', field: 'title', text: 'The title is required.' }],
  failedChecks: [{ testId: 'VHD-003', name: 'Fixed-size VHD', result: 'Failed', actualValue: 'Dynamic', requiredValue: 'Fixed', remediation: 'Convert it.' }],
  links: ['https://publishing.example/api/preview/offers/contoso/web'],
  statusUrl: 'https://publishing.example/api/publishers/contoso/offers/web/status',
  supportUrl: 'https://publishing.example/support',
  ...over,
});

describe('notification e-mails in Traditional Chinese', () => {
  it.each(EVENTS)('%s: subject and body in zh-TW, step names in the seed\'s words, values escaped', (event) => {
    const mail = renderNotification(request({ event, language: 'zh-TW' }));
    expect(mail.subject).toMatch(/[\u4e00-\u9fff]/);
    expect(mail.text).toContain('此發行要求的狀態：https://publishing.example/api/publishers/contoso/offers/web/status');
    expect(mail.html).toContain('<html lang="zh-TW">');
    expect(mail.html).toContain('Contoso &lt;Web&gt;');
    expect(mail.html).not.toContain('<Web>');
    expect(mail.text).not.toMatch(/Status of this publishing request|publishing restarts/);
  });

  it('names steps and their time frames as the original portal does', () => {
    expect(renderNotification(request({ event: 'overdue', language: 'zh-TW' })).text).toContain('「認證」步驟已超過預期的時間範圍（< 5 天）');
    expect(renderNotification(request({ event: 'validationFailed', language: 'zh-TW' })).text).toContain('步驟 1「驗證必要元件」');
    const cert = renderNotification(request({ event: 'certificationFailed', language: 'zh-TW' }));
    expect(cert.html).toContain('<th align="left" style="border:1px solid #ccc">修正方式</th>');
  });

  it('stays in English without a language (runs published before languages existed)', () => {
    const mail = renderNotification(request({ event: 'previewReady' }));
    expect(mail.subject).toBe('Contoso <Web> is ready for preview');
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.text).toContain('Status of this publishing request:');
  });
});
