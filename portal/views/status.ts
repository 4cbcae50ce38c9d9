/**
 * The Status tab: the run at a glance, what the publisher can do now (each action enabled only
 * when the workflow accepts it, with the reason when not), links, the e-mail prompt, and the seven
 * steps. It is made of regions: the page renders them all, and the live-update JSON renders the same
 * regions again, so the browser swaps in exactly what a reload would show.
 */
import { html, type SafeHtml } from '../../lib/html/escape';
import type { PublishStatusBody } from '../../domain/status';
import { stepTexts } from '../../domain/step-texts';
import { portalPaths } from '../paths';
import type { ViewContext } from './layout';
import { badge, csrfField, timeTag } from './format';
import { offerHeader } from './offer-header';
import { stepsRegion } from './steps';
import { changesRegion, historyRegion } from './history';
import { availableActions, type StatusView } from './status-model';
import { regionContainer, type LiveReply } from './regions';

export type StatusRegions = Record<'announce' | 'prompt' | 'summary' | 'actions' | 'links' | 'changes' | 'steps' | 'history', SafeHtml>;

export function statusRegions(ctx: ViewContext, v: StatusView): StatusRegions {
  return {
    announce: announce(ctx, v),
    prompt: emailsPrompt(ctx, v),
    summary: summary(ctx, v),
    actions: actions(ctx, v),
    links: links(ctx, v),
    changes: changesRegion(ctx, v),
    steps: stepsRegion(ctx, v),
    history: historyRegion(ctx, v),
  };
}

/** The page body around the regions (rendered into `reply` by statusRegions). */
export function statusBody(ctx: ViewContext, v: StatusView, reply: LiveReply): SafeHtml {
  const region = (name: keyof StatusRegions, attributes?: SafeHtml) => regionContainer(reply, name, attributes);
  return html`${offerHeader(ctx, v, v.title, 'status')}
${region('announce', html` class="visually-hidden" role="status" aria-live="polite"`)}
${region('prompt')}
<div class="status-top">
${region('summary')}
${region('actions')}
</div>
${region('links')}
${region('changes')}
${region('steps')}
${region('history')}`;
}

function stepName(ctx: ViewContext, id: PublishStatusBody['currentStep']): string {
  return stepTexts(id, ctx.lang).stepName;
}

function announce(ctx: ViewContext, v: StatusView): SafeHtml {
  return html`${ctx.t.announce(ctx.t.runStatus[v.status.status], stepName(ctx, v.status.currentStep))}`;
}

function summary(ctx: ViewContext, { status: s }: StatusView): SafeHtml {
  const { t } = ctx;
  const n = s.steps.findIndex((st) => st.id === s.currentStep) + 1;
  return html`<section class="card summary" aria-labelledby="summary-heading">
  <h2 id="summary-heading">${t.summaryHeading}</h2>
  <dl class="facts">
    <div><dt>${t.runStatusLabel}</dt><dd data-run-status="${s.status}">${badge(s.status, t.runStatus[s.status])}</dd></div>
    <div><dt>${t.currentStepLabel}</dt><dd>${t.stepNumber(n)}: ${stepName(ctx, s.currentStep)}</dd></div>
    <div><dt>${t.startedLabel}</dt><dd>${timeTag(s.startedAt)}</dd></div>
    <div><dt>${t.updatedLabel}</dt><dd>${timeTag(s.updatedAt)}</dd></div>
    <div><dt>${t.runIdLabel}</dt><dd><code class="run-id">${s.runId}</code></dd></div>
  </dl>
</section>`;
}

function actions(ctx: ViewContext, v: StatusView): SafeHtml {
  const { t } = ctx;
  const { publisherId, offerId, status: s } = v;
  const can = availableActions(s);
  const why = (id: string, text: string) => html`<p class="why" id="${id}">${text}</p>`;
  const disabled = (label: string, id: string, reason: string) =>
    html`<div class="action"><button type="button" disabled aria-describedby="${id}">${label}</button>${why(id, reason)}</div>`;

  const goLive = can.goLive
    ? html`<div class="action"><form method="post" action="${portalPaths.goLive(publisherId, offerId)}">${csrfField(ctx.csrfToken)}<button type="submit" class="primary">${t.goLive}</button></form></div>`
    : disabled(t.goLive, 'why-golive', can.ended ? t.reasonEnded : can.goLiveAccepted ? t.reasonGoLiveAccepted : t.reasonGoLiveNotYet);
  const cancel = can.cancel
    ? html`<div class="action"><a class="button danger" href="${portalPaths.cancel(publisherId, offerId)}">${t.cancelPublish}…</a></div>`
    : disabled(t.cancelPublish, 'why-cancel', can.ended ? t.reasonEnded : t.reasonCancelAfterGoLive);
  const again = can.publishAgain
    ? html`<div class="action"><a class="button" href="${portalPaths.editor(publisherId, offerId)}">${t.publishAgain}</a></div>`
    : disabled(t.publishAgain, 'why-publish', t.reasonPublishInProgress);
  const emails = can.giveEmails
    ? html`<div class="action"><a class="button primary" href="#emails-dialog" data-open-dialog="emails-dialog">${t.giveEmails}…</a></div>`
    : html``;
  return html`<section class="card actions" aria-labelledby="actions-heading">
  <h2 id="actions-heading">${t.actionsHeading}</h2>
  ${emails}${goLive}${cancel}${again}
</section>`;
}

function links(ctx: ViewContext, v: StatusView): SafeHtml {
  const { t } = ctx;
  const { publisherId, offerId, status: s } = v;
  const items: SafeHtml[] = [];
  if (s.previewLinks.length) items.push(html`<li><a href="${portalPaths.preview(publisherId, offerId)}">${t.previewLink}</a></li>`);
  for (const url of s.liveLinks) items.push(html`<li><a href="${url}" data-live-link>${t.liveLink}</a> <code class="url">${url}</code></li>`);
  items.push(html`<li><a href="${s.supportUrl}" rel="noopener noreferrer">${t.supportLink}</a></li>`);
  return html`<nav class="links" aria-label="${t.linksHeading}"><ul>${items}</ul></nav>`;
}

/**
 * The seed's pop-up: after validation, the run asks where to send status e-mails. Rendered open
 * (a plain form without script); the client script makes it a modal dialog.
 */
function emailsPrompt(ctx: ViewContext, v: StatusView): SafeHtml {
  const { t } = ctx;
  if (!availableActions(v.status).giveEmails) return html``;
  const errors = v.emails?.errors ?? [];
  return html`<dialog id="emails-dialog" class="prompt" open data-auto-open="${v.status.runId}" aria-labelledby="emails-heading">
  <h2 id="emails-heading">${t.emailsHeading}</h2>
  <p>${t.emailsIntro}</p>
  <form method="post" action="${portalPaths.notificationEmails(v.publisherId, v.offerId)}">
    ${csrfField(ctx.csrfToken)}
    <label for="emails">${t.emailsLabel}</label>
    <input id="emails" name="emails" type="email" multiple required autocomplete="email" value="${v.emails?.value ?? ''}"
      aria-describedby="emails-hint${errors.length ? ' emails-errors' : ''}"${errors.length ? html` aria-invalid="true"` : ''}>
    <p class="hint" id="emails-hint">${t.emailsHint}</p>
    ${errors.length ? html`<ul class="field-errors" id="emails-errors">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
    <div class="buttons">
      <button type="submit" class="primary">${t.emailsSubmit}</button>
      <button type="button" class="js-only" data-close-dialog hidden>${t.later}</button>
    </div>
  </form>
</dialog>`;
}
