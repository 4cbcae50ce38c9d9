/** E-mails link only to this product's own URLs; text from the offer or its images is never a link. */
import type { NotificationRequest } from '../../domain/pipeline';
import { renderNotification } from '../../activities/notify/templates';
import { unlinkable } from '../../activities/notify/unlinkable';

const BASE = 'https://publishing.marketplace.example';

function request(over: Partial<NotificationRequest>): NotificationRequest {
  return {
    event: 'previewReady',
    to: ['ops@contoso.example'],
    publisherId: 'contoso',
    offerId: 'web',
    runId: 'run-1',
    offerTitle: 'Contoso Web Appliance',
    links: [`${BASE}/api/preview/offers/contoso/web`],
    statusUrl: `${BASE}/api/publishers/contoso/offers/web/status`,
    supportUrl: 'https://support.marketplace.example/requests/new',
    ...over,
  };
}

/** Every link target of an HTML part. */
const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);

describe('notification e-mails', () => {
  it('shows a URL in the offer title as text no mail client links, in the subject, the text and the HTML', () => {
    const mail = renderNotification(request({ offerTitle: 'Visit https://evil.example/login or www.evil.com, mail sales@evil.shop, 203.0.113.9/x' }));
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toMatch(/https:\/\/evil|evil\.example|www\.evil|evil\.com|evil\.shop|203\.0/);
      expect(part).toContain('https[:]//evil[.]example/login');
    }
    expect(mail.text).toContain('www[.]evil[.]com');
    expect(mail.text).toContain('sales[at]evil[.]shop');
    expect(hrefs(mail.html)).toEqual([
      `${BASE}/api/preview/offers/contoso/web`,
      `${BASE}/api/publishers/contoso/offers/web/status`,
    ]);
  });

  it('links our status, preview and support URLs, and nothing from findings or image checks', () => {
    const failed = renderNotification(
      request({
        event: 'failed',
        stepName: 'Package',
        findings: [{ level: 'Error', field: 'leadDestination.url', text: 'The endpoint https://crm.evil.example/x answered 404' }],
      }),
    );
    expect(hrefs(failed.html)).toEqual(['https://support.marketplace.example/requests/new', `${BASE}/api/publishers/contoso/offers/web/status`]);
    expect(failed.text).toContain('https[:]//crm[.]evil[.]example/x');

    const cert = renderNotification(
      request({
        event: 'certificationFailed',
        failedChecks: [
          { testId: 'LNX-051', name: 'Distribution', result: 'Failed', actualValue: 'PwnOS (see http://pwn.example)', requiredValue: 'a supported distribution', remediation: 'Use a supported distribution.', disk: 'standard 1.0.0 OS disk' },
        ],
      }),
    );
    expect(cert.html).not.toMatch(/pwn\.example/);
    expect(hrefs(cert.html)).not.toContain('http://pwn.example');
  });

  it('shows a link that is not ours as text', () => {
    const mail = renderNotification(request({ links: ['https://elsewhere.example/preview'] }));
    expect(hrefs(mail.html)).not.toContain('https://elsewhere.example/preview');
  });

  it('leaves plain words, versions, file and field names alone', () => {
    for (const plain of ['Contoso Web Appliance v2.1 (Ubuntu 22.04), e.g. for teams.', 'Set AutoUpdate.Enabled=y in /etc/waagent.conf', 'leadDestination.url is empty']) {
      expect(unlinkable(plain)).toBe(plain);
    }
    expect(unlinkable('Go to contoso.com.')).toBe('Go to contoso[.]com.');
  });
});
