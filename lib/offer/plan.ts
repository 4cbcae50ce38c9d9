/** The publish plan derived from a valid offer, and the way back from a DiskRef to its URL. */
import type { OfferDraft } from '../../domain/offer';
import type { DiskRef, PublishPlan } from '../../domain/pipeline';
import { valueAtField } from './fields';

export function buildPlan(offer: OfferDraft): PublishPlan {
  const disks: DiskRef[] = [];
  const osFamilyBySku: Record<string, string> = {};
  (offer.skus ?? []).forEach((sku, i) => {
    const skuId = sku.skuId ?? '';
    osFamilyBySku[skuId] = sku.os?.family ?? '';
    (sku.diskVersions ?? []).forEach((dv, j) => {
      const version = dv.version ?? '';
      const base = `skus[${i}].diskVersions[${j}]`;
      disks.push({ skuId, version, role: 'os', field: `${base}.osVhdUrl`, blobName: `${skuId}/${version}/os.vhd` });
      (dv.dataDisks ?? []).forEach((dd, k) => {
        const lun = dd.lun ?? k;
        disks.push({ skuId, version, role: 'data', lun, field: `${base}.dataDisks[${k}].vhdUrl`, blobName: `${skuId}/${version}/data-${lun}.vhd` });
      });
    });
  });
  return { title: offer.title ?? '', disks, osFamilyBySku, leadDestinationType: offer.leadDestination?.type ?? null };
}

/**
 * The image URL of a planned disk (trimmed; undefined when empty): the value at its field path,
 * the field validate checked. Validate, certify and provision all look disks up here, so they read
 * the same image; sku, version and LUN need not be unique in a draft, the field path is.
 */
export function diskUrl(offer: OfferDraft, disk: Pick<DiskRef, 'field'>): string | undefined {
  const value = valueAtField(offer, disk.field);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** How a disk is named to the publisher (no URL: it may carry a SAS token). */
export function diskLabel(disk: DiskRef): string {
  return `${disk.skuId} ${disk.version} ${disk.role === 'os' ? 'OS disk' : `data disk LUN ${disk.lun}`}`;
}
