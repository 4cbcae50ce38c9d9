/**
 * Reads an offer field by the path the pipeline uses in DiskRef.field and in findings,
 * e.g. `skus[0].diskVersions[0].dataDisks[1].vhdUrl`.
 */
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
