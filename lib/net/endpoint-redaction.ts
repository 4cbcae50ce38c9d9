/**
 * How a publisher's endpoint URL is shown to people (status, e-mails, the lead delivery log,
 * messages): webhook-style endpoints carry their key in the path (`/hooks/T0123ABCD/3f9a…`) as
 * well as in the query (`?code=…`). The shown form keeps the host and the path's plain words; any
 * segment that may be a key becomes `…`. One rule, used wherever an endpoint is named.
 */

export const REDACTED = '…';

/** A path segment that may be a key: 20 or more characters, 6 or more with a digit, or any character but letters, digits, `-`, `_`, `.`. */
export function mayBeToken(segment: string): boolean {
  return segment.length >= 20 || (segment.length >= 6 && /\d/.test(segment)) || /[^A-Za-z0-9._-]/.test(segment);
}

function parse(url: string | URL): URL | undefined {
  try {
    return new URL(String(url).trim());
  } catch {
    return undefined;
  }
}

/** `host/path` without user info, query and fragment, each path segment that may be a key replaced by `…`; undefined when it is not a URL. */
export function redactedEndpoint(url: string | URL): string | undefined {
  const u = parse(url);
  if (!u) return undefined;
  const path = u.pathname
    .split('/')
    .map((s) => (s && mayBeToken(s) ? REDACTED : s))
    .join('/');
  return `${u.host}${path}`;
}

/**
 * Every part of the URL that may be a key — user info, path segments that may be keys, query
 * values, the fragment — as written and decoded: what to cut from any text that might quote the
 * URL (errors of the HTTP stack, an endpoint's answer).
 */
export function endpointSecrets(url: string | URL): string[] {
  const u = parse(url);
  if (!u) return [String(url)];
  const parts = [u.username, u.password, u.hash.slice(1), u.search.slice(1)];
  for (const s of u.pathname.split('/')) if (s && mayBeToken(s)) parts.push(s);
  // Query values as written and as parsed (`+` is a space there, `%2B` a plus).
  for (const pair of u.search.slice(1).split('&')) parts.push(pair.slice(pair.indexOf('=') + 1));
  for (const [, value] of u.searchParams) parts.push(value);
  const decoded = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  // Longest first, so a value is cut whole before any part of it.
  return [...new Set([...parts, ...decoded])].filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
}
