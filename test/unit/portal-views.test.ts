/**
 * The portal's server-rendered views: the Status tab's stepper, actions and prompt from a status
 * body, escaping of everything that comes from an offer, both languages, live-region versions.
 */
import { PublishRun } from '../../workflows/publish-run';
import type { Language } from '../../domain/languages';
import type { CertificationReport } from '../../domain/certification';
import { messagesFor } from '../../portal/i18n';
import type { ViewContext } from '../../portal/views/layout';
import { statusRegions } from '../../portal/views/status';
import { offersRegions } from '../../portal/views/offers';
import { liveReply } from '../../portal/views/regions';

const ctx = (lang: Language = 'en'): ViewContext => ({
  lang,
  t: messagesFor(lang),
  csrfToken: 'token-1',
  assets: { css: '/c.css', js: '/j.js', icon: '/i.svg' },
  path: '/portal/x',
});

function runAtProvision() {
  const run = new PublishRun({ publisherId: 'contoso', offerId: 'web', runId: 'run-1', notificationEmails: ['a@x.example'], supportUrl: 'https://support.example/new' });
  run.startStep('validate');
  run.addFindings('validate', [{ level: 'Warning', field: 'categories[1]', text: 'Category "<script>alert(1)</script>" is repeated.' }]);
  run.completeStep('validate');
  run.startStep('certify');
  run.completeStep('certify');
  run.startStep('provision');
  run.setRegions(['eastus', 'westus', 'japaneast']);
  run.setRegionState('eastus', 'Complete');
  run.setRegionState('westus', 'Copying');
  run.markOverdue('provision');
  return run;
}

const view = (run: PublishRun, extra = {}) => ({ publisherId: 'contoso', offerId: 'web', title: 'Web <b>App</b>', status: run.snapshot(), ...extra });
const text = (regions: Record<string, { value: string }>) => Object.values(regions).map((r) => r.value).join('\n');

describe('portal status view', () => {
  it('renders each step with its state, time frame, overdue mark, region progress and messages with field paths, escaped', () => {
    const html = text(statusRegions(ctx(), view(runAtProvision())));
    expect(html).toContain('data-step="provision" data-state="InProgress" aria-current="step"');
    expect(html).toContain('<span class="badge badge--overdue">Overdue</span>');
    expect(html).toContain('1 of 3 regions replicated');
    expect(html.match(/class="region region--/g)).toHaveLength(3);
    expect(html).toContain('data-region-state="Copying"');
    expect(html).toContain('<code class="field-path">categories[1]</code>');
    expect(html).toContain('Category &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; is repeated.');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<dd class="time-frame">Less than 1 day</dd>');
  });

  it('enables only what the workflow accepts now, and says why the rest is not possible', () => {
    const html = statusRegions(ctx(), view(runAtProvision())).actions.value;
    expect(html).toMatch(/<button type="button" disabled aria-describedby="why-golive">Go live<\/button><p class="why" id="why-golive">Go live is possible once/);
    expect(html).toContain('href="/portal/publishers/contoso/offers/web/cancel"');
    expect(html).toMatch(/disabled aria-describedby="why-publish">Publish again<\/button><p class="why" id="why-publish">A publish is in progress/);

    const atSignoff = runAtProvision();
    for (const r of ['westus', 'japaneast']) atSignoff.setRegionState(r, 'Complete');
    for (const s of ['provision', 'package', 'preview'] as const) {
      if (s !== 'provision') atSignoff.startStep(s);
      atSignoff.completeStep(s);
    }
    atSignoff.startStep('signoff');
    atSignoff.waitForPublisher('signoff', 'WaitingForPublisherReview');
    const actions = statusRegions(ctx(), view(atSignoff)).actions.value;
    expect(actions).toContain('<form method="post" action="/portal/publishers/contoso/offers/web/golive"><input type="hidden" name="_csrf" value="token-1"><button type="submit" class="primary">Go live</button>');

    atSignoff.cancel('The publish was canceled.');
    const ended = statusRegions(ctx(), view(atSignoff)).actions.value;
    expect(ended).toContain('href="/portal/publishers/contoso/offers/web/editor">Publish again</a>');
    expect(ended).toContain('id="why-cancel">This publish has ended.');
  });

  it('prompts for notification e-mails only while the run waits for them', () => {
    const run = new PublishRun({ publisherId: 'contoso', offerId: 'web', runId: 'run-2', notificationEmails: [], supportUrl: 'https://s.example' });
    run.startStep('validate');
    expect(statusRegions(ctx(), view(run)).prompt.value).toBe('');
    run.waitForPublisher('validate', 'WaitingForPublisherInput');
    const prompt = statusRegions(ctx(), view(run, { emails: { value: '"><x', errors: ['"><x: must be a valid e-mail address'] } })).prompt.value;
    expect(prompt).toContain('<dialog id="emails-dialog" class="prompt" open data-auto-open="run-2"');
    expect(prompt).toContain('value="&quot;&gt;&lt;x"');
    expect(prompt).toContain('<li>&quot;&gt;&lt;x: must be a valid e-mail address</li>');
  });

  it('shows failed certification checks as a table (actual, required, how to fix) instead of repeating them as messages', () => {
    const failing = new PublishRun({ publisherId: 'contoso', offerId: 'web', runId: 'run-3', notificationEmails: [], supportUrl: 'https://s.example' });
    failing.startStep('certify');
    failing.failStep('certify', [{ level: 'Error', text: 'VHD-003 Fixed-size VHD: Failed. …' }, { level: 'Warning', text: 'LNX-100 rootdelay: Warning' }]);
    const report: CertificationReport = {
      publisherId: 'contoso', offerId: 'web', runId: 'run-3', startedAt: '', completedAt: '', passed: false, bytesRead: 1,
      checks: [
        { testId: 'VHD-001', name: 'Footer', result: 'Passed', actualValue: 'ok', requiredValue: 'ok', remediation: '' },
        { testId: 'VHD-003', name: 'Fixed-size VHD', result: 'Failed', actualValue: 'Dynamic <3>', requiredValue: 'Fixed', remediation: 'Convert it.' },
      ],
    };
    const steps = statusRegions(ctx(), view(failing, { report })).steps.value;
    expect(steps).toContain('<caption>Certification checks that failed</caption>');
    expect(steps).toContain('<td>Dynamic &lt;3&gt;</td><td>Fixed</td><td>Convert it.</td>');
    expect(steps).not.toContain('VHD-001');
    expect(steps).not.toContain('VHD-003 Fixed-size VHD: Failed. …');
    expect(steps).toContain('LNX-100 rootdelay: Warning');
  });

  it('estimates when the running step ends from past durations', () => {
    const run = runAtProvision();
    const durations = { publisher: { runs: 0, steps: {} }, all: { runs: 5, steps: { provision: { samples: 5, medianMs: 60_000, p90Ms: 300_000 } } } };
    const steps = statusRegions(ctx(), view(run, { durations })).steps.value;
    const startedAt = run.step('provision').startedAt!;
    const at = (ms: number) => new Date(Date.parse(startedAt) + ms).toISOString();
    expect(steps).toContain(`Expected to finish around <time datetime="${at(60_000)}" data-local>`);
    expect(steps).toContain(`90 % of runs by <time datetime="${at(300_000)}" data-local>`);
    expect(steps).toContain('(from all publishers&#39; last 5 runs)');
    expect(steps).toContain('Too little history to estimate yet (no past run).');
  });

  it('speaks Traditional Chinese with the seed\'s step names and time frames', () => {
    const steps = statusRegions(ctx('zh-TW'), view(runAtProvision())).steps.value;
    const names = [...steps.matchAll(/<span class="visually-hidden">步驟 \d\/7: <\/span>([^<]+)<\/h3>/g)].map((m) => m[1]);
    expect(names).toEqual(['驗證必要元件', '認證', '佈建', '封裝和潛在客戶開發註冊', '供應項目可供預覽', '發行者登出', '上線']);
    expect(steps).toContain('<dd class="time-frame">&lt; 5 天</dd>');
    expect(steps).toContain('已逾時');
  });

  it('versions each live region by its markup: only what changed is sent as changed', () => {
    const run = runAtProvision();
    const before = liveReply(statusRegions(ctx(), view(run)));
    expect(liveReply(statusRegions(ctx(), view(run))).version).toBe(before.version);
    run.setRegionState('japaneast', 'Copying');
    const after = liveReply(statusRegions(ctx(), view(run)));
    expect(after.version).not.toBe(before.version);
    expect(after.regions.steps.version).not.toBe(before.regions.steps.version);
    expect(after.regions.actions.version).toBe(before.regions.actions.version);
  });
});

describe('portal offers view', () => {
  const offers = [
    { offerId: 'a', title: '<img src=x onerror=alert(1)>', status: 'Failed', currentStep: 'validate', updatedAt: '2025-01-01T00:00:00.000Z' },
    { offerId: 'b', title: 'B', status: 'Succeeded', currentStep: 'live', updatedAt: '2025-01-02T00:00:00.000Z' },
  ];

  it('lists titles as text with status and step, and filters by status', () => {
    const all = offersRegions(ctx(), { publisherId: 'contoso', offers }).table.value;
    expect(all).toContain('>&lt;img src=x onerror=alert(1)&gt;</a>');
    expect(all).toContain('<span class="badge badge--Succeeded">Live</span>');
    expect(all).toContain('7. Live');
    expect(all).toContain('<caption id="offers-caption">2 offers</caption>');
    const failed = offersRegions(ctx(), { publisherId: 'contoso', offers, filter: 'Failed' }).table.value;
    expect(failed).toContain('1 of 2 offers');
    expect(failed).not.toContain('data-offer="b"');
    expect(offersRegions(ctx('zh-TW'), { publisherId: 'contoso', offers, filter: 'Canceled' }).table.value).toContain('沒有此狀態的供應項目。');
  });
});
