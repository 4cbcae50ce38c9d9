/** Every test-lead delivery attempt of a run, kept as a report publishers and operators can read. */
import type { BlobServiceClient } from '@azure/storage-blob';
import type { RunRef } from '../../../domain/pipeline';
import type { LeadDeliveryOutcome } from '../../../domain/status';
import { readJson, writeJson } from '../../../lib/storage/json-blobs';
import { CONTAINERS, reportBlobName } from '../../../lib/storage/layout';

export interface LeadDeliveryLog {
  deliveries: LeadDeliveryOutcome[];
}

/** Appends one outcome (a single activity writes a run's log, so read-modify-write is enough). */
export async function appendLeadDelivery(blobs: BlobServiceClient, ref: RunRef, outcome: LeadDeliveryOutcome): Promise<string> {
  const name = reportBlobName(ref, 'lead-delivery');
  const log = (await readJson<LeadDeliveryLog>(blobs, CONTAINERS.reports, name)) ?? { deliveries: [] };
  log.deliveries.push(outcome);
  await writeJson(blobs, CONTAINERS.reports, name, log);
  return name;
}
