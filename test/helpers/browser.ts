/**
 * A real browser for the portal tests: Debian's `chromium` package (.ci/run installs it; no browser
 * download), driven by playwright-core. One browser per test file; a context per visitor.
 */
import * as fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--disable-dev-shm-usage'] });
}

/**
 * Records what must never happen on a portal page: a JavaScript dialog (an injected alert), a page
 * error, a console error (CSP and Trusted Types violations are reported there), and every URL
 * requested (the API key must never be in one).
 */
export function watch(context: BrowserContext): { problems: string[]; urls: string[] } {
  const seen = { problems: [] as string[], urls: [] as string[] };
  const onPage = (page: Page) => {
    page.on('dialog', (d) => {
      seen.problems.push(`dialog ${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (err) => seen.problems.push(`page error: ${err.message}`));
    page.on('console', (m) => {
      // An error page's own status is reported too; statuses are checked below, per kind of resource.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource:')) seen.problems.push(`console error: ${m.text()}`);
    });
  };
  context.on('page', onPage);
  context.on('request', (r) => seen.urls.push(r.url()));
  // Pages may answer 400/403/404 on purpose; their scripts, styles and icons may not fail.
  context.on('response', (r) => {
    const kind = r.request().resourceType();
    if (r.status() >= 400 && kind !== 'document' && kind !== 'fetch') seen.problems.push(`${kind} ${r.url()}: HTTP ${r.status()}`);
  });
  context.on('requestfailed', (r) => {
    // A poll still in flight when the page navigates is aborted, as it should be.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') seen.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  return seen;
}

export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/portal/`);
  await page.locator('#api-key').fill(key);
  await Promise.all([page.waitForURL(/\/portal\/publishers/), page.locator('#api-key').press('Enter')]);
}
