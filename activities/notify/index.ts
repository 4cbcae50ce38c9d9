/**
 * Sends a notification e-mail over SMTP. The Message-ID is derived from (run, event, step), so a
 * retried activity re-sends the *same* message and mail systems and people can spot duplicates.
 */
import { createHash } from 'node:crypto';
import { ErrorType, publisherFailure } from '../../domain/errors';
import type { NotificationRequest } from '../../domain/pipeline';
import type { ActivityDeps } from '../deps';
import { renderNotification } from './templates';

export function notificationMessageId(req: Pick<NotificationRequest, 'runId' | 'event' | 'stepName'>, mailFrom: string): string {
  const hash = createHash('sha256').update(`${req.runId}\n${req.event}\n${req.stepName ?? ''}`).digest('hex').slice(0, 32);
  const domain = /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'marketplace.local';
  return `<${req.event}.${hash}@${domain}>`;
}

export async function sendNotification(deps: ActivityDeps, req: NotificationRequest): Promise<{ messageId: string }> {
  const to = [...new Set(req.to.map((a) => a.trim()).filter(Boolean))];
  if (to.length === 0) return { messageId: '' };
  const mail = renderNotification(req);
  const messageId = notificationMessageId(req, deps.config.mailFrom);
  try {
    const info = await deps.mailer.sendMail({
      from: deps.config.mailFrom,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId,
      headers: { 'X-Publish-Run': req.runId, 'X-Publish-Event': req.event },
    });
    return { messageId: info.messageId || messageId };
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    // A permanent SMTP rejection (5xx, e.g. every recipient refused) will not change on retry.
    if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
      throw publisherFailure(ErrorType.NotificationRejected, `The mail server rejected the notification (${e.responseCode}): check the notification e-mail addresses.`);
    }
    throw new Error(`Sending the ${req.event} notification failed: ${e.code ?? ''} ${String(e.message ?? err).split('\n')[0]}`.trim());
  }
}
