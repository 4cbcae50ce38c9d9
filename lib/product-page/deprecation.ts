/**
 * A live page as customers see it under the offer's deprecations: every one is listed (the banner
 * shows its date, reason and alternative from the moment it is scheduled), and an effective one
 * takes what it covers off the page for new customers — the version from its plan, the plan, or
 * the whole offer (`availableToNewCustomers: false`; the page stays readable for existing customers).
 */
import type { CatalogDeprecation } from '../../domain/deprecation';
import type { ProductPage } from './model';

export function applyDeprecations(page: ProductPage, records: CatalogDeprecation[]): ProductPage {
  if (records.length === 0) return page;
  let skus = page.skus;
  let deployFrom = page.deployFrom;
  let offerGone = false;
  for (const r of records) {
    if (r.state !== 'Effective') continue;
    if (r.scope === 'offer') {
      offerGone = true;
      continue;
    }
    const { skuId, version } = r.scope;
    const hidden = (i: { skuId: string; version: string }) => i.skuId === skuId && (version === undefined || i.version === version);
    skus = skus
      .map((s) => (s.skuId === skuId && version !== undefined ? { ...s, diskVersions: s.diskVersions.filter((v) => v.version !== version) } : s))
      .filter((s) => s.skuId !== skuId || (version !== undefined && s.diskVersions.length > 0));
    deployFrom = deployFrom?.map((d) => ({ ...d, images: d.images.filter((i) => !hidden(i)) }));
  }
  const available = !offerGone && skus.length > 0;
  return {
    ...page,
    skus: available ? skus : page.skus,
    ...(deployFrom && available ? { deployFrom } : {}),
    deprecations: records,
    availableToNewCustomers: available,
  };
}
