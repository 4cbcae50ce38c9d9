/**
 * The seven steps as a vertical stepper: each with its state, times, expected time frame, an
 * estimate from past runs, the overdue mark, progress (regions), the test lead's outcome, failed
 * certification checks as a table, and its messages with their field paths.
 */
import { html, type SafeHtml } from '../../lib/html/escape';
import type { StepState } from '../../domain/status';
import { stepTexts } from '../../domain/step-texts';
import type { CertificationCheck } from '../../domain/certification';
import { estimateFor } from '../estimates';
import type { ViewContext } from './layout';
import { badge, formatDuration, timeTag } from './format';
import { messageList } from './messages';
import { ENDED, type StatusView } from './status-model';

export function stepsRegion(ctx: ViewContext, v: StatusView): SafeHtml {
  return html`<section class="steps" aria-labelledby="steps-heading">
  <h2 id="steps-heading">${ctx.t.stepsHeading}</h2>
  <ol class="stepper">${v.status.steps.map((step, i) => stepItem(ctx, v, step, i + 1))}</ol>
</section>`;
}

function stepItem(ctx: ViewContext, v: StatusView, step: StepState, n: number): SafeHtml {
  const { t } = ctx;
  const texts = stepTexts(step.id, ctx.lang);
  const current = v.status.currentStep === step.id;
  const failedChecks = step.id === 'certify' && step.status === 'Failed' ? (v.report?.checks.filter((c) => c.result === 'Failed') ?? []) : [];
  // The failed checks' table says what their Error messages say, in columns.
  const messages = failedChecks.length ? step.messages.filter((m) => m.level !== 'Error') : step.messages;
  return html`<li class="step step--${step.status}${current ? ' step--current' : ''}" data-step="${step.id}" data-state="${step.status}"${current ? html` aria-current="step"` : ''}>
  <div class="step-head">
    <span class="step-number" aria-hidden="true">${n}</span>
    <h3 class="step-name"><span class="visually-hidden">${t.stepNumber(n)}: </span>${texts.stepName}</h3>
    ${badge(step.status, t.stepStatus[step.status])}
    ${step.overdue ? badge('overdue', t.overdue) : ''}
  </div>
  <div class="step-body">
    <p class="step-description">${texts.description}</p>
    <dl class="facts step-facts">
      <div><dt>${t.timeFrame}</dt><dd class="time-frame">${texts.estimatedTimeFrame}</dd></div>
      ${step.startedAt ? html`<div><dt>${t.started}</dt><dd>${timeTag(step.startedAt)}</dd></div>` : ''}
      ${step.completedAt ? html`<div><dt>${t.ended}</dt><dd>${timeTag(step.completedAt)}</dd></div>` : ''}
      ${estimate(ctx, v, step)}
    </dl>
    ${step.id === 'provision' ? provisioning(ctx, v) : ''}
    ${step.id === 'package' && v.status.leadDelivery ? leadDelivery(ctx, v) : ''}
    ${failedChecks.length ? checksTable(ctx, failedChecks, t.failedChecksCaption) : ''}
    ${messageList(t, messages)}
  </div>
</li>`;
}

function estimate(ctx: ViewContext, v: StatusView, step: StepState): SafeHtml {
  const { t } = ctx;
  const e = estimateFor(step, ENDED.has(v.status.status), v.durations);
  const source = (scope: 'publisher' | 'all', samples: number) => (scope === 'publisher' ? t.estSourcePublisher(samples) : t.estSourceAll(samples));
  if (e.kind === 'none') return html``;
  if (e.kind === 'took') return html`<div><dt>${t.duration}</dt><dd class="estimate" data-estimate="took">${formatDuration(e.ms, t)}</dd></div>`;
  let text: SafeHtml | string;
  switch (e.kind) {
    case 'unavailable':
      text = t.estUnavailable;
      break;
    case 'tooLittle':
      text = t.estTooLittle(e.samples);
      break;
    case 'typical':
      text = t.estTypical(formatDuration(e.stats.medianMs, t), formatDuration(e.stats.p90Ms, t), source(e.scope, e.stats.samples));
      break;
    case 'finish':
      text = t.estFinish(timeTag(e.medianAt), timeTag(e.p90At), source(e.scope, e.stats.samples));
      break;
  }
  return html`<div><dt>${t.estimate}</dt><dd class="estimate" data-estimate="${e.kind}">${text}</dd></div>`;
}

function provisioning(ctx: ViewContext, v: StatusView): SafeHtml {
  const p = v.status.provisioning;
  if (!p) return html``;
  const { t } = ctx;
  const regions = Object.entries(p.regions);
  return html`<div class="provisioning">
  <p class="progress-label" id="regions-progress">${t.regionsProgress(p.regionsDone, p.regionsTotal)}</p>
  <progress max="${p.regionsTotal}" value="${p.regionsDone}" aria-labelledby="regions-progress">${p.regionsDone}/${p.regionsTotal}</progress>
  <h4 class="visually-hidden">${t.regionsHeading}</h4>
  <ul class="region-grid">${regions.map(
    ([region, state]) => html`<li class="region region--${state}" data-region-state="${state}"><span class="region-name">${region}</span> <span class="region-state">${t.regionState[state]}</span></li>`,
  )}</ul>
</div>`;
}

function leadDelivery(ctx: ViewContext, v: StatusView): SafeHtml {
  const lead = v.status.leadDelivery!;
  const { t } = ctx;
  return html`<div class="lead lead--${lead.delivered ? 'delivered' : 'not-delivered'}">
  <h4>${t.leadHeading}</h4>
  <p>${badge(lead.delivered ? 'Complete' : 'Failed', lead.delivered ? t.leadDelivered(lead.destination) : t.leadNotDelivered(lead.destination))} ${timeTag(lead.at)}</p>
  <p class="lead-detail">${lead.detail}</p>
</div>`;
}

/** Certification checks as a table; also the whole report on the Certification report tab. */
export function checksTable(ctx: ViewContext, checks: readonly CertificationCheck[], caption: string): SafeHtml {
  const { t } = ctx;
  return html`<div class="table-scroll" role="region" aria-label="${caption}" tabindex="0"><table class="checks">
  <caption>${caption}</caption>
  <thead><tr><th scope="col">${t.colTest}</th><th scope="col">${t.colName}</th><th scope="col">${t.colDisk}</th><th scope="col">${t.colResult}</th><th scope="col">${t.colActual}</th><th scope="col">${t.colRequired}</th><th scope="col">${t.colRemediation}</th></tr></thead>
  <tbody>${checks.map(
    (c) => html`<tr class="check check--${c.result}"><th scope="row"><code>${c.testId}</code></th><td>${c.name}</td><td>${c.disk ?? ''}</td><td>${badge(c.result, t.checkResult[c.result])}</td><td>${c.actualValue}</td><td>${c.requiredValue}</td><td>${c.remediation}</td></tr>`,
  )}</tbody>
</table></div>`;
}
