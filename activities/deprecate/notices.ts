/**
 * Sends one deprecation notice over SMTP. The Message-ID is derived from (deprecation, notice,
 * date), so a retried activity re-sends the same message and duplicates can be spotted.
 */
import type { DeprecationNoticeRequest } from '../../domain/deprecation';
import { sendMailOnce, stableMessageId } from '../../lib/mail/send-once';
import type { ActivityDeps } from '../deps';
import { renderDeprecationNotice } from './templates';

export function deprecationMessageId(req: Pick<DeprecationNoticeRequest, 'deprecationId' | 'kind' | 'label' | 'effectiveAt'>, mailFrom: string): string {
  return stableMessageId(`deprecation-${req.kind}`, [req.deprecationId, req.kind, req.label ?? '', req.effectiveAt], mailFrom);
}

export async function sendDeprecationNotice(deps: ActivityDeps, req: DeprecationNoticeRequest): Promise<{ messageId: string }> {
  return sendMailOnce(deps.mailer, deps.config.mailFrom, {
    ...renderDeprecationNotice(req),
    to: req.to,
    messageId: deprecationMessageId(req, deps.config.mailFrom),
    headers: { 'X-Deprecation': req.deprecationId, 'X-Deprecation-Notice': req.label ? `${req.kind}-${req.label}` : req.kind },
    what: `the ${req.kind} deprecation notice`,
  });
}
