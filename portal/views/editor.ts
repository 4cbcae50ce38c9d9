/**
 * The Editor tab: publish an offer from its JSON (pasted, or uploaded by the client script) and the
 * common fields, validate it first (a dry run; every message beside its input), then publish.
 */
import { html, type SafeHtml } from '../../lib/html/escape';
import { COMMON_FIELDS, errorCount, type CommonField, type EditorInput, type MessageTarget, type PlacedMessage, type PlacedMessages } from '../draft-form';
import { portalPaths } from '../paths';
import type { ViewContext } from './layout';
import { csrfField } from './format';
import { messageList } from './messages';
import { offerHeader } from './offer-header';

export interface EditorView {
  publisherId: string;
  /** Set for an offer that exists (its Editor tab); absent for a new offer, whose id is a field. */
  offerId?: string;
  title?: string;
  input: EditorInput;
  messages?: PlacedMessages;
  outcome?: { kind: 'passed'; warnings: number } | { kind: 'problems' } | { kind: 'refused'; text: string };
  /** Why Publish is not possible now (a run is open); Validate still is. */
  publishBlocked?: string;
}

const LONG: ReadonlySet<CommonField> = new Set(['description', 'termsOfUse', 'longSummary']);
const inputId = (target: MessageTarget) => `field-${target}`;

export function editorBody(ctx: ViewContext, v: EditorView): SafeHtml {
  const { t } = ctx;
  const placed = v.messages ?? { byTarget: {}, json: [], general: [] };
  const action = v.offerId ? portalPaths.editor(v.publisherId, v.offerId) : portalPaths.newOffer(v.publisherId);
  const heading = v.offerId ? t.editorHeading(v.title ?? v.offerId) : t.editorHeadingNew;
  return html`${v.offerId ? offerHeader(ctx, { publisherId: v.publisherId, offerId: v.offerId }, heading, 'editor') : html`<h1>${heading}</h1>`}
<p>${t.editorIntro}</p>
${outcomeBox(ctx, v, placed)}
<form method="post" action="${action}" class="editor" novalidate>
  ${csrfField(ctx.csrfToken)}
  ${v.offerId ? '' : field(ctx, placed, 'offerId', t.offerIdLabel, t.offerIdHint, html`<input id="${inputId('offerId')}" name="offerId" required value="${v.input.offerId}" autocomplete="off" spellcheck="false" ${described(placed, 'offerId')}>`)}
  <fieldset>
    <legend>${t.commonFields}</legend>
    <p class="hint">${t.commonFieldsHint}</p>
    ${COMMON_FIELDS.map((f) => commonField(ctx, placed, f, v.input.fields[f]))}
  </fieldset>
  <fieldset>
    <legend>${t.offerJsonLegend}</legend>
    <label for="offer-json">${t.offerJsonLabel}</label>
    <p class="hint" id="offer-json-hint">${t.offerJsonHint}</p>
    <p class="js-only upload" hidden><label for="offer-file">${t.uploadLabel}</label> <input id="offer-file" type="file" accept="application/json,.json" data-json-into="offer-json"></p>
    <textarea id="offer-json" name="offerJson" rows="18" spellcheck="false" class="code"
      aria-describedby="offer-json-hint${placed.json.length ? ' offer-json-messages' : ''}"${placed.json.some(isError) ? html` aria-invalid="true"` : ''}>${v.input.offerJson}</textarea>
    ${messageList(t, placed.json, { id: 'offer-json-messages' })}
  </fieldset>
  <fieldset>
    <legend>${t.notificationsLegend}</legend>
    ${field(ctx, placed, 'emails', t.emailsLabel, `${t.notificationsHint} ${t.emailsHint}`, html`<input id="${inputId('emails')}" name="emails" type="email" multiple autocomplete="email" value="${v.input.emails}" ${described(placed, 'emails')}>`)}
  </fieldset>
  <div class="buttons">
    <button type="submit" name="action" value="validate">${t.validate}</button>
    <button type="submit" name="action" value="publish" class="primary"${v.publishBlocked ? html` disabled aria-describedby="why-publish"` : ''}>${t.publish}</button>
    ${v.publishBlocked ? html`<p class="why" id="why-publish">${v.publishBlocked}</p>` : ''}
  </div>
</form>`;
}

const isError = (m: PlacedMessage) => m.level === 'Error';

function described(placed: PlacedMessages, target: MessageTarget): SafeHtml {
  const messages = placed.byTarget[target] ?? [];
  return html`aria-describedby="${inputId(target)}-hint${messages.length ? ` ${inputId(target)}-messages` : ''}"${messages.some(isError) ? html` aria-invalid="true"` : ''}`;
}

function field(ctx: ViewContext, placed: PlacedMessages, target: MessageTarget, label: string, hint: string, control: SafeHtml): SafeHtml {
  return html`<div class="field${(placed.byTarget[target] ?? []).some(isError) ? ' field--invalid' : ''}" data-field="${target}">
  <label for="${inputId(target)}">${label}</label>
  ${control}
  <p class="hint" id="${inputId(target)}-hint">${hint}</p>
  ${messageList(ctx.t, placed.byTarget[target] ?? [], { id: `${inputId(target)}-messages` })}
</div>`;
}

function commonField(ctx: ViewContext, placed: PlacedMessages, f: CommonField, value: string): SafeHtml {
  const control = LONG.has(f)
    ? html`<textarea id="${inputId(f)}" name="${f}" rows="${f === 'description' ? 6 : 3}" ${described(placed, f)}>${value}</textarea>`
    : html`<input id="${inputId(f)}" name="${f}" value="${value}" ${f === 'privacyPolicyUrl' ? html`type="url" ` : ''}${described(placed, f)}>`;
  return field(ctx, placed, f, ctx.t.fieldLabels[f], ctx.t.fieldHints[f], control);
}

function outcomeBox(ctx: ViewContext, v: EditorView, placed: PlacedMessages): SafeHtml {
  const { t } = ctx;
  if (!v.outcome) return html``;
  if (v.outcome.kind === 'passed') return html`<div class="notice notice--success" role="status" id="outcome">${t.validationPassed(v.outcome.warnings)}</div>`;
  if (v.outcome.kind === 'refused') {
    return html`<div class="notice notice--error" role="alert" id="outcome" tabindex="-1"><p>${v.outcome.text}</p><p>${t.nothingPublished}</p></div>`;
  }
  const links: SafeHtml[] = [];
  const link = (href: string, label: string, m: PlacedMessage) => html`<li><a href="#${href}">${label}</a>: ${m.text}</li>`;
  for (const [target, messages] of Object.entries(placed.byTarget) as Array<[MessageTarget, PlacedMessage[]]>) {
    const label = target === 'offerId' ? t.offerIdLabel : target === 'emails' ? t.emailsLabel : t.fieldLabels[target];
    for (const m of messages.filter(isError)) links.push(link(inputId(target), m.field ?? label, m));
  }
  for (const m of placed.json.filter(isError)) links.push(link('offer-json', m.field ?? t.offerJsonLabel, m));
  for (const m of placed.general.filter(isError)) links.push(html`<li>${m.text}</li>`);
  return html`<div class="notice notice--error" role="alert" id="outcome" tabindex="-1">
  <h2>${t.problemsHeading(errorCount(placed))}</h2>
  <p>${t.nothingPublished}</p>
  <ul>${links}</ul>
</div>`;
}
