/** The live page's deprecation banner: per deprecation its date, reason and alternative (escaped like all page text). */
import { describeScope, type CatalogDeprecation, type DeprecationReason } from '../../domain/deprecation';
import { html, type SafeHtml } from '../html/escape';
import type { ProductPage } from './model';

const REASON_TEXT: Record<DeprecationReason, string> = {
  criticalSecurityIssue: 'a critical security issue',
  endOfSupport: 'end of support',
  other: 'a decision of the publisher',
};

function alternativeText(d: CatalogDeprecation): string {
  const a = d.alternative;
  if (!a?.offerId && !a?.skuId) return '';
  return ` Alternative: ${[a.offerId && `offer ${a.offerId}`, a.skuId && `plan ${a.skuId}`].filter(Boolean).join(', ')}.`;
}

/** One sentence per deprecation, the same in the HTML banner and for tests reading it. */
export function deprecationSentence(d: CatalogDeprecation): string {
  const what = describeScope(d.scope);
  const subject = what.charAt(0).toUpperCase() + what.slice(1);
  const when =
    d.state === 'Effective'
      ? `${subject} was deprecated on ${d.effectiveAt} and is no longer available to new customers; existing deployments keep running.`
      : `${subject} will be deprecated on ${d.effectiveAt}: from then on it is no longer available to new customers.`;
  return `${when} Reason: ${REASON_TEXT[d.reason]}.${d.text ? ` ${d.text}` : ''}${alternativeText(d)}`;
}

export function renderDeprecationBanner(page: ProductPage): SafeHtml | '' {
  if (!page.deprecations?.length) return '';
  return html`<div class="banner deprecated" role="alert">${page.deprecations.map((d) => html`<p data-deprecation-state="${d.state}">${deprecationSentence(d)}</p>`)}</div>`;
}
