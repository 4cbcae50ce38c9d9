/** Small pieces every view uses: times, durations, sizes, the CSRF field, badges. */
import { html, type SafeHtml } from '../../lib/html/escape';
import type { Messages } from '../i18n';
import { CSRF_FIELD } from '../csrf';

/**
 * A point in time, rendered the same on every render (UTC, so a page that did not change renders
 * the same bytes); the client script shows it in the reader's time zone and language.
 */
export function timeTag(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`—`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return html`${iso}`;
  const utc = `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return html`<time datetime="${d.toISOString()}" data-local>${utc}</time>`;
}

export function formatDuration(ms: number, t: Messages): string {
  const u = t.units;
  if (ms < 1000) return u.underASecond;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} ${u.s}`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} ${u.min} ${s % 60} ${u.s}` : `${m} ${u.min}`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} ${u.h} ${m % 60} ${u.min}` : `${h} ${u.h}`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} ${u.d} ${h % 24} ${u.h}` : `${d} ${u.d}`;
}

export function formatBytes(n: number, t: Messages): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)} ${t.units.mb}` : `${Math.max(1, Math.round(n / 1000))} ${t.units.kb}`;
}

export const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;

/** A state as text with a class per state (colour is never the only cue: the text is always there). */
export const badge = (kind: string, text: string): SafeHtml => html`<span class="badge badge--${kind}">${text}</span>`;
