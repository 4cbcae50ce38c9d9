/**
 * The publisher portal in a real browser (Debian's Chromium, playwright-core) on the real stack:
 * sign in, publish from the page and follow the stepper to Go live, validation messages beside
 * their fields, the e-mail prompt, cancel at sign-off, both languages, markup shown as text,
 * another publisher's offer, CSRF. Writes the README's screenshots (docs/screenshots/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { OfferDraft } from '../../domain/offer';
import type { PublishStatusBody } from '../../domain/status';
import { STEP_IDS } from '../../domain/steps';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { launchBrowser, signIn, watch } from '../helpers/browser';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { waitForMail } from '../helpers/mail';
import { OPERATOR_KEY, OTHER_PUBLISHER_KEY, PUBLISHER_KEY, startStack, type Stack } from '../helpers/stack';

const SCREENSHOTS = path.join(__dirname, '..', '..', 'docs', 'screenshots');
const SEED_STEP_NAMES = ['驗證必要元件', '認證', '佈建', '封裝和潛在客戶開發註冊', '供應項目可供預覽', '發行者登出', '上線'];
const DESKTOP = { width: 1366, height: 768 };
const ended = (s: PublishStatusBody) => ['Succeeded', 'Failed', 'Canceled'].includes(s.status);

describe('publisher portal in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: ReturnType<typeof watch>;
  let offer: OfferDraft;
  const ids = {
    happy: uniqueOfferId('portal-happy'),
    waiting: uniqueOfferId('portal-emails'),
    cancel: uniqueOfferId('portal-cancel'),
    markup: uniqueOfferId('portal-markup'),
    invalid: uniqueOfferId('portal-invalid'),
    fabrikam: uniqueOfferId('portal-fabrikam'),
  };
  const MARKUP_TITLE = '<img src=x onerror=alert(1)><b>Bold</b>';
  const started = Date.now();

  const portal = (p: string) => `${stack.baseUrl}/portal${p}`;
  const statusPage = (offerId: string, publisherId = 'contoso') => portal(`/publishers/${publisherId}/offers/${offerId}`);
  const stepState = (p: Page, step: string) => p.locator(`[data-step="${step}"]`).getAttribute('data-state');
  const shot = async (p: Page, name: string) => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await p.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  };

  beforeAll(async () => {
    stack = await startStack({ REGIONS: 'eastus,westus,westeurope,northeurope,japaneast,australiaeast,brazilsouth,southeastasia' });
    [browser, offer] = await Promise.all([launchBrowser(), hostedOffer(stack.blobs)]);
    // Runs the tests below look at, started through the API so they are under way meanwhile.
    const publish = (offerId: string, body: object, key = PUBLISHER_KEY, publisherId = 'contoso') =>
      call(stack, 'POST', `${offerPath(offerId, publisherId)}/publish`, { body, key }).then((r) => expect(r.status).toBe(202));
    await Promise.all([
      publish(ids.waiting, { offer }),
      publish(ids.cancel, { offer, notificationEmails: [`${ids.cancel}@contoso.example`], language: 'zh-TW' }),
      publish(ids.markup, { offer: { ...offer, title: MARKUP_TITLE, description: '<script>alert(2)</script><img src=x onerror=alert(3)>' } }),
      publish(ids.fabrikam, { offer: { ...offer, title: 'Fabrikam secret appliance' } }, OTHER_PUBLISHER_KEY, 'fabrikam'),
    ]);
    context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    seen = watch(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    // Runs left open (waiting for e-mails or sign-off) are canceled so the worker can stop.
    for (const [offerId, key, publisherId] of [
      [ids.waiting, PUBLISHER_KEY, 'contoso'],
      [ids.fabrikam, OTHER_PUBLISHER_KEY, 'fabrikam'],
    ]) {
      await call(stack, 'POST', `${offerPath(offerId, publisherId)}/cancel`, { key });
    }
    await stack?.stop();
    console.log(`portal browser tests: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterEach(() => {
    expect(seen.problems.splice(0)).toEqual([]);
  });

  it('signs in with the key; the session cookie is HttpOnly and SameSite=Strict; the key is in no URL and no browser storage', async () => {
    await page.goto(portal('/'));
    await page.waitForURL(/\/portal\/sign-in/);
    expect(await page.locator('h1').textContent()).toBe('Sign in to the publishing portal');
    await signIn(page, stack.baseUrl, PUBLISHER_KEY);
    expect(page.url()).toBe(portal('/publishers/contoso/offers'));
    expect(await page.locator('h1').textContent()).toBe('All offers of contoso');
    const session = (await context.cookies()).find((c) => c.name === 'portal_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/portal' });
    expect(session!.value).not.toContain(PUBLISHER_KEY);
    expect(await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie')).not.toContain(PUBLISHER_KEY);
    // The CSP: scripts and styles from the portal only, Trusted Types for any markup the script inserts.
    const csp = (await page.request.get(portal('/publishers/contoso/offers'))).headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("require-trusted-types-for 'script'");
  });

  it('a draft with errors shows each message beside its field and publishes nothing', async () => {
    await page.goto(portal('/publishers/contoso/new-offer'));
    const bad = { ...offer, summary: '', contacts: { ...offer.contacts, engineering: { ...offer.contacts!.engineering, email: 'not-an-address' } } };
    await page.locator('#field-offerId').fill(ids.invalid);
    await page.locator('#offer-json').fill(JSON.stringify(bad, null, 2));
    await page.locator('#field-privacyPolicyUrl').fill('notaurl');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Publish', exact: true }).click()]);
    expect(await page.locator('#outcome h2').textContent()).toBe('3 problems need fixing');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('outcome');
    // Beside its field: the form's fields get their own messages, a field only the JSON has gets its path.
    const beside = (field: string) => page.locator(`[data-field="${field}"] .message--Error .message-text`).allTextContents();
    expect(await beside('summary')).toEqual(['The summary is empty: enter 1–100 characters.']);
    expect(await beside('privacyPolicyUrl')).toEqual([expect.stringMatching(/not a valid absolute URL/)]);
    expect(await page.locator('#field-summary').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#field-summary').getAttribute('aria-describedby')).toContain('field-summary-messages');
    expect(await page.locator('#offer-json-messages .field-path').allTextContents()).toEqual(['contacts.engineering.email']);
    // What was typed stays, merged into the JSON.
    expect(JSON.parse(await page.locator('#offer-json').inputValue()).privacyPolicyUrl).toBe('notaurl');

    // A field past its limit is refused by the API itself (400): its message is beside the field too.
    await page.locator('#field-title').fill('T'.repeat(60));
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Validate' }).click()]);
    expect(await beside('title')).toHaveLength(1);
    expect(await page.locator('#outcome h2').textContent()).toMatch(/needs? fixing/);
    expect((await call(stack, 'GET', `${offerPath(ids.invalid)}/status`)).status).toBe(404);
  });

  it('publishes a sample offer from the page, follows the stepper to sign-off, goes live (screenshots in both languages)', async () => {
    await page.goto(portal('/publishers/contoso/offers'));
    await Promise.all([page.waitForURL(/new-offer$/), page.getByRole('link', { name: 'Publish a new offer' }).click()]);
    await page.getByLabel('Offer id').fill(ids.happy);
    await page.locator('#offer-json').fill(JSON.stringify(offer, null, 2));
    await page.locator('#field-emails').fill(`${ids.happy}@contoso.example`);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Validate' }).click()]);
    expect(await page.locator('#outcome').textContent()).toMatch(/Validation passed/);
    expect((await call(stack, 'GET', `${offerPath(ids.happy)}/status`)).status).toBe(404);
    await Promise.all([page.waitForURL(statusPage(ids.happy)), page.getByRole('button', { name: 'Publish', exact: true }).click()]);
    expect(await page.locator('.notice--success').textContent()).toBe('Publishing started.');

    // Live updates: a step change the API reports shows in the page within 2 s, without a reload.
    let reloads = 0;
    page.on('framenavigated', (f) => (f === page.mainFrame() ? reloads++ : undefined));
    const apiSaw = waitForStatus(stack, ids.happy, (s) => s.status === 'WaitingForPublisherReview' || ended(s), 120_000).then((s) => ({ s, at: Date.now() }));
    const pageSaw = page
      .locator('[data-step="signoff"][data-state="WaitingForPublisherReview"]')
      .waitFor({ timeout: 120_000 })
      .then(() => Date.now());
    const [api, pageAt] = await Promise.all([apiSaw, pageSaw]);
    expect(api.s.status).toBe('WaitingForPublisherReview');
    expect(pageAt - api.at).toBeLessThan(2000);
    expect(reloads).toBe(0);
    console.log(`portal: sign-off shown ${pageAt - api.at} ms after the API reported it`);

    for (const step of STEP_IDS.slice(0, 5)) expect(await stepState(page, step)).toBe('Complete');
    expect(await page.locator('[data-step="provision"] .progress-label').textContent()).toBe('8 of 8 regions replicated');
    expect(await page.locator('[data-step="provision"] .region[data-region-state="Complete"]').count()).toBe(8);
    expect(await page.locator('[data-step="certify"] .estimate').getAttribute('data-estimate')).toBe('took');
    expect(await page.locator('[data-step="live"] .estimate').getAttribute('data-estimate')).toMatch(/typical|tooLittle/);
    expect(await page.locator('[data-step="certify"] .time-frame').textContent()).toBe('Less than 5 days');
    expect(await page.getByRole('button', { name: 'Publish again' }).isDisabled()).toBe(true);
    expect(await page.locator('#why-publish').textContent()).toMatch(/in progress/);
    await page.getByRole('link', { name: 'Certification report' }).click();
    expect(await page.locator('table.checks tbody tr').count()).toBeGreaterThan(10);
    expect(await page.locator('table.checks tbody tr.check--Failed').count()).toBe(0);
    await page.goBack();
    await shot(page, 'status-en.png');

    // The language switch, remembered across pages: the same page in Traditional Chinese.
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '繁體中文' }).click()]);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-TW');
    expect(await page.locator('.stepper .step-name').allTextContents()).toEqual(SEED_STEP_NAMES.map((n, i) => `步驟 ${i + 1}/7: ${n}`));
    expect(await page.locator('[data-step="certify"] .time-frame').textContent()).toBe('< 5 天');
    await shot(page, 'status-zh-TW.png');
    await page.getByRole('link', { name: '所有供應項目' }).first().click();
    await shot(page, 'offers-zh-TW.png');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'English' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('All offers of contoso');
    await shot(page, 'offers-en.png');

    // Go live, by keyboard.
    await page.goto(statusPage(ids.happy));
    await page.getByRole('button', { name: 'Go live' }).focus();
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    expect(await page.locator('.notice--success').textContent()).toMatch(/Go live accepted/);
    await page.locator('[data-run-status="Succeeded"]').waitFor({ timeout: 60_000 });
    expect(await stepState(page, 'live')).toBe('Complete');
    const liveLink = page.locator('a[data-live-link]');
    expect(await liveLink.textContent()).toBe('Live page');
    const href = (await liveLink.getAttribute('href'))!;
    expect(href).toBe(`${stack.baseUrl}/api/marketplace/offers/contoso/${ids.happy}`);
    expect((await page.request.get(href, { headers: { accept: 'text/html' } })).status()).toBe(200);
    expect(await page.getByRole('link', { name: 'Publish again' }).isVisible()).toBe(true);
    expect(seen.urls.filter((u) => u.includes(PUBLISHER_KEY))).toEqual([]);
  });

  it('a run waiting for notification e-mails prompts for one, and publishing continues', async () => {
    await waitForStatus(stack, ids.waiting, (s) => s.status === 'WaitingForPublisherInput' || ended(s));
    await page.goto(statusPage(ids.waiting));
    const dialog = page.getByRole('dialog', { name: 'Where should we send status e-mails?' });
    await dialog.waitFor();
    expect(await dialog.evaluate((d) => d.matches(':modal'))).toBe(true);
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('emails');
    await dialog.getByLabel('E-mail addresses').fill('not an address');
    await Promise.all([page.waitForLoadState('load'), dialog.getByRole('button', { name: 'Continue publishing' }).click()]);
    // The browser's own check stops a malformed address; the API's answer is shown when one gets through.
    expect(await stepState(page, 'validate')).toBe('WaitingForPublisherInput');
    await dialog.getByLabel('E-mail addresses').fill(`${ids.waiting}@contoso.example`);
    await Promise.all([page.waitForLoadState('load'), dialog.getByRole('button', { name: 'Continue publishing' }).click()]);
    expect(await page.locator('.notice--success').textContent()).toBe('Thank you. Publishing continues.');
    await page.locator('[data-step="validate"][data-state="Complete"]').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await waitForStatus(stack, ids.waiting, (s) => s.currentStep !== 'validate');
  });

  it('cancel at sign-off with a reason: the status shows Canceled and Publish again is offered; the e-mails are in zh-TW', async () => {
    await waitForStatus(stack, ids.cancel, (s) => s.status === 'WaitingForPublisherReview' || ended(s), 120_000);
    await page.goto(statusPage(ids.cancel));
    await Promise.all([page.waitForURL(/\/cancel$/), page.getByRole('link', { name: 'Cancel publish…' }).click()]);
    await page.getByLabel('Reason (optional)').fill('Wrong image version');
    await Promise.all([page.waitForURL(statusPage(ids.cancel)), page.getByRole('button', { name: 'Yes, cancel publish' }).click()]);
    await page.locator('[data-run-status="Canceled"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-run-status="Canceled"]').textContent()).toBe('Canceled');
    expect(await stepState(page, 'signoff')).toBe('Canceled');
    expect(await page.locator('[data-step="signoff"] .message-text').allTextContents()).toContain('The publish was canceled: Wrong image version');
    await page.getByRole('link', { name: 'Publish again' }).waitFor();
    expect(await page.getByRole('button', { name: 'Go live' }).isDisabled()).toBe(true);
    expect(await page.locator('#why-golive').textContent()).toBe('This publish has ended.');
    // Published with language zh-TW: its e-mails are in Traditional Chinese.
    const mail = await waitForMail((m) => m.to.includes(`${ids.cancel}@contoso.example`) && /已取消/.test(m.subject));
    expect(mail.text).toContain('再次發行時會從步驟 1「驗證必要元件」重新開始。');
    expect((await waitForMail((m) => m.to.includes(`${ids.cancel}@contoso.example`) && /已可供預覽/.test(m.subject))).html).toContain('lang="zh-TW"');
  });

  it('zh-TW from Accept-Language: sign-in and the stepper in the seed\'s words', async () => {
    const zh = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-TW' });
    const zhSeen = watch(zh);
    const p = await zh.newPage();
    await p.goto(portal('/'));
    expect(await p.locator('h1').textContent()).toBe('登入發行入口網站');
    await signIn(p, stack.baseUrl, PUBLISHER_KEY);
    await p.goto(statusPage(ids.happy));
    expect(await p.locator('.stepper .step-name').allTextContents()).toEqual(SEED_STEP_NAMES.map((n, i) => `步驟 ${i + 1}/7: ${n}`));
    expect(await p.locator('[data-run-status]').textContent()).toBe('已上線');
    // Phone width: nothing wider than the screen.
    expect(await p.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await zh.close();
    expect(zhSeen.problems).toEqual([]);
  });

  it('an offer title and description full of markup render as text; no script runs', async () => {
    await waitForStatus(stack, ids.markup, ended);
    await page.goto(portal('/publishers/contoso/offers'));
    const row = page.locator(`tr[data-offer="${ids.markup}"]`);
    expect(await row.locator('.offer-link').textContent()).toBe(MARKUP_TITLE);
    expect(await row.locator('img, b').count()).toBe(0);
    await row.locator('.offer-link').click();
    expect(await page.locator('h1').textContent()).toBe(MARKUP_TITLE);
    expect(await page.locator('main img, h1 b').count()).toBe(0);
    expect(await stepState(page, 'validate')).toBe('Failed');
    expect((await page.locator('[data-step="validate"] .message-text').allTextContents()).join('\n')).toMatch(/description's HTML is not allowed/);
    // The editor shows the same kind of text in form fields, inert.
    await page.goto(portal(`/publishers/contoso/offers/${ids.markup}/editor`));
    await page.locator('#field-description').fill('<script>alert(4)</script>');
    await page.locator('#field-title').fill('"><img src=x onerror=alert(5)>');
    await page.locator('#offer-json').fill(JSON.stringify(offer));
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Validate' }).click()]);
    expect(await page.locator('#field-title').inputValue()).toBe('"><img src=x onerror=alert(5)>');
    expect(await page.locator('#field-description').inputValue()).toBe('<script>alert(4)</script>');
    expect(await page.locator('main img, main script').count()).toBe(0);
    await page.waitForTimeout(500);
  });

  it("another publisher's offer is not reachable by URL: a 403 page, not its data", async () => {
    for (const url of [statusPage(ids.fabrikam, 'fabrikam'), `${statusPage(ids.fabrikam, 'fabrikam')}/certification`, portal('/publishers/fabrikam/offers')]) {
      const res = await page.goto(url);
      expect([url, res!.status()]).toEqual([url, 403]);
      expect(await page.locator('h1').textContent()).toBe('Not allowed');
      expect(await page.content()).not.toContain('Fabrikam secret appliance');
    }
    const live = await page.request.get(portal(`/live/publishers/fabrikam/offers/${ids.fabrikam}`));
    expect(live.status()).toBe(403);
    expect(await live.text()).not.toContain('Fabrikam');
  });

  it('a state-changing request without the CSRF token is refused', async () => {
    await page.goto(statusPage(ids.waiting));
    const cancelUrl = `${statusPage(ids.waiting)}/cancel`;
    const without = await page.request.post(cancelUrl, { form: { reason: 'forged' } });
    expect(without.status()).toBe(403);
    expect(await without.text()).toContain('Form expired');
    const wrong = await page.request.post(cancelUrl, { form: { reason: 'forged', _csrf: 'A'.repeat(43) } });
    expect(wrong.status()).toBe(403);
    const status = await call<PublishStatusBody>(stack, 'GET', `${offerPath(ids.waiting)}/status`);
    expect(status.body.status).not.toBe('Canceled');
    expect(status.body.cancellable).toBe(true);
    // With the page's own token the same request goes through (so the refusal was the token's).
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const withToken = await page.request.post(cancelUrl, { form: { reason: 'test done', _csrf: token }, maxRedirects: 0 });
    expect(withToken.status()).toBe(303);
  });

  it('an operator key switches between publishers; sign-out ends the session on the server', async () => {
    const ops = await browser.newContext({ viewport: DESKTOP });
    const opsSeen = watch(ops);
    const p = await ops.newPage();
    await p.goto(portal('/'));
    await p.locator('#api-key').fill(OPERATOR_KEY);
    await Promise.all([p.waitForURL(portal('/publishers')), p.locator('#api-key').press('Enter')]);
    await Promise.all([p.waitForURL(portal('/publishers/fabrikam/offers')), p.getByRole('link', { name: 'fabrikam' }).click()]);
    expect(await p.locator(`tr[data-offer="${ids.fabrikam}"] .offer-link`).textContent()).toBe('Fabrikam secret appliance');
    await p.getByLabel('Publisher').fill('contoso');
    await Promise.all([p.waitForURL(portal('/publishers/contoso/offers')), p.getByRole('button', { name: 'Switch' }).click()]);
    expect(await p.locator(`tr[data-offer="${ids.happy}"]`).count()).toBe(1);
    const cookie = (await ops.cookies()).find((c) => c.name === 'portal_session')!;
    await Promise.all([p.waitForURL(/sign-in\?signedOut=1/), p.getByRole('button', { name: 'Sign out' }).click()]);
    // The old cookie, replayed, no longer opens anything.
    const replay = await fetch(portal('/publishers/contoso/offers'), { headers: { cookie: `portal_session=${cookie.value}` }, redirect: 'manual' });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toMatch(/\/portal\/sign-in/);
    await ops.close();
    expect(opsSeen.problems).toEqual([]);
  });

  it('the step durations behind the estimates come from closed runs (GET …/step-durations)', async () => {
    const deadline = Date.now() + 20_000;
    let body: { publisher: { runs: number; steps: Record<string, { samples: number; medianMs: number; p90Ms: number }> } } | undefined;
    while (Date.now() < deadline) {
      body = (await call(stack, 'GET', '/api/publishers/contoso/step-durations')).body;
      if ((body?.publisher.steps.live?.samples ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    // The run that went live above is among them, with every step but sign-off.
    expect(body!.publisher.steps.live!.samples).toBeGreaterThanOrEqual(1);
    expect(body!.publisher.steps.provision!.p90Ms).toBeGreaterThanOrEqual(body!.publisher.steps.provision!.medianMs);
    expect(body!.publisher.steps.signoff).toBeUndefined();
  });
});
