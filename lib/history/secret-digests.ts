/**
 * Fingerprints of an offer draft's secret fields, so two drafts can be compared ("changed" or
 * not) without keeping or showing the secrets: HMAC-SHA256 under a key derived from
 * OFFER_SECRETS_KEY, so a fingerprint cannot be tested against guessed values without the key.
 */
import { createHmac } from 'node:crypto';
import type { OfferDraft } from '../../domain/offer';
import { takeSecrets } from '../offer/secret-fields';

export function secretDigests(key: Buffer, offer: OfferDraft): Record<string, string> {
  const digestKey = createHmac('sha256', key).update('offer-secret-digest/1').digest();
  const out: Record<string, string> = {};
  for (const [path, value] of takeSecrets(offer).secrets) {
    out[path] = createHmac('sha256', digestKey).update(JSON.stringify(value ?? null)).digest('base64url');
  }
  return out;
}
