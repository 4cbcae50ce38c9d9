/**
 * The offer's history on the Status tab (the latest events, with who caused them), and at sign-off
 * what Go live will change against the live version (docs/history-and-webhooks.md).
 */
import { html, type SafeHtml } from '../../lib/html/escape';
import type { Actor } from '../../domain/history';
import { stepTexts } from '../../domain/step-texts';
import type { ViewContext } from './layout';
import { timeTag } from './format';
import type { StatusView } from './status-model';

/** Events shown on the page; the API pages through the rest. */
const SHOWN_EVENTS = 20;

function actorText(ctx: ViewContext, actor: Actor): string {
  if (actor === 'system') return ctx.t.actorSystem;
  if (actor === 'operator') return ctx.t.actorOperator;
  return ctx.t.actorPublisher(actor.slice('publisher:'.length));
}

export function historyRegion(ctx: ViewContext, v: StatusView): SafeHtml {
  const { t } = ctx;
  const events = v.history?.events.slice(0, SHOWN_EVENTS) ?? [];
  if (events.length === 0) return html``;
  const rows = events.map(
    (e) => html`<tr data-event="${e.type}">
      <td>${timeTag(e.at)}</td>
      <td>${t.historyEvent[e.type] ?? e.type}${e.step ? html` — ${stepTexts(e.step, ctx.lang).stepName}` : ''}${e.reason ? html`<br><span class="hint">${e.reason}</span>` : ''}</td>
      <td>${actorText(ctx, e.actor)}</td>
      <td><code class="run-id">${e.runId.slice(0, 8)}</code></td>
    </tr>`,
  );
  return html`<section class="card history" aria-labelledby="history-heading">
  <h2 id="history-heading">${t.historyHeading}</h2>
  <table><caption class="visually-hidden">${t.historyCaption}</caption>
    <thead><tr><th scope="col">${t.colWhen}</th><th scope="col">${t.colEvent}</th><th scope="col">${t.colBy}</th><th scope="col">${t.runIdLabel}</th></tr></thead>
    <tbody>${rows}</tbody>
  </table>
</section>`;
}

const shown = (value: unknown): string => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

export function changesRegion(ctx: ViewContext, v: StatusView): SafeHtml {
  const { t } = ctx;
  const c = v.changes;
  if (!c) return html``;
  const intro = !c.live ? t.changesFirst : c.changes.length === 0 ? t.changesNone : t.changesIntro;
  const rows = c.live
    ? c.changes.map((ch) => {
        const secret = ch.from === undefined && ch.to === undefined;
        return html`<tr data-change-path="${ch.path}">
      <td><code>${ch.path}</code></td><td>${t.change[ch.change]}</td>
      <td>${secret ? '' : shown(ch.from)}</td><td>${secret ? (ch.change === 'changed' ? t.secretChanged : '') : shown(ch.to)}</td>
    </tr>`;
      })
    : [];
  return html`<section class="card changes" aria-labelledby="changes-heading">
  <h2 id="changes-heading">${t.changesHeading}</h2>
  <p>${intro}</p>
  ${rows.length ? html`<table><thead><tr><th scope="col">${t.colField}</th><th scope="col">${t.colChange}</th><th scope="col">${t.colFrom}</th><th scope="col">${t.colTo}</th></tr></thead><tbody>${rows}</tbody></table>` : ''}
</section>`;
}
