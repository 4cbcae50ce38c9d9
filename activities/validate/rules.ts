/**
 * The offer's content rules (docs/http-api.md, "Content rules"): every problem is a Finding on its field
 * path, saying what to fix. Missing or malformed values are Errors; advice is a Warning.
 * Messages never echo URLs, connection strings or secrets.
 */
import { isValidEmail } from '../../domain/emails';
import {
  countImages,
  imagesOverLimit,
  LEAD_DESTINATION_TYPES,
  LOGO_SIZES,
  OFFER_LIMITS,
  TEXT_LIMITS,
  type LogoKind,
  type OfferDraft,
  type SkuDraft,
} from '../../domain/offer';
import type { Finding } from '../../domain/status';
import {
  AZURE_TABLE_NAME,
  ENTRA_TENANT,
  ENTRA_TENANT_ADVICE,
  HOST_NAME,
  MARKETO_FORM_ID,
  MARKETO_SERVER_ID_ADVICE,
  MUNCHKIN_ID,
  MUNCHKIN_ID_ADVICE,
  SALESFORCE_ORG_ID,
  SALESFORCE_ORG_ID_ADVICE,
} from '../../lib/offer/lead-formats';
import { readTableConnectionString } from '../../lib/storage/table-connection-string';
import { charCount, checkUrl, GUID, looksLikePhone, SEMVER, SKU_ID } from './formats';
import { ALLOWED_HTML_TEXT, sanitizeHtmlReport } from '../../lib/html/sanitize';

export { buildPlan } from '../../lib/offer/plan';

/** Schemes of URLs we fetch; the URL policy decides which of them may actually be used. */
const FETCHED_SCHEMES = ['https:', 'http:', 'file:'];
const WEB_SCHEMES = ['https:', 'http:'];

class Findings {
  readonly list: Finding[] = [];
  error(field: string, text: string): void {
    this.list.push({ level: 'Error', field, text });
  }
  warn(field: string, text: string): void {
    this.list.push({ level: 'Warning', field, text });
  }
}

const isMissing = (v: unknown) => v === undefined || v === null;

/** A required text of 1..max characters; returns it when usable. */
function text(f: Findings, field: string, value: unknown, label: string, max?: number): string | undefined {
  const enter = max ? `enter 1–${max} characters` : 'enter it';
  if (isMissing(value)) return void f.error(field, `${label} is required: ${enter}.`);
  if (typeof value !== 'string') return void f.error(field, `${label} must be text.`);
  if (!value.trim()) return void f.error(field, `${label} is empty: ${enter}.`);
  const n = charCount(value);
  if (max && n > max) return void f.error(field, `${label} is ${n} characters long: shorten it to at most ${max}.`);
  return value;
}

/** A required string matching a format; `advice` says what a good value looks like. */
function formatted(f: Findings, field: string, value: unknown, label: string, re: RegExp, advice: string): string | undefined {
  if (isMissing(value) || value === '') return void f.error(field, `${label} is required: ${advice}.`);
  if (typeof value !== 'string' || !re.test(value)) return void f.error(field, `${label} is not valid: ${advice}.`);
  return value;
}

/** `endpoint`: an address we will call (a lead endpoint); the lead URL policy decides its scheme and host. */
type UrlKind = 'fetched' | 'web' | 'https' | 'endpoint';

/** A required URL. `fetched`: images and logos (the URL policy judges the host later). */
function url(f: Findings, field: string, value: unknown, label: string, kind: UrlKind): boolean {
  const fail = (why: string) => (f.error(field, `${label} ${why}`), false);
  if (isMissing(value) || value === '') return fail('is required: enter an https:// URL.');
  if (typeof value !== 'string') return fail('must be a URL.');
  const n = charCount(value);
  if (n > TEXT_LIMITS.url) return fail(`is ${n} characters long: URLs may have at most ${TEXT_LIMITS.url}.`);
  const schemes = kind === 'fetched' ? FETCHED_SCHEMES : kind === 'web' || kind === 'endpoint' ? WEB_SCHEMES : ['https:'];
  const { url: u, problem } = checkUrl(value.trim(), schemes);
  if (problem === 'invalid') return fail('is not a valid absolute URL: enter a full https:// URL.');
  if (problem === 'credentials') return fail('must not contain a user name or password (user:password@).');
  if (problem === 'scheme') return fail('must be an https:// URL.');
  if (kind === 'web' && u?.protocol === 'http:') f.warn(field, `${label} uses http: use https:// so visitors' browsers don't warn.`);
  return true;
}

/** A required list of min..max entries (max undefined: no limit). */
function list(f: Findings, field: string, value: unknown, label: string, min: number, max?: number): unknown[] | undefined {
  const give = max === undefined ? `at least ${min}` : min === max ? `${min}` : `${min}–${max}`;
  if (isMissing(value)) return void f.error(field, `${label} are required: give ${give}.`);
  if (!Array.isArray(value)) return void f.error(field, `${label} must be a list.`);
  if (value.length < min) return void f.error(field, `${label} are missing: give ${give}.`);
  if (max !== undefined && value.length > max) return void f.error(field, `${label}: ${value.length} given, at most ${max} allowed.`);
  return value;
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function checkMarketing(f: Findings, o: OfferDraft): void {
  text(f, 'title', o.title, 'The title', TEXT_LIMITS.title);
  text(f, 'summary', o.summary, 'The summary', TEXT_LIMITS.summary);
  text(f, 'longSummary', o.longSummary, 'The long summary', TEXT_LIMITS.longSummary);
  const description = text(f, 'description', o.description, 'The description', TEXT_LIMITS.description);
  if (description !== undefined) {
    // What the product page's sanitizer would drop, from the same parser.
    for (const p of sanitizeHtmlReport(description).dropped) {
      f.error('description', `The description's HTML is not allowed: ${p}. Use only ${ALLOWED_HTML_TEXT}.`);
    }
  }
  const categories = list(f, 'categories', o.categories, 'Categories', 1, OFFER_LIMITS.categories);
  const seen = new Set<string>();
  categories?.forEach((c, i) => {
    const value = text(f, `categories[${i}]`, c, 'A category', TEXT_LIMITS.category);
    if (value === undefined) return;
    if (seen.has(value.toLowerCase())) f.warn(`categories[${i}]`, 'This category is listed twice: remove the duplicate.');
    seen.add(value.toLowerCase());
  });
  text(f, 'termsOfUse', o.termsOfUse, 'The terms-of-use text', TEXT_LIMITS.termsOfUse);
}

function checkLogos(f: Findings, o: OfferDraft): void {
  const logos = obj(o.logos) ?? {};
  for (const kind of Object.keys(LOGO_SIZES) as LogoKind[]) {
    const { width, height } = LOGO_SIZES[kind];
    url(f, `logos.${kind}`, logos[kind], `The ${kind} logo (PNG, ${width}×${height} pixels)`, 'fetched');
  }
}

function checkLinks(f: Findings, o: OfferDraft): void {
  url(f, 'privacyPolicyUrl', o.privacyPolicyUrl, 'The privacy policy URL', 'web');
  if (isMissing(o.usefulLinks)) return;
  const links = list(f, 'usefulLinks', o.usefulLinks, 'Useful links', 0, OFFER_LIMITS.usefulLinks);
  links?.forEach((l, i) => {
    const link = obj(l) ?? {};
    text(f, `usefulLinks[${i}].name`, link.name, 'The link name', TEXT_LIMITS.linkName);
    url(f, `usefulLinks[${i}].url`, link.url, 'The link URL', 'web');
  });
}

function checkContact(f: Findings, base: string, value: unknown, who: string, withUrl: boolean): void {
  const c = obj(value) ?? {};
  text(f, `${base}.name`, c.name, `The ${who} contact's name`, TEXT_LIMITS.contactName);
  if (isMissing(c.email) || c.email === '') f.error(`${base}.email`, `The ${who} contact's e-mail is required.`);
  else if (!isValidEmail(c.email)) f.error(`${base}.email`, `The ${who} contact's e-mail is not a valid address: enter it as name@example.com.`);
  const phone = text(f, `${base}.phone`, c.phone, `The ${who} contact's phone number`, TEXT_LIMITS.phone);
  if (phone !== undefined && !looksLikePhone(phone)) {
    f.warn(`${base}.phone`, `The ${who} contact's phone number does not look like one: use digits with the country code, e.g. +1 425 555 0100.`);
  }
  if (withUrl) url(f, `${base}.url`, c.url, `The ${who} contact's URL`, 'web');
}

function checkContacts(f: Findings, o: OfferDraft): void {
  const contacts = obj(o.contacts) ?? {};
  checkContact(f, 'contacts.engineering', contacts.engineering, 'engineering', false);
  checkContact(f, 'contacts.support', contacts.support, 'support', true);
}

function checkPreview(f: Findings, o: OfferDraft): void {
  const ids = list(f, 'preview.subscriptionIds', obj(o.preview)?.subscriptionIds, 'Preview subscription ids', 1, OFFER_LIMITS.previewSubscriptions);
  const seen = new Map<string, number>();
  ids?.forEach((id, i) => {
    const field = `preview.subscriptionIds[${i}]`;
    const value = formatted(f, field, id, 'The subscription id', GUID, 'enter an Azure subscription id as a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)');
    if (value === undefined) return;
    const first = seen.get(value.toLowerCase());
    if (first !== undefined) f.error(field, `This subscription id is already listed at preview.subscriptionIds[${first}]: remove the duplicate.`);
    else seen.set(value.toLowerCase(), i);
  });
}

function checkLeadDestination(f: Findings, o: OfferDraft): void {
  const lead = obj(o.leadDestination);
  if (!lead) return;
  const at = (k: string) => `leadDestination.${k}`;
  const secret = (k: string, label: string) => {
    if (isMissing(lead[k]) || lead[k] === '') f.error(at(k), `${label} is required.`);
    else if (typeof lead[k] !== 'string') f.error(at(k), `${label} must be text.`);
  };
  switch (lead.type) {
    case 'AzureTable': {
      secret('connectionString', 'The storage connection string');
      if (typeof lead.connectionString === 'string' && lead.connectionString) {
        for (const p of readTableConnectionString(lead.connectionString).problems) {
          f.error(at('connectionString'), `The storage connection string ${p}. Copy it from the storage account's "Access keys" (or "Shared access signature") page in the Azure portal.`);
        }
      }
      if (!isMissing(lead.tableName)) {
        const name = formatted(f, at('tableName'), lead.tableName, 'The table name', AZURE_TABLE_NAME, 'use 3–63 letters and digits, starting with a letter');
        if (name?.toLowerCase() === 'tables') f.error(at('tableName'), 'The table name "tables" is reserved: choose another name.');
      }
      return;
    }
    case 'Https':
      url(f, at('url'), lead.url, 'The lead endpoint URL', 'endpoint');
      return;
    case 'Salesforce':
      formatted(f, at('orgId'), lead.orgId, 'The Salesforce organization id', SALESFORCE_ORG_ID, SALESFORCE_ORG_ID_ADVICE);
      return;
    case 'Marketo':
      formatted(f, at('serverId'), lead.serverId, 'The Marketo server id', HOST_NAME, MARKETO_SERVER_ID_ADVICE);
      formatted(f, at('munchkinId'), lead.munchkinId, 'The Munchkin id', MUNCHKIN_ID, MUNCHKIN_ID_ADVICE);
      formatted(f, at('formId'), lead.formId, 'The Marketo form id', MARKETO_FORM_ID, 'enter the numeric form id');
      return;
    case 'Dynamics365':
      url(f, at('instanceUrl'), lead.instanceUrl, 'The Dynamics 365 instance URL', 'endpoint');
      formatted(f, at('tenantId'), lead.tenantId, 'The tenant id', ENTRA_TENANT, ENTRA_TENANT_ADVICE);
      formatted(f, at('clientId'), lead.clientId, 'The client (application) id', GUID, 'enter the app registration\'s client id (a GUID)');
      secret('clientSecret', 'The client secret');
      return;
    default:
      f.error(at('type'), `The lead destination type must be one of ${LEAD_DESTINATION_TYPES.join(', ')}, or leave the lead destination empty.`);
  }
}

function checkDiskVersions(f: Findings, base: string, sku: SkuDraft): void {
  const versions = list(f, `${base}.diskVersions`, sku.diskVersions, 'Disk versions', 1, OFFER_LIMITS.diskVersionsPerSku);
  const seen = new Map<string, number>();
  versions?.forEach((v, j) => {
    const dv = obj(v) ?? {};
    const vb = `${base}.diskVersions[${j}]`;
    const version = formatted(f, `${vb}.version`, dv.version, 'The version', SEMVER, 'use a semantic version such as 1.0.0');
    if (version !== undefined) {
      const key = version.split('+')[0]; // build metadata does not make a new version
      const first = seen.get(key);
      if (first !== undefined) f.error(`${vb}.version`, `Version ${version} is already used by ${base}.diskVersions[${first}]: give each disk version its own number.`);
      else seen.set(key, j);
      if (!/^\d+\.\d+\.\d+$/.test(version)) {
        f.warn(`${vb}.version`, 'Azure image versions are MAJOR.MINOR.PATCH only: drop the pre-release or build suffix.');
      }
    }
    url(f, `${vb}.osVhdUrl`, dv.osVhdUrl, 'The OS disk VHD URL', 'fetched');
    if (isMissing(dv.dataDisks)) return;
    const disks = list(f, `${vb}.dataDisks`, dv.dataDisks, 'Data disks', 0, OFFER_LIMITS.dataDisksPerVersion);
    disks?.forEach((d, k) => {
      const disk = obj(d) ?? {};
      const lun = disk.lun;
      if (isMissing(lun)) f.error(`${vb}.dataDisks[${k}].lun`, `The LUN is required: data disks are numbered 0, 1, 2… in order, so this one is ${k}.`);
      else if (lun !== k) f.error(`${vb}.dataDisks[${k}].lun`, `The LUN is ${String(lun)}: data disks must be numbered 0, 1, 2… in order, so this one must be ${k}.`);
      url(f, `${vb}.dataDisks[${k}].vhdUrl`, disk.vhdUrl, 'The data disk VHD URL', 'fetched');
    });
  });
}

function checkSku(f: Findings, sku: SkuDraft, base: string): void {
  formatted(f, `${base}.skuId`, sku.skuId, 'The plan id', SKU_ID, `use 1–${TEXT_LIMITS.skuId} lower-case letters, digits and hyphens`);
  text(f, `${base}.title`, sku.title, 'The plan title', TEXT_LIMITS.skuTitle);
  text(f, `${base}.summary`, sku.summary, 'The plan summary', TEXT_LIMITS.skuSummary);
  text(f, `${base}.description`, sku.description, 'The plan description', TEXT_LIMITS.skuDescription);

  const os = obj(sku.os) ?? {};
  if (os.family !== 'Linux' && os.family !== 'Windows') {
    f.error(`${base}.os.family`, isMissing(os.family) ? 'The OS family is required: Linux or Windows.' : 'The OS family must be Linux or Windows.');
  }
  text(f, `${base}.os.type`, os.type, 'The OS type (e.g. Ubuntu)', TEXT_LIMITS.osType);
  text(f, `${base}.os.friendlyName`, os.friendlyName, 'The OS friendly name (e.g. Ubuntu 22.04 LTS)', TEXT_LIMITS.osFriendlyName);

  const sizes = list(f, `${base}.recommendedVmSizes`, sku.recommendedVmSizes, 'Recommended VM sizes', 1, OFFER_LIMITS.vmSizesPerSku);
  const seenSizes = new Set<string>();
  sizes?.forEach((s, k) => {
    const field = `${base}.recommendedVmSizes[${k}]`;
    const size = text(f, field, s, 'A VM size', TEXT_LIMITS.vmSize);
    if (size === undefined) return;
    if (!/^(Standard|Basic)_[A-Za-z0-9_]+$/.test(size)) f.warn(field, 'This does not look like an Azure VM size: use names such as Standard_D2s_v5.');
    if (seenSizes.has(size)) f.warn(field, 'This VM size is listed twice: remove the duplicate.');
    seenSizes.add(size);
  });

  if (!isMissing(sku.openPorts)) {
    const ports = list(f, `${base}.openPorts`, sku.openPorts, 'Open ports', 0, OFFER_LIMITS.openPortsPerSku);
    ports?.forEach((p, k) => {
      const port = obj(p) ?? {};
      const pb = `${base}.openPorts[${k}]`;
      text(f, `${pb}.name`, port.name, 'The port name', TEXT_LIMITS.portName);
      if (port.protocol !== 'TCP' && port.protocol !== 'UDP') f.error(`${pb}.protocol`, 'The protocol must be TCP or UDP.');
      if (!Number.isInteger(port.port) || (port.port as number) < 1 || (port.port as number) > 65535) {
        f.error(`${pb}.port`, 'The port must be a whole number from 1 to 65535.');
      }
    });
  }
  checkDiskVersions(f, base, sku);
}

function checkSkus(f: Findings, o: OfferDraft): void {
  const skus = list(f, 'skus', o.skus, 'Plans (skus)', 1, OFFER_LIMITS.skus);
  // Past this, no image of the offer is looked at (reachability skips what is under a failed field).
  const images = skus ? countImages(o) : 0;
  if (images > OFFER_LIMITS.imagesPerOffer) f.error('skus', imagesOverLimit(images));
  const seen = new Map<string, number>();
  skus?.forEach((s, i) => {
    const sku = (obj(s) ?? {}) as SkuDraft;
    checkSku(f, sku, `skus[${i}]`);
    if (typeof sku.skuId !== 'string' || !SKU_ID.test(sku.skuId)) return;
    const first = seen.get(sku.skuId);
    if (first !== undefined) f.error(`skus[${i}].skuId`, `The plan id "${sku.skuId}" is already used by skus[${first}]: give each plan its own id.`);
    else seen.set(sku.skuId, i);
  });
}

export function checkOfferContent(offer: OfferDraft): Finding[] {
  const f = new Findings();
  const o = (obj(offer) ?? {}) as OfferDraft;
  checkMarketing(f, o);
  checkLogos(f, o);
  checkLinks(f, o);
  checkContacts(f, o);
  checkPreview(f, o);
  checkLeadDestination(f, o);
  checkSkus(f, o);
  return f.list;
}
