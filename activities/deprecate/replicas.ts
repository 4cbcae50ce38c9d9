/**
 * The replicas a deprecation covers: those of the live version and the one it replaced (the only
 * ones retention keeps), in every region, whose names fall under the scope (`{skuId}/` or
 * `{skuId}/{version}/`, see lib/offer/plan.ts). Deleted after the restore window; a restore
 * re-copies the ones missing by then.
 */
import type { Client } from '@temporalio/client';
import { fromPayloadsAtIndex } from '@temporalio/common';
import type { DeprecationScope } from '../../domain/deprecation';
import { publishWorkflowId, type PublishInput } from '../../domain/messages';
import type { DiskRef, RunKey, RunRef } from '../../domain/pipeline';
import { mapLimit } from '../../lib/map-limit';
import { buildPlan } from '../../lib/offer/plan';
import type { LivePointer } from '../../lib/storage/catalog';
import { readJson } from '../../lib/storage/json-blobs';
import { CONTAINERS, livePointerBlobName, runPrefix } from '../../lib/storage/layout';
import { loadOfferSnapshot } from '../../lib/storage/offer-snapshots';
import { listRunReplicas } from '../../lib/storage/run-replicas';
import type { ActivityDeps } from '../deps';

/** A blob name (relative to its run) the scope covers. */
export function inScope(scope: DeprecationScope, relativeName: string): boolean {
  if (scope === 'offer') return true;
  return relativeName.startsWith(scope.version ? `${scope.skuId}/${scope.version}/` : `${scope.skuId}/`);
}

/** The runs whose replicas the live catalog keeps: the live one and the one it replaced. */
async function keptRuns(deps: ActivityDeps, publisherId: string, offerId: string): Promise<RunKey[]> {
  const pointer = await readJson<LivePointer>(deps.blobs, CONTAINERS.live, livePointerBlobName(publisherId, offerId));
  if (!pointer) return [];
  return [pointer.runId, ...(pointer.supersedes ? [pointer.supersedes] : [])].map((runId) => ({ publisherId, offerId, runId }));
}

export async function deleteDeprecatedReplicas(deps: ActivityDeps, publisherId: string, offerId: string, scope: DeprecationScope, heartbeat: () => void): Promise<{ replicasDeleted: number }> {
  let replicasDeleted = 0;
  for (const run of await keptRuns(deps, publisherId, offerId)) {
    const prefix = runPrefix(run);
    await mapLimit(deps.config.regions, deps.config.provisionConcurrency, async (region) => {
      const { container, replicas } = await listRunReplicas(deps, run, region);
      for (const r of replicas.filter((x) => inScope(scope, x.name.slice(prefix.length)))) {
        if ((await container.getPageBlobClient(r.name).deleteIfExists()).succeeded) replicasDeleted++;
      }
      heartbeat();
    });
  }
  return { replicasDeleted };
}

export interface MissingReplicas {
  ref: RunRef;
  region: string;
  disks: DiskRef[];
}

/**
 * Per region, the disks of the live run under the scope that have no replica (deleted, or lost):
 * what replicateRegion must copy again. The run's offer snapshot (named in its publish workflow's
 * input) says which disks there are and where they are copied from.
 */
export async function findMissingReplicas(deps: ActivityDeps, client: Client, publisherId: string, offerId: string, scope: DeprecationScope): Promise<MissingReplicas[]> {
  const [live] = await keptRuns(deps, publisherId, offerId);
  if (!live) return [];
  const workflowId = publishWorkflowId(publisherId, offerId);
  const history = await client.workflow.getHandle(workflowId, live.runId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const input = fromPayloadsAtIndex<PublishInput | undefined>(client.options.loadedDataConverter.payloadConverter, 0, started?.input?.payloads);
  const offerRef = input?.offerRef;
  if (!offerRef) throw new Error(`the live run ${live.runId} of ${workflowId} has no offer snapshot in its input`);
  const ref: RunRef = { ...live, workflowId, offerRef };
  const disks = buildPlan(await loadOfferSnapshot(deps, offerRef)).disks.filter((d) => inScope(scope, d.blobName));
  const prefix = runPrefix(live);
  const missing = await mapLimit(deps.config.regions, deps.config.provisionConcurrency, async (region) => {
    const present = new Set((await listRunReplicas(deps, live, region)).replicas.filter((r) => r.copyStatus !== 'pending').map((r) => r.name.slice(prefix.length)));
    return { ref, region, disks: disks.filter((d) => !present.has(d.blobName)) };
  });
  return missing.filter((m) => m.disks.length > 0);
}
