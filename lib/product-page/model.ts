/**
 * The product page's model: marketing and technical content merged into one document, stored as JSON
 * (for the API) and HTML (for people). Built by package (activities/package/product-page.ts) from the
 * offer snapshot, with nothing private:
 * no image URLs (they may carry SAS tokens), no engineering contact, no lead destination, no
 * preview allow-list.
 */
import type { LogoKind } from '../../domain/offer';
import type { CatalogDeprecation } from '../../domain/deprecation';

export interface ProductPageSku {
  skuId: string;
  title: string;
  summary: string;
  description: string;
  os: { family: string; type: string; friendlyName: string };
  recommendedVmSizes: string[];
  openPorts: Array<{ name: string; protocol: string; port: number }>;
  diskVersions: Array<{ version: string; diskCount: number; dataDiskCount: number }>;
  regions: string[];
}

export interface ProductPage {
  publisherId: string;
  offerId: string;
  runId: string;
  stage: 'preview' | 'live';
  createdAt: string;
  /** Set when the page is promoted (activities/live). */
  liveSince?: string;
  previewUrl?: string;
  title: string;
  summary: string;
  longSummary: string;
  /** Sanitized (lib/html/sanitize.ts): safe to insert into a page as is. */
  descriptionHtml: string;
  categories: string[];
  logos: Partial<Record<LogoKind, string>>;
  privacyPolicyUrl?: string;
  termsOfUse: string;
  usefulLinks: Array<{ name: string; url: string }>;
  support?: { name?: string; email?: string; phone?: string; url?: string };
  regions: string[];
  skus: ProductPageSku[];
  /** Per region, the replicated images to deploy from (replica URLs, no SAS). */
  deployFrom?: Array<{ region: string; images: Array<{ skuId: string; version: string; role: 'os' | 'data'; lun?: number; url: string }> }>;
  /**
   * Live pages only, added when served (lib/product-page/deprecation.ts): the offer's scheduled and
   * effective deprecations (the banner), and whether new customers may still deploy it.
   */
  deprecations?: CatalogDeprecation[];
  availableToNewCustomers?: boolean;
}
