/**
 * What one offer draft changes against another, field by field (GET …/changes). Drafts are
 * compared without their secret fields; those are compared by their keyed fingerprints
 * (secret-digests.ts) and listed as changed, added or removed without any value.
 */
import type { OfferDraft } from '../../domain/offer';

export interface DraftChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

type Leaves = Map<string, unknown>;

/** Every leaf value by path (`skus[0].diskVersions[1].version`); empty objects and arrays are leaves. */
function leaves(value: unknown, path = '', out: Leaves = new Map()): Leaves {
  if (Array.isArray(value) && value.length > 0) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  } else if (path) out.set(path, value);
  return out;
}

/** The drafts' non-secret fields (as stored in snapshots) and their secrets' fingerprints. */
export interface ComparableDraft {
  offer: OfferDraft;
  secretDigests: Record<string, string>;
}

export function draftChanges(from: ComparableDraft | undefined, to: ComparableDraft): DraftChange[] {
  const a = from ? leaves(from.offer) : new Map<string, unknown>();
  const b = leaves(to.offer);
  const changes: DraftChange[] = [];
  for (const [path, value] of b) {
    if (!a.has(path)) changes.push({ path, change: 'added', to: value });
    else if (JSON.stringify(a.get(path)) !== JSON.stringify(value)) changes.push({ path, change: 'changed', from: a.get(path), to: value });
  }
  for (const [path, value] of a) if (!b.has(path)) changes.push({ path, change: 'removed', from: value });
  const sa = from?.secretDigests ?? {};
  const sb = to.secretDigests;
  for (const path of Object.keys(sb)) {
    if (!(path in sa)) changes.push({ path, change: 'added' });
    else if (sa[path] !== sb[path]) changes.push({ path, change: 'changed' });
  }
  for (const path of Object.keys(sa)) if (!(path in sb)) changes.push({ path, change: 'removed' });
  return changes.sort((x, y) => x.path.localeCompare(y.path));
}
