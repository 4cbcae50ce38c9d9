/** Builds the product page from the offer snapshot (the model and its rules: lib/product-page/model.ts). */
import type { OfferDraft, LogoKind } from '../../domain/offer';
import type { RunRef } from '../../domain/pipeline';
import { httpUrl } from '../../lib/html/escape';
import { sanitizeHtml } from '../../lib/html/sanitize';
import type { ProductPage } from '../../lib/product-page/model';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export function buildProductPage(
  offer: OfferDraft,
  ref: Pick<RunRef, 'publisherId' | 'offerId' | 'runId'>,
  fallbackTitle: string,
  regions: string[],
  previewUrl: string | undefined,
  /** Our URLs of the run's copies of the logos (activities/package/logos.ts), never the offer's. */
  logos: Partial<Record<LogoKind, string>>,
  now = new Date(),
): ProductPage {
  const support = offer.contacts?.support;
  return {
    publisherId: ref.publisherId,
    offerId: ref.offerId,
    runId: ref.runId,
    stage: 'preview',
    createdAt: now.toISOString(),
    previewUrl,
    title: text(offer.title) || fallbackTitle,
    summary: text(offer.summary),
    longSummary: text(offer.longSummary),
    descriptionHtml: sanitizeHtml(text(offer.description)),
    categories: (offer.categories ?? []).filter((c): c is string => typeof c === 'string'),
    logos: { ...logos },
    privacyPolicyUrl: httpUrl(offer.privacyPolicyUrl),
    termsOfUse: text(offer.termsOfUse),
    usefulLinks: (offer.usefulLinks ?? []).flatMap((l) => {
      const url = httpUrl(l.url);
      return url ? [{ name: text(l.name) || url, url }] : [];
    }),
    // The engineering contact is for the marketplace team only; customers see support.
    support: support ? { name: support.name, email: support.email, phone: support.phone, url: httpUrl(support.url) } : undefined,
    regions: [...regions],
    skus: (offer.skus ?? []).map((sku) => ({
      skuId: text(sku.skuId),
      title: text(sku.title),
      summary: text(sku.summary),
      description: text(sku.description),
      os: { family: text(sku.os?.family), type: text(sku.os?.type), friendlyName: text(sku.os?.friendlyName) },
      recommendedVmSizes: (sku.recommendedVmSizes ?? []).map(text),
      openPorts: (sku.openPorts ?? []).map((p) => ({ name: text(p.name), protocol: text(p.protocol), port: Number(p.port) })),
      // Versions and disk counts only: the disk URLs stay in the snapshot.
      diskVersions: (sku.diskVersions ?? []).map((v) => ({
        version: text(v.version),
        diskCount: 1 + (v.dataDisks?.length ?? 0),
        dataDiskCount: v.dataDisks?.length ?? 0,
      })),
      regions: [...regions],
    })),
  };
}
