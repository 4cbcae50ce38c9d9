/** Sign-in, choosing a publisher (operators), the cancel confirmation, the preview form and error pages. */
import { html, type SafeHtml } from '../../lib/html/escape';
import { portalPaths } from '../paths';
import type { ViewContext } from './layout';
import { csrfField } from './format';
import { offerHeader } from './offer-header';

export function signInBody(ctx: ViewContext, opts: { next?: string; error?: string; notice?: string }): SafeHtml {
  const { t } = ctx;
  return html`<div class="narrow">
<h1>${t.signInHeading}</h1>
${opts.notice ? html`<div class="notice notice--success" role="status">${opts.notice}</div>` : ''}
<p>${t.signInIntro}</p>
<form method="post" action="${portalPaths.signIn()}" class="stacked">
  ${csrfField(ctx.csrfToken)}
  ${opts.next ? html`<input type="hidden" name="next" value="${opts.next}">` : ''}
  <label for="api-key">${t.apiKey}</label>
  <input id="api-key" name="key" type="password" required autocomplete="current-password" spellcheck="false"
    aria-describedby="api-key-hint${opts.error ? ' api-key-error' : ''}"${opts.error ? html` aria-invalid="true" autofocus` : ''}>
  <p class="hint" id="api-key-hint">${t.apiKeyHint}</p>
  ${opts.error ? html`<p class="field-error" id="api-key-error" role="alert">${opts.error}</p>` : ''}
  <div class="buttons"><button type="submit" class="primary">${t.signIn}</button></div>
</form>
</div>`;
}

export function choosePublisherBody(ctx: ViewContext, publishers: string[], error?: string): SafeHtml {
  const { t } = ctx;
  return html`<div class="narrow">
<h1>${t.choosePublisherHeading}</h1>
<p>${t.choosePublisherIntro}</p>
${publishers.length ? html`<ul class="publisher-list">${publishers.map((p) => html`<li><a href="${portalPaths.offers(p)}">${p}</a></li>`)}</ul>` : ''}
<form method="get" action="${portalPaths.choosePublisher()}" class="stacked">
  <label for="publisher-id">${t.publisherField}</label>
  <input id="publisher-id" name="publisherId" required autocomplete="off" spellcheck="false"${error ? html` aria-invalid="true" aria-describedby="publisher-error"` : ''}>
  ${error ? html`<p class="field-error" id="publisher-error">${error}</p>` : ''}
  <div class="buttons"><button type="submit">${t.switchPublisher}</button></div>
</form>
</div>`;
}

export function cancelBody(
  ctx: ViewContext,
  v: { publisherId: string; offerId: string; title: string; reason?: string; error?: string; refusal?: string },
): SafeHtml {
  const { t } = ctx;
  return html`${offerHeader(ctx, v, v.title, 'other')}
<section class="card narrow" aria-labelledby="cancel-heading">
<h2 id="cancel-heading">${t.cancelHeading(v.title)}</h2>
<p>${t.cancelIntro}</p>
${v.refusal ? html`<p class="notice notice--error" role="alert">${v.refusal}</p>` : ''}
<form method="post" action="${portalPaths.cancel(v.publisherId, v.offerId)}" class="stacked">
  ${csrfField(ctx.csrfToken)}
  <label for="cancel-reason">${t.cancelReason}</label>
  <textarea id="cancel-reason" name="reason" rows="3" maxlength="500" aria-describedby="cancel-reason-hint${v.error ? ' cancel-reason-error' : ''}"${v.error ? html` aria-invalid="true"` : ''}>${v.reason ?? ''}</textarea>
  <p class="hint" id="cancel-reason-hint">${t.cancelReasonHint}</p>
  ${v.error ? html`<p class="field-error" id="cancel-reason-error">${v.error}</p>` : ''}
  <div class="buttons">
    <button type="submit" class="danger">${t.cancelConfirm}</button>
    <a class="button" href="${portalPaths.offer(v.publisherId, v.offerId)}">${t.cancelKeep}</a>
  </div>
</form>
</section>`;
}

export function previewFormBody(ctx: ViewContext, v: { publisherId: string; offerId: string; title: string; value?: string; error?: string }): SafeHtml {
  const { t } = ctx;
  return html`${offerHeader(ctx, v, t.previewHeading(v.title), 'other')}
<p>${t.previewIntro}</p>
<form method="get" action="${portalPaths.preview(v.publisherId, v.offerId)}" class="stacked narrow">
  <label for="subscription-id">${t.subscriptionLabel}</label>
  <input id="subscription-id" name="subscriptionId" required autocomplete="off" spellcheck="false" value="${v.value ?? ''}"
    placeholder="00000000-0000-0000-0000-000000000000"${v.error ? html` aria-invalid="true" aria-describedby="subscription-error"` : ''}>
  ${v.error ? html`<p class="field-error" id="subscription-error" role="alert">${v.error}</p>` : ''}
  <div class="buttons"><button type="submit" class="primary">${t.openPreview}</button></div>
</form>`;
}

export function errorBody(ctx: ViewContext, opts: { heading: string; text: string; publisherId?: string; publishOfferId?: string }): SafeHtml {
  const { t } = ctx;
  return html`<div class="narrow error-page">
<h1>${opts.heading}</h1>
<p>${opts.text}</p>
<p>${opts.publisherId ? html`<a href="${portalPaths.offers(opts.publisherId)}">${t.backToOffers}</a>` : html`<a href="${portalPaths.home()}">${t.product}</a>`}
${opts.publisherId && opts.publishOfferId ? html` · <a href="${portalPaths.editor(opts.publisherId, opts.publishOfferId)}">${t.publishThisOffer}</a>` : ''}</p>
</div>`;
}
