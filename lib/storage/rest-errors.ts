/**
 * Helpers for Azure SDK errors. Their messages and properties can carry request URLs (with SAS
 * tokens) or server XML; what reaches workflow history goes through `scrubbed` first.
 */

export function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** The storage error code (`x-ms-error-code`), e.g. `CannotVerifyCopySource`, or a Node code. */
export function errorCodeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; details?: { errorCode?: unknown } } | null;
  const code = e?.details?.errorCode ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Removes query strings (SAS tokens) from URLs and `sig=`/`AccountKey=` values from text. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/(https?:\/\/[^\s?#"'<>]+)\?[^\s"'<>]*/gi, '$1?…')
    .replace(/\b(sig|AccountKey|SharedAccessSignature|SharedAccessKey)=[^;&\s"']+/gi, '$1=…');
}

/** A plain (retryable) error whose message is safe for history: first line only, secrets scrubbed. */
export function scrubbed(prefix: string, err: unknown): Error {
  const status = statusOf(err);
  const code = errorCodeOf(err);
  const message = String((err as Error | null)?.message ?? err).split('\n')[0].slice(0, 300);
  const tag = [status, code].filter((x) => x !== undefined).join(' ');
  // Storage errors bodies are XML; a tag says more than their first line.
  const detail = message.startsWith('<') ? '' : message;
  return new Error(scrubSecrets(`${prefix}${tag ? ` (${tag})` : ''}${detail ? `: ${detail}` : ''}`));
}
