/**
 * The page shell: header (publisher, operator's publisher switch, language switch, sign-out),
 * main landmark with a skip link, one stylesheet and one script from the portal's own assets
 * (the Content-Security-Policy allows nothing else).
 */
import { html, type SafeHtml } from '../../lib/html/escape';
import { LANGUAGES, type Language } from '../../domain/languages';
import { messagesFor, type Messages } from '../i18n';
import type { Flash } from '../sessions';
import { portalPaths } from '../paths';
import { csrfField } from './format';

export interface ViewUser {
  label: string;
  operator: boolean;
  /** The publisher the pages are about, when there is one. */
  publisherId?: string;
  /** Publishers an operator may switch to (configured ones; any id may be typed). */
  publishers: string[];
}

export interface ViewContext {
  lang: Language;
  t: Messages;
  csrfToken: string;
  assets: { css: string; js: string; icon: string };
  /** This page's path and query, for the language switch to come back to. */
  path: string;
  user?: ViewUser;
  flash?: Flash;
}

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Live updates: the JSON to poll and the version this page was rendered at. */
  live?: { url: string; version: string };
}

export function page(ctx: ViewContext, opts: PageOptions): string {
  const { t } = ctx;
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${opts.title} · ${t.product}</title>
<link rel="icon" href="${ctx.assets.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${ctx.assets.css}">
<script src="${ctx.assets.js}" defer></script>
</head>
<body>
<a class="skip-link" href="#main">${t.skipToContent}</a>
<header class="site-header">
  <a class="brand" href="${portalPaths.home()}">${t.product}</a>
  ${ctx.user ? userNav(ctx, ctx.user) : ''}
  ${languageSwitch(ctx)}
</header>
<main id="main" tabindex="-1"${opts.live ? html` data-live-url="${opts.live.url}" data-live-version="${opts.live.version}"` : ''}>
${ctx.flash ? flashBox(ctx.flash) : ''}
${opts.body}
</main>
<footer class="site-footer"><p>${t.footer}</p></footer>
</body>
</html>
`.value;
}

function userNav(ctx: ViewContext, user: ViewUser): SafeHtml {
  const { t } = ctx;
  return html`<nav class="site-nav" aria-label="${t.mainNav}">
  ${user.publisherId ? html`<a href="${portalPaths.offers(user.publisherId)}">${t.allOffers}</a>` : ''}
  <span class="who">${user.label}</span>
  ${user.operator ? publisherSwitch(ctx, user) : ''}
  <form method="post" action="${portalPaths.signOut()}" class="inline-form">
    ${csrfField(ctx.csrfToken)}
    <button type="submit" class="link-button">${t.signOut}</button>
  </form>
</nav>`;
}

function publisherSwitch(ctx: ViewContext, user: ViewUser): SafeHtml {
  const { t } = ctx;
  return html`<form method="get" action="${portalPaths.choosePublisher()}" class="inline-form publisher-switch">
    <label for="switch-publisher">${t.publisherField}</label>
    <input id="switch-publisher" name="publisherId" list="known-publishers" value="${user.publisherId ?? ''}" required
      pattern="[A-Za-z0-9][A-Za-z0-9_\\-]{0,49}" autocomplete="off" spellcheck="false">
    <datalist id="known-publishers">${user.publishers.map((p) => html`<option value="${p}"></option>`)}</datalist>
    <button type="submit">${t.switchPublisher}</button>
  </form>`;
}

/** One button per language, each labelled in its own language. */
function languageSwitch(ctx: ViewContext): SafeHtml {
  return html`<form method="post" action="${portalPaths.language()}" class="inline-form language-switch" aria-label="${ctx.t.languageSwitch}">
    ${csrfField(ctx.csrfToken)}
    <input type="hidden" name="return" value="${ctx.path}">
    ${LANGUAGES.map(
      (lang) =>
        html`<button type="submit" name="lang" value="${lang}" lang="${lang}" class="link-button"${lang === ctx.lang ? html` aria-pressed="true"` : html` aria-pressed="false"`}>${messagesFor(lang).languageName}</button>`,
    )}
  </form>`;
}

function flashBox(flash: Flash): SafeHtml {
  return html`<div class="notice notice--${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">${flash.text}</div>`;
}
