/**
 * A list of step or validation messages: level as text, the field path when there is one, and the
 * text in the page's language when a step wrote it from a known template, else as written.
 */
import { html, type SafeHtml } from '../../lib/html/escape';
import type { MessageLevel } from '../../domain/status';
import type { Messages } from '../i18n';
import { timeTag } from './format';

export interface ShownMessage {
  level: MessageLevel;
  text: string;
  field?: string;
  timestamp?: string;
}

export function messageList(t: Messages, messages: readonly ShownMessage[], opts: { id?: string; showField?: boolean } = {}): SafeHtml {
  if (messages.length === 0) return html``;
  return html`<ul class="messages"${opts.id ? html` id="${opts.id}"` : ''}>${messages.map(
    (m) => html`<li class="message message--${m.level}">
  <span class="message-level">${t.messageLevel[m.level]}</span>
  ${opts.showField !== false && m.field ? html`<code class="field-path">${m.field}</code>` : ''}
  <span class="message-text">${t.stepMessage(m.text) ?? m.text}</span>
  ${m.timestamp ? html`<span class="message-time">${timeTag(m.timestamp)}</span>` : ''}
</li>`,
  )}</ul>`;
}
