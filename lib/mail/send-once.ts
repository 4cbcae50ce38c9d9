/**
 * Sends one e-mail over SMTP with a Message-ID derived from what the mail is about, so a retried
 * activity re-sends the *same* message and mail systems and people can spot duplicates. Used by
 * every step that mails (notify, deprecation notices).
 */
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { ErrorType, publisherFailure } from '../../domain/errors';

/** `<prefix.hash@domain-of-mailFrom>`, the same for the same `parts`. */
export function stableMessageId(prefix: string, parts: ReadonlyArray<string>, mailFrom: string): string {
  const hash = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
  const domain = /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'marketplace.local';
  return `<${prefix}.${hash}@${domain}>`;
}

export interface MailToSend {
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
  /** What the mail is, for error messages ("the live notification"). */
  what: string;
}

export async function sendMailOnce(mailer: Transporter, mailFrom: string, mail: MailToSend): Promise<{ messageId: string }> {
  const to = [...new Set(mail.to.map((a) => a.trim()).filter(Boolean))];
  if (to.length === 0) return { messageId: '' };
  try {
    const info = await mailer.sendMail({
      from: mailFrom,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: mail.headers,
    });
    return { messageId: info.messageId || mail.messageId };
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    // A permanent SMTP rejection (5xx, e.g. every recipient refused) will not change on retry.
    if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
      throw publisherFailure(ErrorType.NotificationRejected, `The mail server rejected ${mail.what} (${e.responseCode}): check the notification e-mail addresses.`);
    }
    throw new Error(`Sending ${mail.what} failed: ${e.code ?? ''} ${String(e.message ?? err).split('\n')[0]}`.trim());
  }
}
