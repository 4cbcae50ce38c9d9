/**
 * Sends a notification e-mail over SMTP, its Message-ID derived from (run, event, step)
 * (lib/mail/send-once.ts).
 */
import type { NotificationRequest } from '../../domain/pipeline';
import { sendMailOnce, stableMessageId } from '../../lib/mail/send-once';
import type { ActivityDeps } from '../deps';
import { renderNotification } from './templates';

export function notificationMessageId(req: Pick<NotificationRequest, 'runId' | 'event' | 'stepName'>, mailFrom: string): string {
  return stableMessageId(req.event, [req.runId, req.event, req.stepName ?? ''], mailFrom);
}

export async function sendNotification(deps: ActivityDeps, req: NotificationRequest): Promise<{ messageId: string }> {
  return sendMailOnce(deps.mailer, deps.config.mailFrom, {
    ...renderNotification(req),
    to: req.to,
    messageId: notificationMessageId(req, deps.config.mailFrom),
    headers: { 'X-Publish-Run': req.runId, 'X-Publish-Event': req.event },
    what: `the ${req.event} notification`,
  });
}
