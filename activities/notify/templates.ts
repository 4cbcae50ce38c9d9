/**
 * One e-mail per notification event. Templates describe content as blocks; one renderer turns
 * blocks into the text and HTML parts, escaping every value in the HTML — templates never build
 * markup themselves.
 */
import type { NotificationEvent, NotificationRequest } from '../../domain/pipeline';
import { STEPS } from '../../domain/steps';
import { html, httpUrl, type SafeHtml } from '../../lib/html/escape';
import { unlinkable } from './unlinkable';
import { DEFAULT_LANGUAGE, type Language } from '../../domain/languages';
import { ZH_TW_MAIL } from './templates-zh-tw';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export type Block =
  | { p: string }
  | { list: string[] }
  | { links: string[] }
  | { table: { head: string[]; rows: string[][] } };

export interface Content {
  subject: string;
  blocks: Block[];
}

const offerName = (r: NotificationRequest) => `"${r.offerTitle}" (${r.publisherId}/${r.offerId})`;
const step = (r: NotificationRequest) => r.stepName ?? 'an unknown step';
const restart = 'After fixing, press Publish again: publishing restarts at step 1, Validate prerequisites.';
const support = (r: NotificationRequest) => `If you cannot resolve the problem, open a support request: ${r.supportUrl}`;

function findingLines(r: NotificationRequest): string[] {
  return (r.findings ?? []).map((f) => `${f.level === 'Error' ? '' : `${f.level}: `}${f.field ? `${f.field}: ` : ''}${f.text}`);
}

/** The expected time frame of a step given by name or id. */
function timeFrameOf(stepName: string | undefined): string {
  const def = STEPS.find((s) => s.stepName === stepName || s.id === stepName);
  return def?.estimatedTimeFrame ?? 'not known';
}

const TEMPLATES: Record<NotificationEvent, (r: NotificationRequest) => Content> = {
  validationFailed: (r) => ({
    subject: `Action needed: ${r.offerTitle} did not pass validation`,
    blocks: [
      { p: `Publishing ${offerName(r)} stopped at step 1, Validate prerequisites. These fields are missing or not valid:` },
      { list: findingLines(r) },
      { p: restart },
      { p: support(r) },
    ],
  }),
  certificationFailed: (r) => ({
    subject: `Action needed: ${r.offerTitle} failed certification`,
    blocks: [
      { p: `The VM images of ${offerName(r)} did not pass these certification tests:` },
      {
        table: {
          head: ['Test', 'Disk', 'Actual', 'Required', 'How to fix'],
          rows: (r.failedChecks ?? []).map((c) => [`${c.testId} ${c.name}`, c.disk ?? '', c.actualValue, c.requiredValue, c.remediation]),
        },
      },
      { p: `Fix the image(s), upload them, and update the disk URLs if they changed. ${restart}` },
      { p: support(r) },
    ],
  }),
  previewReady: (r) => ({
    subject: `${r.offerTitle} is ready for preview`,
    blocks: [
      { p: `${offerName(r)} can now be previewed. Only the subscriptions on the preview allow-list can see it and deploy it:` },
      { links: r.links ?? [] },
      { p: 'Check the page and that the VM deploys. When you are satisfied, press Go live; going live typically takes a few hours.' },
    ],
  }),
  live: (r) => ({
    subject: `${r.offerTitle} is live`,
    blocks: [{ p: `${offerName(r)} is live on the marketplace. Customers can see and deploy it:` }, { links: r.links ?? [] }],
  }),
  canceled: (r) => ({
    subject: `Publishing of ${r.offerTitle} was canceled`,
    blocks: [
      { p: `The publishing request for ${offerName(r)} was canceled${r.stepName ? ` during ${r.stepName}` : ''}. What it had created was removed.` },
      { p: 'Publishing again starts over at step 1, Validate prerequisites.' },
    ],
  }),
  failed: (r) => ({
    subject: `Publishing of ${r.offerTitle} failed at ${step(r)}`,
    blocks: [
      { p: `Publishing ${offerName(r)} failed at ${step(r)}:` },
      { list: findingLines(r).length ? findingLines(r) : ['No further detail was recorded; see the status page.'] },
      { p: `Next steps: fix what the messages describe. ${restart}` },
      { p: support(r) },
    ],
  }),
  // Says nothing of the internal error: the publisher can do nothing about it, and it may name our systems.
  internalFailure: (r) => ({
    subject: `Publishing of ${r.offerTitle} stopped at ${step(r)} because of a problem on our side`,
    blocks: [
      { p: `Publishing ${offerName(r)} stopped at ${step(r)} because of a problem on our side, not because of anything in your offer.` },
      { p: 'Our support team has been told and is looking into it. Nothing in the offer needs to change.' },
      { p: 'Publishing again is safe: press Publish when you are ready; publishing restarts at step 1, Validate prerequisites.' },
      { p: `If it stops again, open a support request and quote run ${r.runId}: ${r.supportUrl}` },
    ],
  }),
  overdue: (r) => ({
    subject: `${r.offerTitle}: ${step(r)} is taking longer than expected`,
    blocks: [
      { p: `Step ${step(r)} of publishing ${offerName(r)} has run past its expected time frame (${timeFrameOf(r.stepName)}).` },
      { p: 'Nothing is needed from you right now; it keeps running and you will be e-mailed when it completes or fails.' },
      { p: support(r) },
    ],
  }),
};

/** A language's templates, and the lines every e-mail ends with. */
export interface MailTexts {
  templates: Record<NotificationEvent, (r: NotificationRequest) => Content>;
  footer: (r: NotificationRequest) => Block[];
}

const MAIL_TEXTS: Record<Language, MailTexts> = {
  en: {
    templates: TEMPLATES,
    footer: (r) => [{ p: `Status of this publishing request: ${r.statusUrl}` }, { p: `Run ${r.runId}` }],
  },
  'zh-TW': ZH_TW_MAIL,
};

/**
 * The request with every text that comes from the offer or its images made unlinkable: the
 * templates then cannot put a link of the publisher's (or an image's) making into our e-mail.
 */
function withUnlinkableText(req: NotificationRequest): NotificationRequest {
  return {
    ...req,
    offerTitle: unlinkable(req.offerTitle),
    findings: req.findings?.map((f) => ({ ...f, text: unlinkable(f.text) })),
    failedChecks: req.failedChecks?.map((c) => ({ ...c, actualValue: unlinkable(c.actualValue), disk: c.disk === undefined ? undefined : unlinkable(c.disk) })),
  };
}

/** Links go only to this product's own pages and its support site: the status URL's and the support URL's origins. */
function ownOrigins(req: NotificationRequest): Set<string> {
  return new Set([req.statusUrl, req.supportUrl].flatMap((u) => (httpUrl(u) ? [new URL(u).origin] : [])));
}

export function renderNotification(request: NotificationRequest): RenderedMail {
  const req = withUnlinkableText(request);
  const language = req.language && req.language in MAIL_TEXTS ? req.language : DEFAULT_LANGUAGE;
  const texts = MAIL_TEXTS[language];
  const content = texts.templates[req.event](req);
  const blocks: Block[] = [...content.blocks, ...texts.footer(req)];
  return {
    subject: content.subject.replace(/[\r\n]+/g, ' '),
    text: blocks.map(blockText).join('\n\n') + '\n',
    html: mailHtml(content.subject, blocks, language, ownOrigins(req)).value,
  };
}

function blockText(b: Block): string {
  if ('p' in b) return b.p;
  if ('list' in b) return b.list.map((l) => `- ${l}`).join('\n');
  if ('links' in b) return b.links.map((l) => `- ${l}`).join('\n');
  return b.table.rows
    .map((row) => `- ${row.flatMap((cell, i) => (cell ? [`${b.table.head[i]}: ${cell}`] : [])).join('; ')}`)
    .join('\n');
}

/** The URL, normalised, when it is http(s) on one of our origins; else undefined (shown as text). */
function ownLink(value: string, own: ReadonlySet<string>): string | undefined {
  const url = httpUrl(value);
  return url && own.has(new URL(url).origin) ? url : undefined;
}

/** Our URLs in text become links; everything else (offer text is already unlinkable) stays escaped text. */
function linkify(text: string, own: ReadonlySet<string>): SafeHtml {
  const parts = text.split(/(https?:\/\/[^\s<>"']+)/g);
  return html`${parts.map((part, i) => {
    const url = i % 2 === 1 ? ownLink(part, own) : undefined;
    return url ? html`<a href="${url}">${part}</a>` : part;
  })}`;
}

function blockHtml(b: Block, own: ReadonlySet<string>): SafeHtml {
  if ('p' in b) return html`<p>${linkify(b.p, own)}</p>`;
  if ('list' in b) return html`<ul>${b.list.map((l) => html`<li>${l}</li>`)}</ul>`;
  if ('links' in b) {
    // Each entry is one URL: link it whole (normalised) if it is ours, else show it as text.
    return html`<ul>${b.links.map((l) => {
      const url = ownLink(l, own);
      return html`<li>${url ? html`<a href="${url}">${l}</a>` : l}</li>`;
    })}</ul>`;
  }
  return html`<table cellpadding="4" style="border-collapse:collapse">
<tr>${b.table.head.map((h) => html`<th align="left" style="border:1px solid #ccc">${h}</th>`)}</tr>
${b.table.rows.map((row) => html`<tr>${row.map((c) => html`<td style="border:1px solid #ccc">${c}</td>`)}</tr>`)}
</table>`;
}

function mailHtml(subject: string, blocks: Block[], language: Language, own: ReadonlySet<string>): SafeHtml {
  return html`<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,Segoe UI,sans-serif;color:#1b1b1b">
<h2>${subject}</h2>
${blocks.map((b) => blockHtml(b, own))}
</body></html>
`;
}
