/**
 * Live regions: parts of a page the browser swaps in when they change. Each region's version is a
 * hash of its markup, so a page polling with the version it shows gets nothing back until a
 * re-render would look different.
 */
import { createHash } from 'node:crypto';
import { html, raw, type SafeHtml } from '../../lib/html/escape';

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 16);

export interface LiveReply {
  version: string;
  regions: Record<string, { version: string; html: string }>;
}

export function liveReply(regions: Record<string, SafeHtml>): LiveReply {
  const out: LiveReply['regions'] = {};
  for (const [name, markup] of Object.entries(regions)) out[name] = { version: hash(markup.value), html: markup.value };
  return { version: hash(Object.values(out).map((r) => r.version).join('.')), regions: out };
}

/** The container of region `name`, carrying the version of what it shows (its markup is this renderer's own). */
export function regionContainer(reply: LiveReply, name: string, attributes: SafeHtml = html``): SafeHtml {
  const r = reply.regions[name];
  return html`<div data-region="${name}" data-region-version="${r.version}"${attributes}>${raw(r.html)}</div>`;
}
