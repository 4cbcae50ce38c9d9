/** Format checks the content rules share. Pure; none of them echoes the value it checks. */
import { TEXT_LIMITS } from '../../domain/offer';

export { charCount } from '../../domain/offer';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Semantic Versioning 2.0.0: numeric parts without leading zeros, dot-separated pre-release
// identifiers (numeric ones without leading zeros), dot-separated build identifiers.
const NUM = '(?:0|[1-9]\\d*)';
const PRE_ID = `(?:${NUM}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const BUILD_ID = '[0-9A-Za-z-]+';
export const SEMVER = new RegExp(`^${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`);

export const SKU_ID = new RegExp(`^[a-z0-9-]{1,${TEXT_LIMITS.skuId}}$`);

export type UrlProblem = 'invalid' | 'credentials' | 'scheme' | null;

/** Parses an absolute URL with one of `schemes` (e.g. `['https:']`) and no user:password@. */
export function checkUrl(value: string, schemes: readonly string[]): { url?: URL; problem: UrlProblem } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'invalid' };
  }
  if (url.username || url.password) return { url, problem: 'credentials' };
  if (!schemes.includes(url.protocol)) return { url, problem: 'scheme' };
  if (url.protocol !== 'file:' && !url.hostname) return { url, problem: 'invalid' };
  return { url, problem: null };
}

/** At least 6 digits, with only the usual separators and an optional leading + or extension. */
export function looksLikePhone(value: string): boolean {
  const main = value.replace(/\s*(?:x|ext\.?)\s*\d+$/i, '');
  if (!/^\+?[\d\s().\-/]+$/.test(main)) return false;
  const digits = main.replace(/\D/g, '').length;
  return digits >= 6 && digits <= 20;
}
