/**
 * The offer draft (docs/http-api.md, "The offer draft") and its limits. This schema checks JSON
 * *types* and *limits* (counts and lengths, each defined once below): a publish or validate body
 * whose offer has a field of the wrong type, or past a limit, is a 400 naming the field. The
 * content rules (required fields, formats…) belong to the `validate` step (activities/validate),
 * which holds drafts to the same limits.
 */
import { z } from 'zod';

/**
 * How many of each a draft may have (docs/http-api.md, "Limits"). Each entry is work a publish
 * does: every image is read by certification and copied to every region (55 by default), every URL
 * is fetched by validation, every message lands in the status and the e-mail.
 */
export const OFFER_LIMITS = {
  /** Plans per offer: Partner Center's own limit for a VM offer. */
  skus: 100,
  /** Disk versions per plan: the versions customers can still deploy; retire older ones. */
  diskVersionsPerSku: 20,
  /** Data disks per disk version, LUNs 0…15 (validate and certify both hold images to it). */
  dataDisksPerVersion: 16,
  /** OS and data disk images over the whole offer: one run certifies each and makes 55 copies of it. */
  imagesPerOffer: 200,
  categories: 3,
  previewSubscriptions: 100,
  usefulLinks: 25,
  vmSizesPerSku: 6,
  openPortsPerSku: 100,
} as const;

/** Characters (Unicode code points) per text field. */
export const TEXT_LIMITS = {
  title: 50,
  summary: 100,
  longSummary: 256,
  description: 3000,
  /** A licence summary; full terms belong on a page the offer links to. */
  termsOfUse: 10_000,
  category: 50,
  linkName: 255,
  contactName: 100,
  phone: 40,
  skuId: 50,
  skuTitle: 50,
  skuSummary: 100,
  skuDescription: 3000,
  osType: 50,
  osFriendlyName: 100,
  vmSize: 64,
  portName: 50,
  /** Every URL: what browsers and Azure Storage SAS URLs stay within. */
  url: 2048,
  /** Any other text (ids, versions, e-mail addresses, lead destination fields): checked at the API only. */
  other: 256,
  /** Connection strings and client secrets: checked at the API only. */
  secret: 4096,
} as const;

/** Data disks per disk version (certification checks images against it too). */
export const MAX_DATA_DISKS = OFFER_LIMITS.dataDisksPerVersion;

/** Messages one validation reports at most (API answer, run status, e-mail); one more counts the rest. */
export const MAX_REPORTED_FINDINGS = 200;

/** Bytes of a request body: about three times the largest realistic draft (100 plans, 200 image SAS URLs). */
export const REQUEST_BODY_LIMIT_BYTES = 1024 * 1024;

/** Code points, as a publisher counts characters (and as JSON Schema's `maxLength` does). */
export function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** `charCount(s) <= max`, without counting a string that cannot be within (or must be). */
export const withinChars = (s: string, max: number): boolean => s.length <= max || (s.length <= 2 * max && charCount(s) <= max);

/** Disk images the draft lists (an OS disk per disk version, plus its data disks); any JSON value is counted safely. */
export function countImages(offer: unknown): number {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const field = (v: unknown, k: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined);
  let n = 0;
  for (const sku of list(field(offer, 'skus'))) for (const dv of list(field(sku, 'diskVersions'))) n += 1 + list(field(dv, 'dataDisks')).length;
  return n;
}

export const imagesOverLimit = (count: number) =>
  `The offer lists ${count} disk images (an OS disk per disk version plus its data disks, over all plans): at most ${OFFER_LIMITS.imagesPerOffer} per offer. Retire old disk versions or split the plans into several offers.`;

/** A string of at most `max` characters (code points), its limit in the JSON Schema as `maxLength`. */
export const boundedText = (max: number) =>
  z
    .string()
    .refine((s) => withinChars(s, max), { error: (iss) => `is ${charCount(iss.input as string)} characters long: at most ${max} allowed` })
    .meta({ maxLength: max });
const list = <T extends z.ZodType>(item: T, max: number, what: string) =>
  z.array(item).max(max, { error: (iss) => `${(iss.input as unknown[]).length} given: at most ${max} ${what}` });

const str = boundedText(TEXT_LIMITS.other);
const secret = boundedText(TEXT_LIMITS.secret);
const url = boundedText(TEXT_LIMITS.url); // formats are content rules, checked by the validate step

export const contactSchema = z.object({ name: boundedText(TEXT_LIMITS.contactName), email: str, phone: boundedText(TEXT_LIMITS.phone), url }).partial();

export const leadDestinationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('AzureTable'), connectionString: secret.optional(), tableName: str.optional() }),
  z.object({ type: z.literal('Https'), url: url.optional() }),
  z.object({ type: z.literal('Salesforce'), orgId: str.optional() }),
  z.object({ type: z.literal('Marketo'), serverId: str.optional(), munchkinId: str.optional(), formId: str.optional() }),
  z.object({
    type: z.literal('Dynamics365'),
    instanceUrl: url.optional(),
    tenantId: str.optional(),
    clientId: str.optional(),
    clientSecret: secret.optional(),
  }),
]);
export type LeadDestination = z.infer<typeof leadDestinationSchema>;
/** The destination types, as the schema above knows them. */
export const LEAD_DESTINATION_TYPES: ReadonlyArray<LeadDestination['type']> = leadDestinationSchema.options.map((o) => o.shape.type.value);

export const dataDiskSchema = z.object({ lun: z.number(), vhdUrl: url }).partial();

export const diskVersionSchema = z
  .object({ version: str, osVhdUrl: url, dataDisks: list(dataDiskSchema, OFFER_LIMITS.dataDisksPerVersion, 'data disks per disk version') })
  .partial();

export const skuSchema = z
  .object({
    skuId: boundedText(TEXT_LIMITS.skuId),
    title: boundedText(TEXT_LIMITS.skuTitle),
    summary: boundedText(TEXT_LIMITS.skuSummary),
    description: boundedText(TEXT_LIMITS.skuDescription),
    os: z.object({ family: str, type: boundedText(TEXT_LIMITS.osType), friendlyName: boundedText(TEXT_LIMITS.osFriendlyName) }).partial(),
    recommendedVmSizes: list(boundedText(TEXT_LIMITS.vmSize), OFFER_LIMITS.vmSizesPerSku, 'VM sizes per plan'),
    openPorts: list(z.object({ name: boundedText(TEXT_LIMITS.portName), protocol: str, port: z.number() }).partial(), OFFER_LIMITS.openPortsPerSku, 'open ports per plan'),
    diskVersions: list(diskVersionSchema, OFFER_LIMITS.diskVersionsPerSku, 'disk versions per plan'),
  })
  .partial();

export const offerDraftSchema = z
  .object({
    title: boundedText(TEXT_LIMITS.title),
    summary: boundedText(TEXT_LIMITS.summary),
    longSummary: boundedText(TEXT_LIMITS.longSummary),
    description: boundedText(TEXT_LIMITS.description),
    categories: list(boundedText(TEXT_LIMITS.category), OFFER_LIMITS.categories, 'categories'),
    logos: z.object({ small: url, medium: url, large: url, wide: url }).partial(),
    privacyPolicyUrl: url,
    termsOfUse: boundedText(TEXT_LIMITS.termsOfUse),
    usefulLinks: list(z.object({ name: boundedText(TEXT_LIMITS.linkName), url }).partial(), OFFER_LIMITS.usefulLinks, 'useful links'),
    contacts: z.object({ engineering: contactSchema, support: contactSchema }).partial(),
    preview: z.object({ subscriptionIds: list(str, OFFER_LIMITS.previewSubscriptions, 'preview subscriptions') }).partial(),
    leadDestination: leadDestinationSchema.nullable(),
    skus: list(skuSchema, OFFER_LIMITS.skus, 'plans (SKUs) per offer').meta({
      description: `At most ${OFFER_LIMITS.imagesPerOffer} disk images over all plans (an OS disk per disk version plus its data disks).`,
    }),
  })
  .partial()
  // Runs even when other fields are wrong (`when`), so one answer names every limit it can.
  .refine((offer) => countImages(offer) <= OFFER_LIMITS.imagesPerOffer, {
    path: ['skus'],
    when: () => true,
    error: (iss) => imagesOverLimit(countImages(iss.input)),
  });

export type OfferDraft = z.infer<typeof offerDraftSchema>;
export type SkuDraft = z.infer<typeof skuSchema>;

/** The logo sizes the marketplace requires (docs/http-api.md, "Content rules"). */
export const LOGO_SIZES = {
  small: { width: 48, height: 48 },
  medium: { width: 90, height: 90 },
  large: { width: 216, height: 216 },
  wide: { width: 255, height: 115 },
} as const;
export type LogoKind = keyof typeof LOGO_SIZES;
