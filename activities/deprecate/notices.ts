/**
 * Sends one deprecation notice over SMTP. The Message-ID is derived from (deprecation, notice,
 * date), so a retried activity re-sends the same message and duplicates can be spotted.
 */
import { createHash } from 'node:crypto';
import type { DeprecationNoticeRequest } from '../../domain/deprecation';
import { ErrorType, publisherFailure } from '../../domain/errors';
import type { ActivityDeps } from '../deps';
import { renderDeprecationNotice } from './templates';

export function deprecationMessageId(req: Pick<DeprecationNoticeRequest, 'deprecationId' | 'kind' | 'label' | 'effectiveAt'>, mailFrom: string): string {
  const hash = createHash('sha256').update(`${req.deprecationId}\n${req.kind}\n${req.label ?? ''}\n${req.effectiveAt}`).digest('hex').slice(0, 32);
  const domain = /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'marketplace.local';
  return `<deprecation-${req.kind}.${hash}@${domain}>`;
}

export async function sendDeprecationNotice(deps: ActivityDeps, req: DeprecationNoticeRequest): Promise<{ messageId: string }> {
  const to = [...new Set(req.to.map((a) => a.trim()).filter(Boolean))];
  if (to.length === 0) return { messageId: '' };
  const mail = renderDeprecationNotice(req);
  const messageId = deprecationMessageId(req, deps.config.mailFrom);
  try {
    const info = await deps.mailer.sendMail({
      from: deps.config.mailFrom,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId,
      headers: { 'X-Deprecation': req.deprecationId, 'X-Deprecation-Notice': req.label ? `${req.kind}-${req.label}` : req.kind },
    });
    return { messageId: info.messageId || messageId };
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
      throw publisherFailure(ErrorType.NotificationRejected, `The mail server rejected the deprecation notice (${e.responseCode}): check the notification e-mail addresses.`);
    }
    throw new Error(`Sending the ${req.kind} deprecation notice failed: ${e.code ?? ''} ${String(e.message ?? err).split('\n')[0]}`.trim());
  }
}
