/**
 * Deprecation without services: the reminder schedule and its scaling, the live page under its
 * deprecations (what new customers no longer see, the banner, escaped), the notices, and the
 * configuration of the minimum notice and the restore window.
 */
import { loadConfig } from '../../config/env';
import { reminderTimes, scopeKey, type CatalogDeprecation } from '../../domain/deprecation';
import { applyDeprecations } from '../../lib/product-page/deprecation';
import type { ProductPage } from '../../lib/product-page/model';
import { renderProductPageHtml } from '../../lib/product-page/render-html';
import { renderDeprecationNotice } from '../../activities/deprecate/templates';
import { deprecationMessageId } from '../../activities/deprecate/notices';
import { inScope } from '../../activities/deprecate/replicas';

const DAY = 86_400_000;
const T0 = Date.parse('2027-01-01T00:00:00Z');

describe('reminderTimes', () => {
  const before = (notice: number) => reminderTimes(T0, T0 + notice).map((r) => [r.label, T0 + notice - r.atMs]);

  it('reminds 30, 7 and 1 days before for the standard notice or a longer one', () => {
    expect(before(90 * DAY)).toEqual([['30d', 30 * DAY], ['7d', 7 * DAY], ['1d', DAY]]);
    expect(before(200 * DAY)).toEqual([['30d', 30 * DAY], ['7d', 7 * DAY], ['1d', DAY]]);
  });

  it('scales them down in proportion for a shorter notice, and has none for an immediate one', () => {
    expect(before(30_000)).toEqual([['30d', 10_000], ['7d', 2_333], ['1d', 333]]);
    expect(before(9 * DAY)).toEqual([['30d', 3 * DAY], ['7d', 60_480_000], ['1d', 8_640_000]]);
    expect(before(0)).toEqual([]);
    expect(before(-5)).toEqual([]);
  });
});

const page: ProductPage = {
  publisherId: 'contoso',
  offerId: 'web',
  runId: 'r1',
  stage: 'live',
  createdAt: '2026-01-01T00:00:00Z',
  title: 'Contoso Web',
  summary: 's',
  longSummary: 'l',
  descriptionHtml: '<p>d</p>',
  categories: [],
  logos: {},
  termsOfUse: '',
  usefulLinks: [],
  regions: ['eastus'],
  skus: ['standard', 'premium'].map((skuId) => ({
    skuId,
    title: skuId,
    summary: '',
    description: '',
    os: { family: 'Linux', type: 'Ubuntu', friendlyName: 'Ubuntu' },
    recommendedVmSizes: [],
    openPorts: [],
    diskVersions: [
      { version: '1.0.0', diskCount: 1, dataDiskCount: 0 },
      { version: '2.0.0', diskCount: 1, dataDiskCount: 0 },
    ],
    regions: ['eastus'],
  })),
  deployFrom: [
    {
      region: 'eastus',
      images: ['standard', 'premium'].flatMap((skuId) => ['1.0.0', '2.0.0'].map((version) => ({ skuId, version, role: 'os' as const, url: `https://x/${skuId}/${version}` }))),
    },
  ],
};
const record = (scope: CatalogDeprecation['scope'], state: CatalogDeprecation['state']): CatalogDeprecation => ({ scope, reason: 'endOfSupport', effectiveAt: '2027-04-01T00:00:00.000Z', state });

describe('the live page under deprecations', () => {
  it('shows a scheduled deprecation without hiding anything', () => {
    const shown = applyDeprecations(page, [record('offer', 'Scheduled')]);
    expect(shown.skus).toEqual(page.skus);
    expect(shown.availableToNewCustomers).toBe(true);
    expect(renderProductPageHtml(shown)).toContain('The offer will be deprecated on 2027-04-01T00:00:00.000Z');
  });

  it('takes an effective version off its plan, a plan off the page, and an offer off for new customers', () => {
    const version = applyDeprecations(page, [record({ skuId: 'standard', version: '1.0.0' }, 'Effective')]);
    expect(version.skus.find((s) => s.skuId === 'standard')!.diskVersions.map((v) => v.version)).toEqual(['2.0.0']);
    expect(version.deployFrom![0].images.map((i) => `${i.skuId}/${i.version}`)).toEqual(['standard/2.0.0', 'premium/1.0.0', 'premium/2.0.0']);

    const plan = applyDeprecations(page, [record({ skuId: 'premium' }, 'Effective')]);
    expect(plan.skus.map((s) => s.skuId)).toEqual(['standard']);
    expect(plan.availableToNewCustomers).toBe(true);

    const offer = applyDeprecations(page, [record('offer', 'Effective')]);
    expect(offer.availableToNewCustomers).toBe(false);
    expect(renderProductPageHtml(offer)).toContain('is no longer available to new customers; existing deployments keep running');

    const bothPlans = applyDeprecations(page, [record({ skuId: 'premium' }, 'Effective'), record({ skuId: 'standard' }, 'Effective')]);
    expect(bothPlans.availableToNewCustomers).toBe(false);
  });

  it('escapes the publisher text in the banner', () => {
    const html = renderProductPageHtml(applyDeprecations(page, [{ ...record('offer', 'Scheduled'), text: '<script>alert(1)</script>', alternative: { offerId: 'web-2027' } }]));
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('Alternative: offer web-2027.');
  });
});

describe('deprecation notices', () => {
  const req = {
    kind: 'reminder' as const,
    label: '7d',
    to: ['ops@contoso.example'],
    publisherId: 'contoso',
    offerId: 'web',
    offerTitle: 'Visit https://evil.example',
    deprecationId: 'deprecate/contoso/web/run-1',
    scope: { skuId: 'standard' },
    reason: 'endOfSupport' as const,
    text: 'see <b>evil.example</b>',
    effectiveAt: '2027-04-01T00:00:00.000Z',
    statusUrl: 'http://api.test/api/publishers/contoso/offers/web/deprecation',
    supportUrl: 'https://support.test/new',
  };

  it('says what, when and why, without turning the publisher’s words into links or markup', () => {
    const mail = renderDeprecationNotice(req);
    expect(mail.subject).toContain('Reminder (7 days notice)');
    expect(mail.text).toContain('plan standard of "Visit https[:]//evil[.]example"');
    expect(mail.text).toContain('takes effect on 2027-04-01T00:00:00.000Z');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).not.toContain('https://evil.example');
  });

  it('gives a retried notice the same Message-ID and each notice its own', () => {
    const from = 'Publishing <publishing@marketplace.local>';
    expect(deprecationMessageId(req, from)).toBe(deprecationMessageId({ ...req }, from));
    expect(deprecationMessageId({ ...req, label: '1d' }, from)).not.toBe(deprecationMessageId(req, from));
    expect(deprecationMessageId(req, from)).toMatch(/^<deprecation-reminder\.[0-9a-f]{32}@marketplace\.local>$/);
  });
});

describe('scopes of replicas', () => {
  it('covers the offer, a plan or one version by replica name', () => {
    expect(inScope('offer', 'premium/1.0.0/os.vhd')).toBe(true);
    expect(inScope({ skuId: 'standard' }, 'standard/2.0.0/data-0.vhd')).toBe(true);
    expect(inScope({ skuId: 'standard' }, 'standard-2/1.0.0/os.vhd')).toBe(false);
    expect(inScope({ skuId: 'standard', version: '1.0.0' }, 'standard/1.0.0/os.vhd')).toBe(true);
    expect(inScope({ skuId: 'standard', version: '1.0.0' }, 'standard/1.0.01/os.vhd')).toBe(false);
    expect(scopeKey({ skuId: 'standard', version: '1.0.0' })).toBe('version~standard~1.0.0');
  });
});

describe('configuration', () => {
  it('reads DEPRECATION_MIN_NOTICE and DEPRECATION_RESTORE_WINDOW as durations (defaults 90 and 30 days)', () => {
    expect(loadConfig({})).toMatchObject({ deprecationMinNoticeMs: 90 * DAY, deprecationRestoreWindowMs: 30 * DAY });
    expect(loadConfig({ DEPRECATION_MIN_NOTICE: '30s', DEPRECATION_RESTORE_WINDOW: '2h' })).toMatchObject({ deprecationMinNoticeMs: 30_000, deprecationRestoreWindowMs: 2 * 3_600_000 });
    expect(() => loadConfig({ DEPRECATION_MIN_NOTICE: 'soon' })).toThrow(/DEPRECATION_MIN_NOTICE: must be a duration/);
  });
});
