/** All offers: each offer's latest publish (title, status, current step, last update), filtered by status. */
import { html, type SafeHtml } from '../../lib/html/escape';
import { RUN_STATUSES, type RunStatus } from '../../domain/status';
import { STEP_IDS, type StepId } from '../../domain/steps';
import { stepTexts } from '../../domain/step-texts';
import type { OfferSummary } from '../../api/publish-gateway';
import { portalPaths } from '../paths';
import type { ViewContext } from './layout';
import { badge, timeTag } from './format';
import { regionContainer, type LiveReply } from './regions';

export interface OffersView {
  publisherId: string;
  offers: OfferSummary[];
  filter?: RunStatus;
}

const isRunStatus = (s: string): s is RunStatus => (RUN_STATUSES as readonly string[]).includes(s);
const isStepId = (s: string): s is StepId => (STEP_IDS as readonly string[]).includes(s);

export function offersRegions(ctx: ViewContext, v: OffersView): { table: SafeHtml } {
  const { t } = ctx;
  const shown = v.filter ? v.offers.filter((o) => o.status === v.filter) : v.offers;
  if (v.offers.length === 0) return { table: html`<p class="empty">${t.noOffers}</p>` };
  if (shown.length === 0) return { table: html`<p class="empty">${t.noOffersWithStatus}</p>` };
  const row = (o: OfferSummary) => {
    const step = isStepId(o.currentStep) ? html`${STEP_IDS.indexOf(o.currentStep) + 1}. ${stepTexts(o.currentStep, ctx.lang).stepName}` : html`${o.currentStep}`;
    return html`<tr data-offer="${o.offerId}">
  <th scope="row"><a href="${portalPaths.offer(v.publisherId, o.offerId)}" class="offer-link">${o.title}</a> <code class="offer-id">${o.offerId}</code></th>
  <td>${badge(o.status, isRunStatus(o.status) ? t.runStatus[o.status] : o.status)}</td>
  <td>${step}</td>
  <td>${timeTag(o.updatedAt)}</td>
</tr>`;
  };
  return {
    table: html`<div class="table-scroll" role="region" aria-labelledby="offers-caption" tabindex="0"><table class="offers">
  <caption id="offers-caption">${t.offersCaption(shown.length, v.offers.length)}</caption>
  <thead><tr><th scope="col">${t.colOffer}</th><th scope="col">${t.colStatus}</th><th scope="col">${t.colStep}</th><th scope="col">${t.colUpdated}</th></tr></thead>
  <tbody>${shown.map(row)}</tbody>
</table></div>`,
  };
}

export function offersBody(ctx: ViewContext, v: OffersView, reply: LiveReply): SafeHtml {
  const { t } = ctx;
  return html`<div class="page-head">
  <h1>${t.offersHeading(v.publisherId)}</h1>
  <a class="button primary" href="${portalPaths.newOffer(v.publisherId)}">${t.newOffer}</a>
</div>
<form method="get" action="${portalPaths.offers(v.publisherId)}" class="filter">
  <label for="status-filter">${t.filterStatus}</label>
  <select id="status-filter" name="status">
    <option value="">${t.anyStatus}</option>
    ${RUN_STATUSES.map((s) => html`<option value="${s}"${s === v.filter ? html` selected` : ''}>${t.runStatus[s]}</option>`)}
  </select>
  <button type="submit">${t.applyFilter}</button>
</form>
${regionContainer(reply, 'table')}`;
}

export const parseStatusFilter = (value: unknown): RunStatus | undefined => (typeof value === 'string' && isRunStatus(value) ? value : undefined);
