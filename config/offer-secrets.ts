/**
 * The secrets of stored offer snapshots (lib/storage/offer-snapshots.ts): the key they are sealed
 * with (OFFER_SECRETS_KEY) and how long they are kept once their run has ended
 * (OFFER_SNAPSHOT_RETENTION). Messages never quote the key.
 */
import ms from 'ms';
import { azuriteBlobOrigin } from './azurite-accounts';

export const OFFER_SECRETS_KEY_BYTES = 32;
export const DEFAULT_OFFER_SNAPSHOT_RETENTION = '30 days';

/**
 * The 32-byte AES-256 key from its base64 text; undefined when unset. Required when the control
 * account is a real one: only the embedded Azurite (development, tests) may run without it, and
 * then saving a snapshot fails saying so.
 */
export function parseOfferSecretsKey(value: string | undefined, controlConnectionString: string): { ok: true; key?: Buffer } | { ok: false; problem: string } {
  const text = value?.trim();
  if (!text) {
    if (azuriteBlobOrigin(controlConnectionString)) return { ok: true };
    return { ok: false, problem: 'required when AZURE_STORAGE_CONNECTION_STRING is not Azurite: 32 random bytes in base64 (openssl rand -base64 32)' };
  }
  const key = Buffer.from(text, 'base64');
  // Buffer.from ignores what is not base64; comparing the round trip catches a mistyped value.
  if (key.length !== OFFER_SECRETS_KEY_BYTES || key.toString('base64').replace(/=+$/, '') !== text.replace(/=+$/, '')) {
    return { ok: false, problem: `must be ${OFFER_SECRETS_KEY_BYTES} bytes in base64 (openssl rand -base64 32)` };
  }
  return { ok: true, key };
}

/** A duration with its unit (`30 days`, `12h`, `90s`) in milliseconds; undefined when it is not one (a bare number would be milliseconds: refused). */
export function parseDuration(value: string): number | undefined {
  if (!/[a-z]\s*$/i.test(value)) return undefined;
  const n = ms(value.trim() as ms.StringValue);
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}
