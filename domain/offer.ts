/**
 * The offer draft (docs/http-api.md, "The offer draft"). This schema checks JSON *types* only: a publish or
 * validate body whose offer has a field of the wrong type is a 400. Completeness and content
 * rules (required fields, lengths, formats…) belong to the `validate` step (activities/validate).
 */
import { z } from 'zod';

const str = z.string();
const url = z.string(); // formats are content rules, checked by the validate step

export const contactSchema = z.object({ name: str, email: str, phone: str, url: url }).partial();

export const leadDestinationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('AzureTable'), connectionString: str.optional(), tableName: str.optional() }),
  z.object({ type: z.literal('Https'), url: url.optional() }),
  z.object({ type: z.literal('Salesforce'), orgId: str.optional() }),
  z.object({ type: z.literal('Marketo'), serverId: str.optional(), munchkinId: str.optional(), formId: str.optional() }),
  z.object({
    type: z.literal('Dynamics365'),
    instanceUrl: url.optional(),
    tenantId: str.optional(),
    clientId: str.optional(),
    clientSecret: str.optional(),
  }),
]);
export type LeadDestination = z.infer<typeof leadDestinationSchema>;
/** The destination types, as the schema above knows them. */
export const LEAD_DESTINATION_TYPES: ReadonlyArray<LeadDestination['type']> = leadDestinationSchema.options.map((o) => o.shape.type.value);

export const dataDiskSchema = z.object({ lun: z.number(), vhdUrl: url }).partial();

export const diskVersionSchema = z
  .object({ version: str, osVhdUrl: url, dataDisks: z.array(dataDiskSchema) })
  .partial();

export const skuSchema = z
  .object({
    skuId: str,
    title: str,
    summary: str,
    description: str,
    os: z.object({ family: str, type: str, friendlyName: str }).partial(),
    recommendedVmSizes: z.array(str),
    openPorts: z.array(z.object({ name: str, protocol: str, port: z.number() }).partial()),
    diskVersions: z.array(diskVersionSchema),
  })
  .partial();

export const offerDraftSchema = z
  .object({
    title: str,
    summary: str,
    longSummary: str,
    description: str,
    categories: z.array(str),
    logos: z.object({ small: url, medium: url, large: url, wide: url }).partial(),
    privacyPolicyUrl: url,
    termsOfUse: str,
    usefulLinks: z.array(z.object({ name: str, url: url }).partial()),
    contacts: z.object({ engineering: contactSchema, support: contactSchema }).partial(),
    preview: z.object({ subscriptionIds: z.array(str) }).partial(),
    leadDestination: leadDestinationSchema.nullable(),
    skus: z.array(skuSchema),
  })
  .partial();

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

/** Data disks per disk version, LUNs 0 … 15 (validate and certify both hold images to it). */
export const MAX_DATA_DISKS = 16;
