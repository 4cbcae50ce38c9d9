/**
 * The deprecation workflow's light activities (workflows/deprecate-offer.ts): the live catalog's
 * deprecation records, the notices, and the deprecated replicas (deleted after the restore
 * window, found missing for a restore, which re-copies them with provision's replicateRegion).
 */
import { Context } from '@temporalio/activity';
import type { CatalogDeprecation, DeprecationNoticeRequest, DeprecationScope } from '../../domain/deprecation';
import { deleteCatalogDeprecation, writeCatalogDeprecation } from '../../lib/storage/catalog-deprecations';
import type { ActivityDeps } from '../deps';
import { sendDeprecationNotice } from './notices';
import { deleteDeprecatedReplicas, findMissingReplicas } from './replicas';

export function createDeprecationActivities(deps: ActivityDeps) {
  return {
    async publishCatalogDeprecation(publisherId: string, offerId: string, record: CatalogDeprecation) {
      await writeCatalogDeprecation(deps.blobs, publisherId, offerId, record);
    },
    async withdrawCatalogDeprecation(publisherId: string, offerId: string, scope: DeprecationScope) {
      await deleteCatalogDeprecation(deps.blobs, publisherId, offerId, scope);
    },
    async sendDeprecationNotice(req: DeprecationNoticeRequest) {
      return sendDeprecationNotice(deps, req);
    },
    async deleteDeprecatedReplicas(publisherId: string, offerId: string, scope: DeprecationScope) {
      const ctx = Context.current();
      return deleteDeprecatedReplicas(deps, publisherId, offerId, scope, () => ctx.heartbeat());
    },
    async findMissingDeprecatedReplicas(publisherId: string, offerId: string, scope: DeprecationScope) {
      return findMissingReplicas(deps, Context.current().client, publisherId, offerId, scope);
    },
  };
}
