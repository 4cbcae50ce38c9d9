/**
 * The offer's logos as its product pages show them: each copied into the run's catalog assets by
 * the storage service (lib/storage/catalog-assets.ts), checked to still be the PNG validate
 * accepted, and linked through the API route that serves it. A page never carries the publisher's
 * logo URL: with its SAS (a container SAS reads every blob beside it) it would be public.
 */
import { apiUrl } from '../../domain/api-paths';
import { ErrorType, publisherFailure } from '../../domain/errors';
import { LOGO_SIZES, type LogoKind, type OfferDraft } from '../../domain/offer';
import type { RunKey } from '../../domain/pipeline';
import { httpUrl } from '../../lib/html/escape';
import { assertUrlAllowed, UrlPolicyError } from '../../lib/net/url-policy';
import { copyRunLogo, readRunLogoHead } from '../../lib/storage/catalog-assets';
import { errorCodeOf, scrubbed, scrubSecrets, statusOf } from '../../lib/storage/rest-errors';
import { logoProblem, PNG_HEADER_BYTES } from '../validate/png';
import type { ActivityDeps } from '../deps';

/** Copies every logo the offer has into the run's assets; returns our URL of each, by kind. */
export async function copyLogos(deps: ActivityDeps, ref: RunKey, offer: OfferDraft): Promise<Partial<Record<LogoKind, string>>> {
  const urls: Partial<Record<LogoKind, string>> = {};
  for (const kind of Object.keys(LOGO_SIZES) as LogoKind[]) {
    const source = httpUrl(offer.logos?.[kind]);
    if (!source) continue;
    await copyLogo(deps, ref, kind, source);
    urls[kind] = apiUrl(deps.config.publicBaseUrl, 'catalogLogo', { publisherId: ref.publisherId, offerId: ref.offerId, runId: ref.runId, logoKind: kind });
  }
  return urls;
}

async function copyLogo(deps: ActivityDeps, ref: RunKey, kind: LogoKind, source: string): Promise<void> {
  const field = `logos.${kind}`;
  try {
    // Validate held the URL to the same policy; this guards a policy changed since.
    assertUrlAllowed(source, deps.config.urlPolicy);
  } catch (err) {
    if (err instanceof UrlPolicyError) throw publisherFailure(ErrorType.LogoNotReadable, `The logo URL at ${field} is not allowed: ${scrubSecrets(err.message)}`);
    throw err;
  }
  try {
    await copyRunLogo(deps.blobs, ref, kind, source);
  } catch (err) {
    const status = statusOf(err);
    // The storage service was refused reading the source, or it is gone: the publisher's to fix.
    if ((errorCodeOf(err) === 'CannotVerifyCopySource' && status !== undefined && status < 500) || status === 404) {
      throw publisherFailure(
        ErrorType.LogoNotReadable,
        `The ${kind} logo at ${field} could not be copied into the catalog (HTTP ${status}): check that the URL is right and that its SAS grants read access and has not expired.`,
      );
    }
    throw scrubbed(`Copying the ${kind} logo into the catalog failed`, err);
  }
  // The file may have changed since validate read it: the copy is what customers will be served.
  const problem = logoProblem(kind, await readRunLogoHead(deps.blobs, ref, kind, PNG_HEADER_BYTES));
  if (problem) throw publisherFailure(ErrorType.LogoNotReadable, `The ${kind} logo at ${field} changed since validation and now ${problem}; then publish again.`);
}
