/** The Certification report tab: the latest run's whole report as a table. */
import { html, type SafeHtml } from '../../lib/html/escape';
import type { CertificationReport } from '../../domain/certification';
import type { ViewContext } from './layout';
import { badge, formatBytes, timeTag } from './format';
import { offerHeader } from './offer-header';
import { checksTable } from './steps';

export function certificationBody(
  ctx: ViewContext,
  v: { publisherId: string; offerId: string; title: string; report?: CertificationReport },
): SafeHtml {
  const { t } = ctx;
  const header = offerHeader(ctx, v, t.certHeading(v.title), 'certification');
  if (!v.report) return html`${header}<p class="empty">${t.certNone}</p>`;
  const r = v.report;
  return html`${header}
<dl class="facts card">
  <div><dt>${t.colResult}</dt><dd>${badge(r.passed ? 'Passed' : 'Failed', t.certOutcome(r.passed))}</dd></div>
  <div><dt>${t.started}</dt><dd>${timeTag(r.startedAt)}</dd></div>
  <div><dt>${t.ended}</dt><dd>${timeTag(r.completedAt)}</dd></div>
  <div><dt>${t.runIdLabel}</dt><dd><code class="run-id">${r.runId}</code></dd></div>
</dl>
<p>${t.certSummary(r.checks.length, formatBytes(r.bytesRead, t))}</p>
${checksTable(ctx, r.checks, t.certCaption)}`;
}
