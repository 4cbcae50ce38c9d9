/**
 * The fields of an offer draft that hold credentials or URLs carrying them, named once: what offer
 * snapshots encrypt at rest and remove after retention (lib/storage/offer-snapshots.ts).
 */
import type { OfferDraft } from '../../domain/offer';

/** Field patterns: `[]` is every item of an array, `*` every key of an object. */
export const OFFER_SECRET_FIELDS = [
  // Image URLs: their SAS tokens read the publisher's disks.
  'skus[].diskVersions[].osVhdUrl',
  'skus[].diskVersions[].dataDisks[].vhdUrl',
  // Logo URLs: a container SAS reads every blob of the container.
  'logos.*',
  // Lead destinations: an Azure Table connection string (account key or SAS), an HTTPS endpoint
  // (keys in its path or query), a Dynamics 365 client secret.
  'leadDestination.connectionString',
  'leadDestination.url',
  'leadDestination.clientSecret',
] as const;

/** One secret value and the concrete path it came from, e.g. `skus[0].diskVersions[1].osVhdUrl`. */
export type SecretValue = [path: string, value: unknown];

type Node = Record<string | number, unknown>;
const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object';

/** Every concrete location matching the patterns, as (parent, key, path). */
function locations(offer: unknown): Array<{ parent: Node; key: string | number; path: string }> {
  const found: Array<{ parent: Node; key: string | number; path: string }> = [];
  for (const pattern of OFFER_SECRET_FIELDS) {
    const steps = pattern.split('.').flatMap((s) => (s.endsWith('[]') ? [s.slice(0, -2), '[]'] : [s]));
    let frontier: Array<{ node: unknown; path: string }> = [{ node: offer, path: '' }];
    steps.forEach((step, i) => {
      const last = i === steps.length - 1;
      const next: Array<{ node: unknown; path: string }> = [];
      for (const { node, path } of frontier) {
        if (!isNode(node)) continue;
        const keys: Array<string | number> = step === '[]' ? (Array.isArray(node) ? node.map((_, n) => n) : []) : step === '*' ? Object.keys(node) : [step];
        for (const key of keys) {
          if (!Object.prototype.hasOwnProperty.call(node, key) || key === '__proto__') continue;
          const childPath = typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
          if (last) found.push({ parent: node, key, path: childPath });
          else next.push({ node: node[key], path: childPath });
        }
      }
      frontier = next;
    });
  }
  return found;
}

/** The offer without its secret fields, and those fields' values by path (the offer is not changed). */
export function takeSecrets(offer: OfferDraft): { offer: OfferDraft; secrets: SecretValue[] } {
  const copy = structuredClone(offer);
  const secrets: SecretValue[] = [];
  for (const { parent, key, path } of locations(copy)) {
    secrets.push([path, parent[key]]);
    delete parent[key];
  }
  return { offer: copy, secrets };
}

/** The offer with `secrets` put back where `takeSecrets` took them. */
export function putSecrets(offer: OfferDraft, secrets: SecretValue[]): OfferDraft {
  const copy = structuredClone(offer);
  for (const [path, value] of secrets) {
    const parts = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
    let node: unknown = copy;
    for (const part of parts.slice(0, -1)) node = isNode(node) ? node[part] : undefined;
    // The stripped offer keeps every container of a secret (arrays, objects), so the parent exists.
    if (!isNode(node)) throw new Error(`offer snapshot: no place for the secret field ${path}`);
    node[parts[parts.length - 1]] = value;
  }
  return copy;
}
