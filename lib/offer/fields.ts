/**
 * Reads an offer field by the path the pipeline uses in DiskRef.field and in findings,
 * e.g. `skus[0].diskVersions[0].dataDisks[1].vhdUrl`.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { OfferDraft } from '../../domain/offer';

/** The value at `field`, or undefined when any part of the path is missing. */
export function valueAtField(offer: OfferDraft, field: string): unknown {
  const parts = [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
  let node: unknown = offer;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/** The non-empty string at `field`; a missing value is not worth retrying, so it fails for good. */
export function urlAtField(offer: OfferDraft, field: string): string {
  const value = valueAtField(offer, field);
  if (typeof value !== 'string' || value.trim() === '') {
    throw ApplicationFailure.nonRetryable(`The offer has no URL at ${field}; add it and press Publish again.`, 'OfferFieldMissing');
  }
  return value.trim();
}
