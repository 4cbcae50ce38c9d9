/**
 * The policy under which publisher-given URLs (images, logos, lead endpoints) are fetched.
 * Publisher URLs are untrusted: without this, a URL could make our workers read internal
 * services (SSRF). Messages never carry a URL's query string, which may hold a SAS token.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';

/** Where and how publisher URLs may be fetched (config: `urlPolicy` for images and logos, `leadUrlPolicy` for lead endpoints). */
export interface UrlPolicy {
  /** Host names (`images.contoso.example`), suffixes (`.blob.core.windows.net`) or `*` for any public host. */
  allowedHosts: string[];
  /** Development only: loopback addresses, http and `file:` URLs. */
  allowLoopback: boolean;
  /** Time budget of one fetch. */
  timeoutMs: number;
}

/** The URL is not allowed; the message is meant for the publisher. */
export class UrlPolicyError extends Error {
  override name = 'UrlPolicyError';
}

/** The URL is allowed but could not be fetched as required; the message is meant for the publisher. */
export class UrlFetchError extends Error {
  override name = 'UrlFetchError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export const MAX_REDIRECTS = 3;

/** The URL without credentials, query and fragment: safe for messages and logs. */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    // Not a URL: still cut anything that could be a query or credentials.
    const s = String(url).split(/[?#]/)[0];
    return s.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
  if (u.protocol === 'file:') return `file://${u.pathname}`;
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

export function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = bareHost(hostname);
  return allowedHosts.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (!e) return false;
    // `*`: any host name; resolveAndCheck still refuses private, loopback and link-local addresses.
    if (e === '*') return true;
    return e.startsWith('.') ? host.endsWith(e) && host.length > e.length : host === e;
  });
}

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

function classifyV4(addr: string): AddressClass {
  const [a, b] = addr.split('.').map(Number);
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // carrier-grade NAT
  if (a === 169 && b === 254) return 'link-local'; // includes cloud metadata endpoints
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240 || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19))) return 'reserved';
  return 'public';
}

/** The eight 16-bit groups of an IPv6 address (embedded IPv4 tail included). */
function v6Groups(addr: string): number[] {
  let s = addr.split('%')[0];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1].split('.').map(Number);
    s = s.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail !== undefined ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

export function classifyAddress(addr: string): AddressClass {
  const family = isIP(addr);
  if (family === 4) return classifyV4(addr);
  if (family !== 6) return 'reserved';
  const g = v6Groups(addr);
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses reach the IPv4 address.
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (mapped || nat64) return classifyV4(`${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`);
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0] & 0xfe00) === 0xfc00) return 'private';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  return 'public';
}

/** `localhost` or a loopback address (IPv4, IPv6, IPv4-mapped): what `allowLoopback` opens up. */
export function isLoopbackHost(hostname: string): boolean {
  const host = bareHost(hostname);
  return host === 'localhost' || (isIP(host) !== 0 && classifyAddress(host) === 'loopback');
}

/**
 * The parsed URL if the policy allows fetching it: https to an allowed host; or, when
 * `allowLoopback` (development and tests), http(s) to a loopback address or a `file:` URL.
 */
export function assertUrlAllowed(url: string, policy: UrlPolicy): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UrlPolicyError(`"${redactUrl(url)}" is not a valid absolute URL.`);
  }
  const shown = redactUrl(u);
  if (u.username || u.password) {
    throw new UrlPolicyError(`${shown}: URLs must not contain a user name or password (user:password@).`);
  }
  if (u.protocol === 'file:') {
    if (policy.allowLoopback && (u.hostname === '' || u.hostname === 'localhost')) return u;
    throw new UrlPolicyError(`${shown}: file: URLs are not allowed; use an https URL.`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new UrlPolicyError(`${shown}: the ${u.protocol} scheme is not allowed; use an https URL.`);
  }
  if (policy.allowLoopback && isLoopbackHost(u.hostname)) return u;
  if (u.protocol !== 'https:') throw new UrlPolicyError(`${shown}: only https URLs are allowed.`);
  if (!hostAllowed(u.hostname, policy.allowedHosts)) {
    const allowed = policy.allowedHosts.map((h) => (h.startsWith('.') ? `*${h}` : h)).join(', ') || 'none configured';
    throw new UrlPolicyError(`${shown}: the host ${bareHost(u.hostname)} is not an allowed host (allowed: ${allowed}).`);
  }
  return u;
}

export type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Resolves the URL's host and refuses it when any address is internal (private, link-local,
 * multicast…; loopback too unless the policy allows it), so DNS cannot point us at internal
 * services. Returns the addresses. `file:` URLs have nothing to resolve.
 */
export async function resolveAndCheck(target: URL | string, policy: UrlPolicy, lookup: Lookup = systemLookup): Promise<string[]> {
  const url = typeof target === 'string' ? assertUrlAllowed(target, policy) : target;
  if (url.protocol === 'file:') return [];
  const host = bareHost(url.hostname);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await lookup(host);
    } catch {
      throw new UrlFetchError(`${redactUrl(url)}: the host name ${host} could not be resolved.`);
    }
    if (addresses.length === 0) throw new UrlFetchError(`${redactUrl(url)}: the host name ${host} has no addresses.`);
  }
  for (const a of addresses) {
    const cls = classifyAddress(a);
    if (cls === 'public' || (cls === 'loopback' && policy.allowLoopback)) continue;
    throw new UrlPolicyError(`${redactUrl(url)}: the host ${host} resolves to a ${cls} address, which is not allowed.`);
  }
  return addresses;
}

/** What the publisher should do about an HTTP status, in words. */
export function httpStatusProblem(status: number): string {
  if (status === 401 || status === 403) {
    return `access was denied (HTTP ${status}); check that the SAS token is valid, not expired and grants read permission`;
  }
  if (status === 404) return 'nothing was found there (HTTP 404); check the URL';
  if (status === 416) return 'the server refused the byte range (HTTP 416); the file may be empty';
  if (status >= 500) return `the server failed (HTTP ${status}); try again later`;
  return `the server answered HTTP ${status}`;
}

export interface PolicedFetchOptions {
  /** Most body bytes accepted; more is an error (or, with `head`, cut off). */
  maxBytes: number;
  signal?: AbortSignal;
  lookup?: Lookup;
}

/** A response whose body is read under a byte budget. */
export class PolicedResponse {
  bytesReceived = 0;

  constructor(
    private readonly res: Response,
    /** Where the response came from, after redirects. */
    readonly url: URL,
    private readonly maxBytes: number,
    private readonly mapError: (err: unknown) => Error,
  ) {}

  get status(): number {
    return this.res.status;
  }

  get headers(): Headers {
    return this.res.headers;
  }

  /** The whole body; more than `maxBytes` is an error. */
  async bytes(): Promise<Buffer> {
    const { chunks, total, more } = await this.collect(this.maxBytes, false);
    if (more) throw new UrlFetchError(`${redactUrl(this.url)}: the response is larger than ${this.maxBytes} bytes.`);
    return Buffer.concat(chunks, total);
  }

  /** The first `n` bytes (at most `maxBytes`); the rest of the body is not transferred. */
  async head(n: number): Promise<Buffer> {
    const limit = Math.min(n, this.maxBytes);
    const { chunks, total } = await this.collect(limit, true);
    return Buffer.concat(chunks, total).subarray(0, limit);
  }

  async discard(): Promise<void> {
    await this.res.body?.cancel().catch(() => undefined);
  }

  /** Reads until the end, or until more than `limit` bytes (or `limit` when `stopWhenFull`). */
  private async collect(limit: number, stopWhenFull: boolean): Promise<{ chunks: Buffer[]; total: number; more: boolean }> {
    const chunks: Buffer[] = [];
    let total = 0;
    if (!this.res.body) return { chunks, total, more: false };
    const reader = this.res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { chunks, total, more: false };
        this.bytesReceived += value.byteLength;
        chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        total += value.byteLength;
        if (total > limit || (stopWhenFull && total >= limit)) {
          // Stop the transfer: the body may be a multi-GB image.
          await reader.cancel().catch(() => undefined);
          return { chunks, total, more: total > limit };
        }
      }
    } catch (err) {
      throw this.mapError(err);
    } finally {
      reader.releaseLock();
    }
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * fetch under the policy: every URL (redirect targets included) passes `assertUrlAllowed` and
 * `resolveAndCheck`; at most 3 redirects, and only within the same host; a timeout of
 * `policy.timeoutMs` over the whole exchange, body included.
 */
export async function policedFetch(url: string, init: RequestInit, policy: UrlPolicy, opts: PolicedFetchOptions): Promise<PolicedResponse> {
  let current = assertUrlAllowed(url, policy);
  if (current.protocol === 'file:') throw new UrlPolicyError(`${redactUrl(current)}: file: URLs cannot be fetched over HTTP.`);
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const callers = [opts.signal, init.signal].filter((s): s is AbortSignal => !!s);
  const signal = AbortSignal.any([...callers, timeout]);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;

  const mapError = (err: unknown): Error => {
    const aborted = callers.find((s) => s.aborted);
    if (aborted) return aborted.reason instanceof Error ? aborted.reason : new Error('aborted');
    if (err instanceof UrlPolicyError || err instanceof UrlFetchError) return err;
    if (timeout.aborted) return new UrlFetchError(`${redactUrl(current)}: no complete answer within ${policy.timeoutMs} ms.`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error | undefined)?.message ?? String(err);
    return new UrlFetchError(`${redactUrl(current)}: the request failed (${why}).`);
  };

  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      await resolveAndCheck(current, policy, opts.lookup);
      res = await fetch(current, { ...init, method, body, redirect: 'manual', signal });
    } catch (err) {
      throw mapError(err);
    }
    if (!REDIRECTS.has(res.status)) return new PolicedResponse(res, current, opts.maxBytes, mapError);

    await res.body?.cancel().catch(() => undefined);
    const location = res.headers.get('location');
    if (!location) throw new UrlFetchError(`${redactUrl(current)}: the server answered HTTP ${res.status} without a Location.`, res.status);
    if (hop >= MAX_REDIRECTS) throw new UrlFetchError(`${redactUrl(url)}: more than ${MAX_REDIRECTS} redirects.`, res.status);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new UrlFetchError(`${redactUrl(current)}: the server redirects to an invalid URL.`, res.status);
    }
    if (next.host !== current.host) {
      throw new UrlPolicyError(
        `${redactUrl(current)} redirects to another host (${next.host}); redirects are only followed within the same host. Use the final URL instead.`,
      );
    }
    current = assertUrlAllowed(next.href, policy);
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
  }
}
