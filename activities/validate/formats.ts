/** Format checks the content rules share. Pure; none of them echoes the value it checks. */

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Semantic Versioning 2.0.0: numeric parts without leading zeros, dot-separated pre-release
// identifiers (numeric ones without leading zeros), dot-separated build identifiers.
const NUM = '(?:0|[1-9]\\d*)';
const PRE_ID = `(?:${NUM}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const BUILD_ID = '[0-9A-Za-z-]+';
export const SEMVER = new RegExp(`^${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`);

export const SKU_ID = /^[a-z0-9-]{1,50}$/;
export const AZURE_TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
export const SALESFORCE_ORG_ID = /^(?:[A-Za-z0-9]{15}|[A-Za-z0-9]{18})$/;
export const MUNCHKIN_ID = /^\d{3}-[A-Za-z]{3}-\d{3}$/;

/** Code points, as a publisher counts characters. */
export function charCount(s: string): number {
  return [...s].length;
}

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

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Problems with an Azure Storage connection string for the Table service (empty when usable):
 * account key or SAS credentials, and a table endpoint that is given or derivable.
 */
export function storageConnectionStringProblems(value: string): string[] {
  const pairs = new Map<string, string>();
  for (const part of value.split(';').map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) return ['is not a list of Key=Value pairs separated by ";"'];
    pairs.set(part.slice(0, i).trim().toLowerCase(), part.slice(i + 1).trim());
  }
  if (pairs.size === 0) return ['is empty'];
  if (pairs.get('usedevelopmentstorage')?.toLowerCase() === 'true') return [];

  const problems: string[] = [];
  const account = pairs.get('accountname');
  const key = pairs.get('accountkey');
  const sas = pairs.get('sharedaccesssignature');
  if (!(account && key) && !sas) problems.push('needs AccountName and AccountKey, or SharedAccessSignature');
  if (key !== undefined && (!key || !BASE64.test(key))) problems.push('has an AccountKey that is not base64');
  if (account !== undefined && !/^[a-z0-9]{3,24}$/.test(account)) {
    problems.push('has an AccountName that is not a storage account name (3–24 lower-case letters and digits)');
  }
  const protocol = pairs.get('defaultendpointsprotocol');
  if (protocol !== undefined && protocol !== 'https' && protocol !== 'http') {
    problems.push('has a DefaultEndpointsProtocol other than https or http');
  }
  const tableEndpoint = pairs.get('tableendpoint');
  if (tableEndpoint !== undefined) {
    if (checkUrl(tableEndpoint, ['https:', 'http:']).problem) problems.push('has a TableEndpoint that is not an http(s) URL');
  } else if (!account) {
    problems.push('has no table endpoint: add TableEndpoint=https://<account>.table.core.windows.net');
  }
  return problems;
}
