/**
 * Azurite checks the source of a cross-account Copy Blob by sending Get Blob Metadata
 * (`GET <blob>?comp=metadata`) to itself with axios, but serves that request as Get Blob: it
 * downloads the whole image into one string, and a 1 GiB VHD fails with HTTP 500. Hooked into the
 * axios module its BlobHandler uses, the check goes out as Get Blob Properties (HEAD, same URL and
 * SAS, so the same authorization), which carries the same headers without a body. A HEAD refusal
 * has no body either, so it gets Azure's XML error body from `x-ms-error-code`: Azurite takes the
 * copy's error message from it, which would otherwise say only that the source could not be verified.
 *
 * A check that passed is remembered for its URL (with its SAS) for PASSED_CHECK_MS, never past the
 * SAS's expiry, so a run copying one image into 55 regions' accounts sends it once, not 55 times:
 * on Azure this check is the storage service's own work, not a request of ours, and here it cost the
 * emulator a second HTTP round trip per copy (the emulator's one core was what 20 publishes at once
 * waited on). A refused check is never remembered, and a source deleted meanwhile still fails the
 * copy (Azurite's copy reads the source's record).
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { AxiosAdapter, AxiosRequestConfig, AxiosResponse, AxiosStatic } from 'axios';

/** How long a passed check of one source URL (with its SAS) is remembered. */
export const PASSED_CHECK_MS = 5_000;

/** Azure's messages for the errors a copy source check can meet (the status alone is vaguer). */
const ERROR_MESSAGES: Record<string, string> = {
  AuthenticationFailed: 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
  AuthorizationFailure: 'This request is not authorized to perform this operation.',
  AuthorizationPermissionMismatch: 'This request is not authorized to perform this operation using this permission.',
  BlobNotFound: 'The specified blob does not exist.',
  ContainerNotFound: 'The specified container does not exist.',
  ResourceNotFound: 'The specified resource does not exist.',
};

/**
 * Installs the hook on the axios module that `<azuriteSrc>/blob/handlers/BlobHandler.js` loads
 * (resolved from there, so it is the same instance); before Azurite serves requests.
 */
export function hookAzuriteCopySourceCheck(azuriteSrc: string): void {
  const loaded = createRequire(path.join(azuriteSrc, 'blob', 'handlers', 'BlobHandler.js'))('axios') as AxiosStatic & { default?: AxiosStatic };
  const axios = loaded.default ?? loaded;
  const checks = new WeakSet<AxiosRequestConfig>();
  const passed = new PassedChecks();
  axios.interceptors.request.use((config) => {
    if (!isGetBlobMetadata(config)) return config;
    checks.add(config);
    config.method = 'head';
    const url = config.url!;
    const send: AxiosAdapter = config.adapter ?? axios.defaults.adapter!;
    config.adapter = async (c) => {
      if (passed.has(url)) return { status: 200, statusText: 'OK', headers: {}, data: '', config: c };
      const response = await send(c);
      if (response.status === 200) passed.add(url);
      return response;
    };
    return config;
  });
  axios.interceptors.response.use((response) => (checks.has(response.config) ? withErrorBody(response) : response));
}

/** Source URLs whose check passed, until PASSED_CHECK_MS later or their SAS's expiry (`se`), whichever is first. */
export class PassedChecks {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  has(url: string): boolean {
    const until = this.until.get(url);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(url);
    return false;
  }

  add(url: string): void {
    const now = this.now();
    for (const [u, until] of this.until) if (until <= now) this.until.delete(u);
    const expiry = Date.parse(new URL(url, 'http://azurite').searchParams.get('se') ?? '');
    const until = Math.min(now + PASSED_CHECK_MS, Number.isNaN(expiry) ? Infinity : expiry);
    if (until > now) this.until.set(url, until);
  }
}

/** `GET <blob>?comp=metadata` (container metadata has `restype=container`, which Azurite serves). */
function isGetBlobMetadata(config: AxiosRequestConfig): boolean {
  if (config.method?.toLowerCase() !== 'get' || !config.url) return false;
  const url = new URL(config.url, config.baseURL ?? 'http://azurite');
  return url.searchParams.get('comp') === 'metadata' && !url.searchParams.has('restype');
}

/** A refusal with Azure's error code gets Azure's XML error body, as Get Blob Metadata answers it. */
function withErrorBody(response: AxiosResponse): AxiosResponse {
  const code = response.headers['x-ms-error-code'];
  if (response.status === 200 || !code) return response;
  response.data =
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(ERROR_MESSAGES[code] ?? code)}</Message></Error>`;
  response.headers['content-type'] = 'application/xml';
  return response;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
