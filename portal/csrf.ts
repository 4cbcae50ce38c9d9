/**
 * CSRF tokens (signed double submit): the token is an HMAC, under a secret, of what binds the
 * browser — its session id, or before sign-in a random pre-session cookie. The secret is derived
 * from OFFER_SECRETS_KEY, so every API process (and one restarted) accepts the tokens of the
 * others, as it serves their sessions; without that key, a random secret of this process. Every
 * state-changing request carries it (form field `_csrf` or header `x-csrf-token`); another site
 * can neither read it nor forge it, and it is worthless with another browser's cookie.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The CSRF secret of every process sharing `key` (its own, labelled derivation: not the key itself). */
export const csrfSecretFrom = (key: Buffer): Buffer => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'portal-csrf-secret', 32));

export class CsrfTokens {
  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  tokenFor(binding: string): string {
    return createHmac('sha256', this.secret).update(`portal-csrf\0${binding}`).digest('base64url');
  }

  verify(binding: string | undefined, token: unknown): boolean {
    if (!binding || typeof token !== 'string') return false;
    const expected = Buffer.from(this.tokenFor(binding));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
