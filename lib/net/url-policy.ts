/**
 * The policy under which publisher-given URLs (images, logos, lead endpoints) are fetched.
 * Publisher URLs are untrusted: without this, a URL could make our workers read internal
 * services (SSRF). A URL must pass the scheme and host list (`assertUrlAllowed`); every
 * connection, the address rule (`addressAllowed`), checked on the addresses the socket connects
 * to (./guarded-connect.ts). Messages never carry a URL's query string, which may hold a SAS token.
 */
import type { Agent as HttpAgent } from 'node:http';
import { isIP } from 'node:net';
import { fetch as undiciFetch, type Agent, type RequestInit as UndiciRequestInit } from 'undici';
import { classifyAddress, isLocalLoopback } from './address-class';
import { guardedDispatcher, guardedNodeAgent, systemResolver, type ConnectGuard, type Resolver } from './guarded-connect';

export { classifyAddress, type AddressClass } from './address-class';
export type { Resolver } from './guarded-connect';

/** Where and how publisher URLs may be fetched (config: `urlPolicy` for images and logos, `leadUrlPolicy` for lead endpoints). */
export interface UrlPolicy {
  /** Host names (`images.contoso.example`), suffixes (`.blob.core.windows.net`) or `*` for any public host. */
  allowedHosts: string[];
  /** Development only: loopback addresses, http and `file:` URLs. */
  allowLoopback: boolean;
  /** Time budget of one fetch. */
  timeoutMs: number;
  /** Where host names resolve (default: the system resolver, as `dns.lookup`); tests pass a stub. */
  resolver?: Resolver;
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
    // `*`: any host name; the address rule still refuses non-public addresses when connecting.
    if (e === '*') return true;
    return e.startsWith('.') ? host.endsWith(e) && host.length > e.length : host === e;
  });
}

/** `localhost` or a loopback address (IPv4, IPv6, IPv4-mapped): what `allowLoopback` opens up. */
export function isLoopbackHost(hostname: string): boolean {
  const host = bareHost(hostname);
  return host === 'localhost' || (isIP(host) !== 0 && isLocalLoopback(host));
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

/** Reaching this address is allowed: a public one, or our own loopback when the policy allows it. The one address rule. */
export function addressAllowed(address: string, policy: Pick<UrlPolicy, 'allowLoopback'>): boolean {
  return classifyAddress(address) === 'public' || (policy.allowLoopback && isLocalLoopback(address));
}

/** Error code of a refused address; SDKs that rewrap errors keep it (the Azure SDK's RestError does). */
export const BLOCKED_BY_POLICY = 'ERR_BLOCKED_BY_POLICY';

/**
 * A host that may not be reached: one whose addresses are not all public, and, alike, a name that
 * does not exist or has no addresses, so that the answer cannot tell a publisher which internal
 * names exist. The message names the host as the publisher gave it, never an address; it is raised
 * before a connection is attempted, so it cannot tell an open port from a closed one.
 */
export class BlockedByPolicyError extends UrlPolicyError {
  override name = 'BlockedByPolicyError';
  readonly code = BLOCKED_BY_POLICY;
  constructor(
    readonly host: string,
    url?: URL,
  ) {
    super(`${url ? `${redactUrl(url)}: ` : ''}the host ${bareHost(host)} cannot be reached: only names whose addresses are all public internet addresses can (check the name).`);
  }
}

/** Resolver answers that mean "no such name" (not a resolver failing for a while). */
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

/** `resolve`, with a name that does not exist or has no addresses refused like a blocked one. */
function refusingUnknownNames(resolve: Resolver): Resolver {
  return async (host) => {
    let addresses: string[];
    try {
      addresses = await resolve(host);
    } catch (err) {
      if (NO_SUCH_NAME.has(String((err as { code?: unknown }).code))) throw new BlockedByPolicyError(host);
      throw err;
    }
    if (addresses.length === 0) throw new BlockedByPolicyError(host);
    return addresses;
  };
}

/** The error, or one it wraps (fetch's `cause`), is a refused address. */
export function isBlockedByPolicy(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === BLOCKED_BY_POLICY) return true;
  }
  return false;
}

function connectGuard(policy: UrlPolicy): ConnectGuard {
  return {
    resolve: refusingUnknownNames(policy.resolver ?? systemResolver),
    check: (address, host) => {
      if (!addressAllowed(address, policy)) throw new BlockedByPolicyError(host);
    },
  };
}

// One transport per policy (and protocol), so connections are reused between requests.
const dispatchers = new WeakMap<UrlPolicy, Agent>();
const nodeAgents = new WeakMap<UrlPolicy, Map<boolean, HttpAgent>>();

/**
 * A Node http(s) agent whose connections pass the policy's address rule at connect time, for an
 * SDK with its own HTTP client (the Azure Table client); `url` picks http or https.
 */
export function policyNodeAgent(policy: UrlPolicy, url: URL): HttpAgent {
  const secure = url.protocol === 'https:';
  const byProtocol = nodeAgents.get(policy) ?? new Map<boolean, HttpAgent>();
  nodeAgents.set(policy, byProtocol);
  let agent = byProtocol.get(secure);
  if (!agent) byProtocol.set(secure, (agent = guardedNodeAgent(connectGuard(policy), secure)));
  return agent;
}

/**
 * fetch whose every connection passes the policy's address rule at connect time (the host list,
 * scheme and redirects are `assertUrlAllowed`'s and `policedFetch`'s business). Redirects are not followed.
 */
export function guardedFetch(url: URL | string, init: RequestInit, policy: UrlPolicy): Promise<Response> {
  let dispatcher = dispatchers.get(policy);
  if (!dispatcher) dispatchers.set(policy, (dispatcher = guardedDispatcher(connectGuard(policy))));
  return undiciFetch(url, { ...(init as UndiciRequestInit), redirect: 'manual', dispatcher }) as unknown as Promise<Response>;
}

/**
 * For a URL someone else fetches (Azure's server-side copy): resolves the host and refuses it
 * unless every address is allowed. Our own connections are checked at connect time instead
 * (`guardedFetch`, `policyNodeAgent`): a check ahead of the connect cannot stop DNS answering
 * differently when the connection is made. `file:` URLs have nothing to resolve.
 */
export async function resolveAndCheck(target: URL | string, policy: UrlPolicy, resolve: Resolver = policy.resolver ?? systemResolver): Promise<string[]> {
  const url = typeof target === 'string' ? assertUrlAllowed(target, policy) : target;
  if (url.protocol === 'file:') return [];
  const host = bareHost(url.hostname);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await refusingUnknownNames(resolve)(host);
    } catch (err) {
      if (err instanceof BlockedByPolicyError) throw new BlockedByPolicyError(host, url);
      throw new UrlFetchError(`${redactUrl(url)}: the host name ${host} could not be resolved right now; try again.`);
    }
  }
  if (!addresses.every((a) => addressAllowed(a, policy))) throw new BlockedByPolicyError(host, url);
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
 * fetch under the policy: every URL (redirect targets included) passes `assertUrlAllowed`, and
 * every connection the address rule (`guardedFetch`); at most 3 redirects, and only within the
 * same host; a timeout of `policy.timeoutMs` over the whole exchange, body included.
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
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause instanceof BlockedByPolicyError) return new BlockedByPolicyError(cause.host, current);
    if (timeout.aborted) return new UrlFetchError(`${redactUrl(current)}: no complete answer within ${policy.timeoutMs} ms.`);
    // A name that does not exist is refused by the guard's resolver already (BlockedByPolicyError).
    if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return new UrlFetchError(`${redactUrl(current)}: the host name ${bareHost(current.hostname)} could not be resolved right now; try again.`);
    const why = cause?.code ?? cause?.message ?? (err as Error | undefined)?.message ?? String(err);
    return new UrlFetchError(`${redactUrl(current)}: the request failed (${why}).`);
  };

  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await guardedFetch(current, { ...init, method, body, signal }, policy);
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
