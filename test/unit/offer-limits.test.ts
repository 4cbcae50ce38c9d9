/**
 * Every limit of a draft at its edge (docs/http-api.md, "Limits"): at the limit it passes, one past
 * it is refused, both by the API's schema (a 400 detail naming the field) and by the validate step's
 * content rules (an Error on the field); and what a validation reports is capped.
 */
import { MAX_REPORTED_FINDINGS, OFFER_LIMITS, TEXT_LIMITS, offerDraftSchema, type OfferDraft } from '../../domain/offer';
import type { Finding } from '../../domain/status';
import { checkOfferContent } from '../../activities/validate/rules';
import { capFindings } from '../../activities/validate/cap-findings';
import { ApiError, parseOr400 } from '../../api/errors';
import { validateRequestSchema } from '../../api/schemas';
import { validOffer } from '../../samples/offer';

/** Sets the value at a findings-style path (`skus[0].diskVersions[0].osVhdUrl`), creating what is missing. */
function setAt(target: object, path: string, value: unknown): void {
  const parts = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
  let node = target as Record<string | number, unknown>;
  parts.slice(0, -1).forEach((part, i) => {
    node[part] ??= typeof parts[i + 1] === 'number' ? [] : {};
    node = node[part] as Record<string | number, unknown>;
  });
  node[parts[parts.length - 1]] = value;
}

const withValue = (path: string, value: unknown): OfferDraft => {
  const offer = validOffer({ dataDiskUrls: ['https://a.blob.core.windows.net/c/d0.vhd'] });
  setAt(offer, path, value);
  return offer;
};

/** The API's answer to a validate body with this offer: undefined when accepted, else its details. */
function apiDetails(offer: OfferDraft): Array<{ path: string; message: string }> | undefined {
  try {
    parseOr400(validateRequestSchema, { offer }, 'validate request');
    return undefined;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return err.details;
  }
}

const errorsOn = (findings: Finding[], field: string) => findings.filter((f) => f.level === 'Error' && f.field === field);

const x = (n: number) => 'x'.repeat(n);
const url = (n: number) => `https://contoso.example/${'a'.repeat(n - 24)}`;
const phone = (n: number) => '+1 425 555 0100'.padEnd(n, ' ');
const vmSize = (n: number) => `Standard_${'D'.repeat(n - 9)}`;

/** Texts with a content rule: checked at the API and by validate, with the same maximum. */
const TEXTS: Array<[string, number, (n: number) => string]> = [
  ['title', TEXT_LIMITS.title, x],
  ['summary', TEXT_LIMITS.summary, x],
  ['longSummary', TEXT_LIMITS.longSummary, x],
  ['description', TEXT_LIMITS.description, x],
  ['termsOfUse', TEXT_LIMITS.termsOfUse, x],
  ['categories[0]', TEXT_LIMITS.category, x],
  ['usefulLinks[0].name', TEXT_LIMITS.linkName, x],
  ['usefulLinks[0].url', TEXT_LIMITS.url, url],
  ['privacyPolicyUrl', TEXT_LIMITS.url, url],
  ['logos.wide', TEXT_LIMITS.url, url],
  ['contacts.engineering.name', TEXT_LIMITS.contactName, x],
  ['contacts.support.phone', TEXT_LIMITS.phone, phone],
  ['contacts.support.url', TEXT_LIMITS.url, url],
  ['leadDestination.url', TEXT_LIMITS.url, url],
  ['skus[0].skuId', TEXT_LIMITS.skuId, x],
  ['skus[0].title', TEXT_LIMITS.skuTitle, x],
  ['skus[0].summary', TEXT_LIMITS.skuSummary, x],
  ['skus[0].description', TEXT_LIMITS.skuDescription, x],
  ['skus[0].os.type', TEXT_LIMITS.osType, x],
  ['skus[0].os.friendlyName', TEXT_LIMITS.osFriendlyName, x],
  ['skus[0].recommendedVmSizes[0]', TEXT_LIMITS.vmSize, vmSize],
  ['skus[0].openPorts[0].name', TEXT_LIMITS.portName, x],
  ['skus[0].diskVersions[0].osVhdUrl', TEXT_LIMITS.url, url],
  ['skus[0].diskVersions[0].dataDisks[0].vhdUrl', TEXT_LIMITS.url, url],
];

/** Texts bounded at the API only (their content rules are formats, which a huge value fails anyway). */
const API_ONLY_TEXTS: Array<[string, number, OfferDraft['leadDestination']]> = [
  ['skus[0].diskVersions[0].version', TEXT_LIMITS.other, null],
  ['contacts.engineering.email', TEXT_LIMITS.other, null],
  ['preview.subscriptionIds[0]', TEXT_LIMITS.other, null],
  ['leadDestination.orgId', TEXT_LIMITS.other, { type: 'Salesforce' }],
  ['leadDestination.connectionString', TEXT_LIMITS.secret, { type: 'AzureTable' }],
  ['leadDestination.clientSecret', TEXT_LIMITS.secret, { type: 'Dynamics365' }],
];

const guid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const disk = (lun: number) => ({ lun, vhdUrl: `https://a.blob.core.windows.net/c/d${lun}.vhd` });
const version = (i: number) => ({ version: `1.0.${i}`, osVhdUrl: `https://a.blob.core.windows.net/c/os${i}.vhd` });

/** Lists: `n` valid entries (valid together: unique where the rules want it). */
const LISTS: Array<[string, number, (offer: OfferDraft, n: number) => void]> = [
  ['categories', OFFER_LIMITS.categories, (o, n) => (o.categories = Array.from({ length: n }, (_, i) => `category-${i}`))],
  ['preview.subscriptionIds', OFFER_LIMITS.previewSubscriptions, (o, n) => (o.preview = { subscriptionIds: Array.from({ length: n }, (_, i) => guid(i)) })],
  ['usefulLinks', OFFER_LIMITS.usefulLinks, (o, n) => (o.usefulLinks = Array.from({ length: n }, () => ({ name: 'Docs', url: 'https://contoso.example/docs' })))],
  ['skus[0].recommendedVmSizes', OFFER_LIMITS.vmSizesPerSku, (o, n) => (o.skus![0].recommendedVmSizes = Array.from({ length: n }, (_, i) => `Standard_D${i}s_v5`))],
  ['skus[0].openPorts', OFFER_LIMITS.openPortsPerSku, (o, n) => (o.skus![0].openPorts = Array.from({ length: n }, (_, i) => ({ name: 'P', protocol: 'TCP', port: i + 1 })))],
  ['skus[0].diskVersions', OFFER_LIMITS.diskVersionsPerSku, (o, n) => (o.skus![0].diskVersions = Array.from({ length: n }, (_, i) => version(i)))],
  ['skus[0].diskVersions[0].dataDisks', OFFER_LIMITS.dataDisksPerVersion, (o, n) => (o.skus![0].diskVersions![0].dataDisks = Array.from({ length: n }, (_, i) => disk(i)))],
  ['skus', OFFER_LIMITS.skus, (o, n) => (o.skus = Array.from({ length: n }, (_, i) => ({ ...o.skus![0], skuId: `plan-${i}` })))],
];

/** `n` images (n ≥ 200) over the whole offer: 100 plans of two disk versions each, then data disks. */
function withImages(n: number): OfferDraft {
  const offer = validOffer();
  const base = offer.skus![0];
  offer.skus = Array.from({ length: 100 }, (_, i) => ({ ...base, skuId: `plan-${i}`, diskVersions: [version(0), version(1)] }));
  offer.skus[0].diskVersions![0].dataDisks = Array.from({ length: n - 200 }, (_, lun) => disk(lun));
  return offer;
}

describe('limits of a draft', () => {
  describe('at the API (the schema a publish or validate body is parsed with)', () => {
    it.each(TEXTS)('%s: %i characters, counted in code points', (path, max, fill) => {
      expect(apiDetails(withValue(path, fill(max)))).toBeUndefined();
      expect(apiDetails(withValue(path, fill(max + 1)))).toEqual([{ path: `offer.${path}`, message: `is ${max + 1} characters long: at most ${max} allowed` }]);
    });

    it('counts characters as code points: 50 emoji make a title of 50, not 100', () => {
      expect(apiDetails(withValue('title', '🙂'.repeat(TEXT_LIMITS.title)))).toBeUndefined();
      expect(apiDetails(withValue('title', '🙂'.repeat(TEXT_LIMITS.title + 1)))?.[0].message).toBe('is 51 characters long: at most 50 allowed');
    });

    it.each(API_ONLY_TEXTS)('%s: %i characters', (path, max, lead) => {
      const at = (n: number) => {
        const offer = { ...validOffer(), leadDestination: lead };
        setAt(offer, path, x(n));
        return offer;
      };
      expect(apiDetails(at(max))).toBeUndefined();
      expect(apiDetails(at(max + 1))).toEqual([{ path: `offer.${path}`, message: `is ${max + 1} characters long: at most ${max} allowed` }]);
    });

    it.each(LISTS)('%s: %i entries', (path, max, fill) => {
      const offer = validOffer();
      fill(offer, max);
      expect(apiDetails(offer)).toBeUndefined();
      fill(offer, max + 1);
      expect(apiDetails(offer)).toEqual([{ path: `offer.${path}`, message: expect.stringMatching(new RegExp(`^${max + 1} given: at most ${max} `)) }]);
    });

    it(`disk images over the offer: ${OFFER_LIMITS.imagesPerOffer}`, () => {
      expect(apiDetails(withImages(OFFER_LIMITS.imagesPerOffer))).toBeUndefined();
      expect(apiDetails(withImages(OFFER_LIMITS.imagesPerOffer + 1))).toEqual([
        { path: 'offer.skus', message: expect.stringMatching(/lists 201 disk images .*at most 200 per offer/) },
      ]);
    });

    it('the OpenAPI document carries the same limits', () => {
      const schema = offerDraftSchema.toJSONSchema() as { properties: Record<string, { maxLength?: number; maxItems?: number }> };
      expect(schema.properties.title.maxLength).toBe(TEXT_LIMITS.title);
      expect(schema.properties.termsOfUse.maxLength).toBe(TEXT_LIMITS.termsOfUse);
      expect(schema.properties.skus.maxItems).toBe(OFFER_LIMITS.skus);
      expect(schema.properties.privacyPolicyUrl.maxLength).toBe(TEXT_LIMITS.url);
    });

    it(`lists at most ${MAX_REPORTED_FINDINGS} details, outer fields first, and says how many there were`, () => {
      const offer = validOffer();
      offer.skus = Array.from({ length: OFFER_LIMITS.skus }, () => ({ title: x(51), summary: x(101), description: x(3001) }));
      offer.categories = Array.from({ length: 4 }, () => 'c');
      let err: ApiError | undefined;
      try {
        parseOr400(validateRequestSchema, { offer }, 'validate request');
      } catch (e) {
        err = e as ApiError;
      }
      expect(err?.message).toBe(`The validate request is not valid: 301 problems, the first ${MAX_REPORTED_FINDINGS} listed.`);
      expect(err?.details).toHaveLength(MAX_REPORTED_FINDINGS);
      expect(err?.details?.[0]).toEqual({ path: 'offer.categories', message: '4 given: at most 3 categories' });
    });
  });

  describe('in the validate step (content rules)', () => {
    it.each(TEXTS)('%s: %i characters', (path, max, fill) => {
      expect(checkOfferContent(withValue(path, fill(max)))).toEqual([]);
      const over = checkOfferContent(withValue(path, fill(max + 1)));
      expect(over).toEqual([expect.objectContaining({ level: 'Error', field: path })]);
      // The plan id's format rule says its length in its advice.
      expect(over[0].text).toMatch(new RegExp(`${max + 1} characters long: .*at most ${max}|use 1–${max} `));
    });

    it.each(LISTS)('%s: %i entries', (path, max, fill) => {
      const offer = validOffer();
      fill(offer, max);
      expect(checkOfferContent(offer)).toEqual([]);
      fill(offer, max + 1);
      expect(checkOfferContent(offer)).toEqual([{ level: 'Error', field: path, text: expect.stringContaining(`${max + 1} given, at most ${max} allowed`) }]);
    });

    it(`disk images over the offer: ${OFFER_LIMITS.imagesPerOffer}`, () => {
      expect(checkOfferContent(withImages(OFFER_LIMITS.imagesPerOffer))).toEqual([]);
      expect(errorsOn(checkOfferContent(withImages(OFFER_LIMITS.imagesPerOffer + 1)), 'skus')).toEqual([
        expect.objectContaining({ text: expect.stringMatching(/lists 201 disk images .*at most 200 per offer/) }),
      ]);
    });

    it('a list past its limit is reported once, without a message per entry', () => {
      const offer = validOffer();
      offer.skus = Array.from({ length: 5_000 }, () => ({ title: x(500) }));
      expect(checkOfferContent(offer)).toEqual([{ level: 'Error', field: 'skus', text: 'Plans (skus): 5000 given, at most 100 allowed.' }]);
    });
  });

  describe('what a validation reports', () => {
    const finding = (level: Finding['level'], i: number): Finding => ({ level, field: `f${i}`, text: `${level} ${i}` });

    it(`is kept as it is up to ${MAX_REPORTED_FINDINGS} messages`, () => {
      const all = Array.from({ length: MAX_REPORTED_FINDINGS }, (_, i) => finding(i % 2 ? 'Warning' : 'Error', i));
      expect(capFindings(all)).toBe(all);
    });

    it('past that: Errors first, then one message counting the rest by level', () => {
      const all = [...Array.from({ length: 150 }, (_, i) => finding('Warning', i)), ...Array.from({ length: 120 }, (_, i) => finding('Error', i)), finding('Info', 0)];
      const capped = capFindings(all);
      expect(capped).toHaveLength(MAX_REPORTED_FINDINGS + 1);
      expect(capped.slice(0, 120).every((f) => f.level === 'Error')).toBe(true);
      expect(capped[120]).toEqual(finding('Warning', 0));
      expect(capped[MAX_REPORTED_FINDINGS]).toEqual({ level: 'Warning', text: expect.stringMatching(/^…and 71 more messages \(70 warnings, 1 note\) not listed/) });
      const errors = capFindings([...all, ...Array.from({ length: 100 }, (_, i) => finding('Error', 1000 + i))]);
      expect(errors[MAX_REPORTED_FINDINGS]).toEqual({ level: 'Error', text: expect.stringMatching(/^…and 171 more messages \(20 errors, 150 warnings, 1 note\)/) });
    });
  });
});
