/** The top of every offer page: where it is, its title and id, and the tabs (Status, Editor, Certification report). */
import { html, type SafeHtml } from '../../lib/html/escape';
import { portalPaths } from '../paths';
import type { ViewContext } from './layout';

export type OfferTab = 'status' | 'editor' | 'certification' | 'other';

export function offerHeader(ctx: ViewContext, ids: { publisherId: string; offerId: string }, heading: string, tab: OfferTab): SafeHtml {
  const { t } = ctx;
  const { publisherId, offerId } = ids;
  const tabLink = (which: OfferTab, href: string, label: string) =>
    html`<li><a href="${href}"${which === tab ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav class="breadcrumb" aria-label="Breadcrumb"><a href="${portalPaths.offers(publisherId)}">${t.allOffers}</a></nav>
<h1 class="offer-title">${heading}</h1>
<p class="offer-id"><code>${publisherId}/${offerId}</code></p>
<nav class="tabs" aria-label="${t.offerTabs}"><ul>
  ${tabLink('status', portalPaths.offer(publisherId, offerId), t.tabStatus)}
  ${tabLink('editor', portalPaths.editor(publisherId, offerId), t.tabEditor)}
  ${tabLink('certification', portalPaths.certification(publisherId, offerId), t.tabCertification)}
</ul></nav>`;
}
