/**
 * Where each region's replicas are stored: REGION_STORAGE maps region names to storage connection
 * strings, as JSON or `@path/to/file.json`; the key `*` covers regions not named. Unset, and with
 * the control account on Azurite's development account, every region gets its own Azurite account
 * on the same emulator (config/azurite-accounts.ts).
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { REGION_NAME } from '../domain/regions';
import { azuriteBlobOrigin, emulatorRegionConnectionString } from './azurite-accounts';

const mapSchema = z.record(
  z.string(),
  z.string().regex(/(^|;)\s*(BlobEndpoint|AccountName)\s*=/i, 'must be a storage connection string (with BlobEndpoint or AccountName)'),
);

/** Returns region → connection string for every region, or a list of what is wrong (never quoting a connection string). */
export function resolveRegionStorage(
  value: string | undefined,
  controlConnectionString: string,
  regions: readonly string[],
): { ok: true; map: Map<string, string> } | { ok: false; problems: string[] } {
  if (!value?.trim()) {
    const origin = azuriteBlobOrigin(controlConnectionString);
    if (origin) return { ok: true, map: new Map(regions.map((r) => [r, emulatorRegionConnectionString(origin, r)])) };
    return {
      ok: false,
      problems: ['required when AZURE_STORAGE_CONNECTION_STRING is not Azurite: a JSON object (or @file) of region → storage connection string'],
    };
  }
  let raw: unknown;
  const text = value.trim();
  try {
    raw = JSON.parse(text.startsWith('@') ? fs.readFileSync(text.slice(1), 'utf8') : text);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ? `cannot read ${text.slice(1)} (${(err as NodeJS.ErrnoException).code})` : 'not valid JSON';
    return { ok: false, problems: [why] };
  }
  const parsed = mapSchema.safeParse(raw);
  if (!parsed.success) {
    // Paths name the region; messages are the schema's own, so no connection string is echoed.
    return { ok: false, problems: parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)) };
  }
  const byRegion = parsed.data;
  const badKey = Object.keys(byRegion).find((k) => k !== '*' && !REGION_NAME.test(k));
  if (badKey !== undefined) return { ok: false, problems: [`"${badKey}": keys are region names (lower-case letters and digits) or "*"`] };
  const missing = regions.filter((r) => !(r in byRegion) && !('*' in byRegion));
  if (missing.length) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
    return { ok: false, problems: [`no storage for ${shown} (name each region, or give "*")`] };
  }
  return { ok: true, map: new Map(regions.map((r) => [r, byRegion[r] ?? byRegion['*']])) };
}
