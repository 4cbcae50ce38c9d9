/**
 * Authenticated encryption of small documents at rest: AES-256-GCM (node:crypto) with a fresh
 * 96-bit IV per seal. `context` is bound as additional data, so a sealed box moved to another
 * document does not open. The box names its key by a fingerprint, so opening with another key
 * fails saying so rather than with a bare authentication error.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const SEALED_ALGORITHM = 'AES-256-GCM';

export interface SealedBox {
  alg: typeof SEALED_ALGORITHM;
  /** Fingerprint of the key (not the key): tells which key a box needs. */
  keyId: string;
  iv: string;
  tag: string;
  data: string;
}

/** Why a box could not be opened; the message names no secret. */
export class SealedBoxError extends Error {
  override name = 'SealedBoxError';
}

/** A one-way fingerprint of the key (16 hex digits of a labelled SHA-256). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('offer-secrets-key-id\n').update(key).digest('hex').slice(0, 16);
}

export function seal(key: Buffer, plaintext: Buffer, context: string): SealedBox {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { alg: SEALED_ALGORITHM, keyId: keyIdOf(key), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** The plaintext; throws SealedBoxError when there is no key, it is another key, or the box was altered or moved. */
export function open(key: Buffer | undefined, box: SealedBox, context: string, keyName: string): Buffer {
  if (box.alg !== SEALED_ALGORITHM) throw new SealedBoxError(`it is sealed with ${String(box.alg)}, which this version cannot open`);
  if (!key) throw new SealedBoxError(`it is encrypted and ${keyName} is not set: set it to the key it was written with`);
  if (box.keyId !== keyIdOf(key)) {
    throw new SealedBoxError(`it was encrypted with another key (key id ${box.keyId}) than ${keyName} (key id ${keyIdOf(key)}): set the key it was written with`);
  }
  try {
    // A full-length tag only: GCM would otherwise accept a truncated one.
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(box.data, 'base64')), decipher.final()]);
  } catch {
    throw new SealedBoxError('its encrypted part does not authenticate: it was altered or belongs to another document');
  }
}
