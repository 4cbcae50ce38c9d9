/**
 * The deprecation notices (one per notice kind), as text and HTML parts, in the block style of
 * activities/notify/templates.ts: values are escaped by the `html` template, never built as markup.
 * The publisher's words (title, note) are made unlinkable (activities/notify/unlinkable.ts).
 */
import { describeScope, type DeprecationNoticeKind, type DeprecationNoticeRequest, type DeprecationReason } from '../../domain/deprecation';
import { html } from '../../lib/html/escape';
import { unlinkable } from '../notify/unlinkable';

export interface DeprecationMail {
  subject: string;
  text: string;
  html: string;
}

const REASONS: Record<DeprecationReason, string> = {
  criticalSecurityIssue: 'critical security issue',
  endOfSupport: 'end of support',
  other: 'other',
};

/** "30d" → "30 days" (a shortened schedule keeps the nominal name: it stands for that reminder). */
const leadTime = (label?: string) => (label ? label.replace(/^(\d+)d$/, (_, n: string) => `${n} day${n === '1' ? '' : 's'}`) : '');

const SUBJECTS: Record<DeprecationNoticeKind, (r: DeprecationNoticeRequest) => string> = {
  scheduled: (r) => `Deprecation scheduled: ${r.offerTitle} (${describeScope(r.scope)}) on ${r.effectiveAt}`,
  rescheduled: (r) => `Deprecation rescheduled: ${r.offerTitle} (${describeScope(r.scope)}) now on ${r.effectiveAt}`,
  reminder: (r) => `Reminder (${leadTime(r.label)} notice): ${r.offerTitle} (${describeScope(r.scope)}) is deprecated on ${r.effectiveAt}`,
  effective: (r) => `Deprecated: ${r.offerTitle} (${describeScope(r.scope)}) is no longer available to new customers`,
  restored: (r) => `Deprecation restored: ${r.offerTitle} (${describeScope(r.scope)}) is available again`,
};

function paragraphs(r: DeprecationNoticeRequest): string[] {
  const what = `${describeScope(r.scope)} of "${r.offerTitle}" (${r.publisherId}/${r.offerId})`;
  const alt = [r.alternative?.offerId && `offer ${r.alternative.offerId}`, r.alternative?.skuId && `plan ${r.alternative.skuId}`].filter(Boolean).join(', ');
  const details = [`Reason: ${REASONS[r.reason]}.`, ...(r.text ? [`Publisher's note: ${r.text}`] : []), ...(alt ? [`Alternative shown to customers: ${alt}.`] : [])];
  const byKind: Record<DeprecationNoticeKind, string[]> = {
    scheduled: [`The deprecation of ${what} is scheduled for ${r.effectiveAt}. The live page shows a deprecation banner from now on; on that date it leaves the catalog for new customers, and existing deployments keep running.`],
    rescheduled: [`The deprecation of ${what} now takes effect on ${r.effectiveAt}.`],
    reminder: [`Reminder: the deprecation of ${what} takes effect on ${r.effectiveAt}.`],
    effective: [
      `The deprecation of ${what} took effect: it is no longer available to new customers; existing deployments keep running.`,
      ...(r.restorableUntil ? [`You can restore it until ${r.restorableUntil}; after that its image replicas are deleted.`] : []),
    ],
    restored: [`The deprecation of ${what} was restored: it is available to new customers again and the banner is gone.`],
  };
  return [...byKind[r.kind], ...details, `Status and restore: ${r.statusUrl}`, `Questions: ${r.supportUrl}`];
}

export function renderDeprecationNotice(req: DeprecationNoticeRequest): DeprecationMail {
  // The publisher's words (title, note) must not become links in our name.
  const r = { ...req, offerTitle: unlinkable(req.offerTitle), ...(req.text ? { text: unlinkable(req.text) } : {}) };
  const subject = SUBJECTS[r.kind](r).replace(/[\r\n]+/g, ' ');
  const lines = paragraphs(r);
  return {
    subject,
    text: `${lines.join('\n\n')}\n`,
    html: html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,Segoe UI,sans-serif;color:#1b1b1b">
<h2>${subject}</h2>
${lines.map((l) => html`<p>${l}</p>`)}
</body></html>
`.value,
  };
}
