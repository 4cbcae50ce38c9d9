/**
 * One e-mail per notification event. Templates describe content as blocks; one renderer turns
 * blocks into the text and HTML parts, escaping every value in the HTML — templates never build
 * markup themselves.
 */
import type { NotificationEvent, NotificationRequest } from '../../domain/pipeline';
import { STEPS } from '../../domain/steps';
import { html, httpUrl, type SafeHtml } from '../../lib/html/escape';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

type Block =
  | { p: string }
  | { list: string[] }
  | { links: string[] }
  | { table: { head: string[]; rows: string[][] } };

interface Content {
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

export function renderNotification(req: NotificationRequest): RenderedMail {
  const content = TEMPLATES[req.event](req);
  const blocks: Block[] = [
    ...content.blocks,
    { p: `Status of this publishing request: ${req.statusUrl}` },
    { p: `Run ${req.runId}` },
  ];
  return {
    subject: content.subject.replace(/[\r\n]+/g, ' '),
    text: blocks.map(blockText).join('\n\n') + '\n',
    html: mailHtml(content.subject, blocks).value,
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

/** Plain URLs in text become links when they are http(s); everything else stays escaped text. */
function linkify(text: string): SafeHtml {
  const parts = text.split(/(https?:\/\/[^\s<>"']+)/g);
  return html`${parts.map((part, i) => {
    const url = i % 2 === 1 ? httpUrl(part) : undefined;
    return url ? html`<a href="${url}">${part}</a>` : part;
  })}`;
}

function blockHtml(b: Block): SafeHtml {
  if ('p' in b) return html`<p>${linkify(b.p)}</p>`;
  if ('list' in b) return html`<ul>${b.list.map((l) => html`<li>${l}</li>`)}</ul>`;
  if ('links' in b) {
    // Each entry is one URL: link it whole (normalised), or show it as text if it is not http(s).
    return html`<ul>${b.links.map((l) => {
      const url = httpUrl(l);
      return html`<li>${url ? html`<a href="${url}">${l}</a>` : l}</li>`;
    })}</ul>`;
  }
  return html`<table cellpadding="4" style="border-collapse:collapse">
<tr>${b.table.head.map((h) => html`<th align="left" style="border:1px solid #ccc">${h}</th>`)}</tr>
${b.table.rows.map((row) => html`<tr>${row.map((c) => html`<td style="border:1px solid #ccc">${c}</td>`)}</tr>`)}
</table>`;
}

function mailHtml(subject: string, blocks: Block[]): SafeHtml {
  return html`<!doctype html>
<html><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,Segoe UI,sans-serif;color:#1b1b1b">
<h2>${subject}</h2>
${blocks.map(blockHtml)}
</body></html>
`;
}
