/** The Status tab's history (events with who caused them) and, at sign-off, the changes Go live makes. */
import { PublishRun } from '../../workflows/publish-run';
import type { Language } from '../../domain/languages';
import type { ChangesBody, HistoryPage } from '../../domain/history';
import { messagesFor } from '../../portal/i18n';
import type { ViewContext } from '../../portal/views/layout';
import { statusRegions } from '../../portal/views/status';

const ctx = (lang: Language = 'en'): ViewContext => ({ lang, t: messagesFor(lang), csrfToken: 't', assets: { css: '/c.css', js: '/j.js', icon: '/i.svg' }, path: '/portal/x' });
const status = new PublishRun({ publisherId: 'contoso', offerId: 'web', runId: 'run-1', notificationEmails: [], supportUrl: 'https://support.example/new' }).snapshot();

const history: HistoryPage = {
  runs: [],
  events: [
    { id: 'run-1:3', type: 'publish.cancel.requested', actor: 'publisher:contoso', at: '2026-01-01T10:00:02.000Z', runId: 'run-1', step: 'signoff', status: 'WaitingForPublisherReview', reason: 'The publish was canceled: <b>price</b>' },
    { id: 'run-1:2', type: 'publish.go_live.requested', actor: 'operator', at: '2026-01-01T10:00:01.000Z', runId: 'run-1', step: 'signoff', status: 'WaitingForPublisherReview' },
    { id: 'run-1:1', type: 'publish.step.completed', actor: 'system', at: '2026-01-01T10:00:00.000Z', runId: 'run-1', step: 'validate', status: 'Running' },
  ],
};
const changes: ChangesBody = {
  live: true,
  draftRunId: 'run-2',
  changes: [
    { path: 'skus[0].diskVersions[0].osVhdUrl', change: 'changed' },
    { path: 'title', change: 'changed', from: 'Old', to: 'New <i>title</i>' },
  ],
};

describe('portal history and changes', () => {
  it('lists events newest first with their actor, escaped', () => {
    const html = statusRegions(ctx(), { publisherId: 'contoso', offerId: 'web', title: 'Web', status, history }).history.value;
    expect(html.match(/data-event="([^"]+)"/g)).toEqual(['data-event="publish.cancel.requested"', 'data-event="publish.go_live.requested"', 'data-event="publish.step.completed"']);
    expect(html).toContain('publisher contoso');
    expect(html).toContain('an operator');
    expect(html).toContain('the pipeline');
    expect(html).toContain('&lt;b&gt;price&lt;/b&gt;');
    expect(statusRegions(ctx('zh-TW'), { publisherId: 'contoso', offerId: 'web', title: 'Web', status, history }).history.value).toContain('營運人員');
  });

  it('shows what Go live changes, secrets without values, and nothing without changes', () => {
    const html = statusRegions(ctx(), { publisherId: 'contoso', offerId: 'web', title: 'Web', status, changes }).changes.value;
    expect(html).toContain('data-change-path="title"');
    expect(html).toContain('New &lt;i&gt;title&lt;/i&gt;');
    expect(html).toMatch(/data-change-path="skus\[0\]\.diskVersions\[0\]\.osVhdUrl"[\s\S]*changed \(value not shown\)/);
    expect(statusRegions(ctx(), { publisherId: 'contoso', offerId: 'web', title: 'Web', status }).changes.value).toBe('');
    expect(statusRegions(ctx(), { publisherId: 'contoso', offerId: 'web', title: 'Web', status, changes: { ...changes, changes: [] } }).changes.value).toContain('No field differs');
  });
});
