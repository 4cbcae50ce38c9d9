/**
 * CSRF tokens (signed double submit): the token is an HMAC, under a secret of this process, of
 * what binds the browser — its session id, or before sign-in a random pre-session cookie. Every
 * state-changing request carries it (form field `_csrf` or header `x-csrf-token`); another site
 * can neither read it nor forge it, and it is worthless with another browser's cookie.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export class CsrfTokens {
  private readonly secret = randomBytes(32);

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
