/**
 * The error catalogue: every error type a failure may carry across Temporal (an ApplicationFailure's
 * `type`) or the API gives as a refusal, named once, with what it means and who must act. Activities,
 * the workflow, the API and the tests take the names from here; nothing else spells one.
 *
 * Imported by workflow code: only `@temporalio/common`, no Node built-ins.
 */
import { ApplicationFailure } from '@temporalio/common';

/**
 * Who must act on a failure of the type:
 * - `publisher`: something in the offer or its resources; the step fails with what to fix
 *   (non-retryable: retrying will not change it);
 * - `refusal`: the request does not apply now (HTTP 409 with the reason); nothing failed;
 * - `infrastructure`: ours (configuration, storage, network); Temporal retries it, and one that
 *   outlives its retries fails the step as our problem, never as something for the publisher to fix.
 * A failure whose type is not catalogued (a plain Error, a timeout) counts as infrastructure.
 */
export type ErrorKind = 'publisher' | 'refusal' | 'infrastructure';

export interface ErrorTypeEntry<K extends ErrorKind = ErrorKind> {
  kind: K;
  meaning: string;
}

const publisher = (meaning: string): ErrorTypeEntry<'publisher'> => ({ kind: 'publisher', meaning });
const refusal = (meaning: string): ErrorTypeEntry<'refusal'> => ({ kind: 'refusal', meaning });
const infrastructure = (meaning: string): ErrorTypeEntry<'infrastructure'> => ({ kind: 'infrastructure', meaning });

export const ERROR_CATALOGUE = {
  // The offer and what it points at.
  OfferFieldMissing: publisher('A field the step needs (e.g. a disk URL) is empty in the stored offer.'),
  ImageUrlNotAllowed: publisher('A disk image URL is outside the URL policy (host not allowed, not https, a private address).'),
  ImageNotFound: publisher('There is no blob at a disk image URL.'),
  ImageNotReadable: publisher("The storage service was refused reading a disk image: the SAS lacks read access or expired."),
  ImageNotPageBlob: publisher('A disk image is not stored as a page blob.'),
  LogoNotReadable: publisher('A logo could not be copied into the catalog: its URL no longer reads (SAS expired, blob gone) or no longer holds a PNG of its size.'),
  LeadDestinationInvalid: publisher('The lead destination settings cannot work (a malformed URL, connection string, id or table name).'),
  LeadDestinationNotAllowed: publisher('A lead destination endpoint is outside the lead URL policy.'),
  LeadDestinationRejected: publisher('The lead destination refused the test lead or its credentials (a 4xx answer).'),
  PreviewPageMissing: publisher('The preview page to put live no longer exists (a later publish replaced it); publish again.'),
  NotificationRejected: publisher('The mail server refused the notification for good (5xx): the notification addresses are wrong.'),

  // Requests that do not apply to the run as it is (API 409).
  InvalidState: refusal('Go live before sign-off, cancel after Go live or after the end, e-mails when none are awaited.'),
  PublishInProgress: refusal('Another publish of this offer is running; one run at a time per offer.'),
  OfferNotLive: refusal('Deprecation applies to a live offer; this one is not live (or the plan or version is not on its live page).'),
  NoticeTooShort: refusal('A deprecation may not take effect before the minimum notice (DEPRECATION_MIN_NOTICE), unless for a critical security issue.'),
  DeprecationScheduled: refusal('Another part of the offer has a deprecation in progress; one deprecation at a time per offer.'),

  // Ours: retried; past the retries the step fails saying the problem is ours.
  RegionStorageUnavailable: infrastructure("A region's storage account cannot be used: REGION_STORAGE is wrong, its key was rotated, or the account is down."),
  CopySourceRefused: infrastructure("A region's account was refused reading an image in the control account with the SAS we minted for the copy."),
} as const satisfies Record<string, ErrorTypeEntry>;

export type ErrorType = keyof typeof ERROR_CATALOGUE;
type TypesOf<K extends ErrorKind> = { [T in ErrorType]: (typeof ERROR_CATALOGUE)[T]['kind'] extends K ? T : never }[ErrorType];
export type PublisherErrorType = TypesOf<'publisher'>;
export type RefusalType = TypesOf<'refusal'>;
export type InfrastructureErrorType = TypesOf<'infrastructure'>;

/** The names as values (`ErrorType.ImageNotFound`), so callers and tests never spell one. */
export const ErrorType = Object.freeze(Object.fromEntries(Object.keys(ERROR_CATALOGUE).map((t) => [t, t]))) as { readonly [T in ErrorType]: T };

/** The kind of a catalogued type; undefined for any other (which counts as infrastructure). */
export function errorKindOf(type: string | null | undefined): ErrorKind | undefined {
  return type && Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, type) ? ERROR_CATALOGUE[type as ErrorType].kind : undefined;
}

/** Something the publisher must fix: fails the step with `message` (which says what to fix), never retried. */
export function publisherFailure(type: PublisherErrorType, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

/** A refused request (an update validator's answer); `message` is the reason the API shows. */
export function refusalFailure(type: RefusalType, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

/** Our problem, retried; `message` is for operators' logs and history only, never for the publisher. */
export function infrastructureFailure(type: InfrastructureErrorType, message: string): ApplicationFailure {
  return ApplicationFailure.retryable(message, type);
}

/** True for a failure the publisher must fix (a catalogued publisher type). */
export function isPublisherFailure(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && errorKindOf(err.type) === 'publisher';
}

/** The refusal a failure carries (type and reason), or undefined when it is not a catalogued refusal. */
export function refusalOf(err: unknown): { type: RefusalType; message: string } | undefined {
  if (!(err instanceof ApplicationFailure) || errorKindOf(err.type) !== 'refusal') return undefined;
  return { type: err.type as RefusalType, message: err.message };
}
