/**
 * Retention of offer snapshots: a snapshot keeps its secrets while its run may still need them,
 * and loses them (lib/storage/offer-snapshots.ts `removeOfferSnapshotSecrets`) once that run has
 * ended and OFFER_SNAPSHOT_RETENTION has passed. Run periodically by a Temporal Schedule
 * (workers/retention-schedule.ts), so it does not depend on how a run ended — completed, failed,
 * canceled, terminated by an operator — nor on the run doing anything at its end.
 *
 * Temporal says which runs are open and when the others closed. The API writes a snapshot just
 * before it starts the run that uses it, so a snapshot's run is one that started between its
 * writing and the offer's next snapshot (give or take the clocks' skew).
 */
import type { BlobServiceClient } from '@azure/storage-blob';
import { listOfferSnapshots, removeOfferSnapshotSecrets, type SnapshotEntry } from '../../lib/storage/offer-snapshots';

/** One run of an offer's publish workflow, as Temporal's visibility lists it. */
export interface OfferRun {
  startedAt: Date;
  /** Undefined while the run is open. */
  closedAt?: Date;
}

/**
 * The runs of an offer's publish workflow (Temporal keeps closed runs for its namespace
 * retention); undefined when they cannot be told (the snapshots are then kept).
 */
export type OfferRuns = (publisherId: string, offerId: string) => Promise<OfferRun[] | undefined>;

export interface SweepResult {
  /** Snapshots that still had secrets. */
  examined: number;
  /** Of those, the ones whose secrets were removed now. */
  removed: number;
}

/** The API host's clock (snapshot times) and Temporal's (run start times) may differ this much. */
const CLOCK_SKEW_MS = 5 * 60_000;
/**
 * A snapshot no run is listed for: a start refused or lost with the API, or a run not yet visible
 * (visibility lags the start a little). Counted as ended this long after it was written.
 */
const START_GRACE_MS = 10 * 60_000;

/** When the run using `snapshot` ended; undefined while it may still be running. */
export function snapshotRunEnded(snapshot: Pick<SnapshotEntry, 'createdAt'>, nextSnapshotAt: Date | undefined, runs: OfferRun[]): Date | undefined {
  const from = snapshot.createdAt.getTime() - CLOCK_SKEW_MS;
  const until = nextSnapshotAt ? nextSnapshotAt.getTime() + CLOCK_SKEW_MS : Infinity;
  const own = runs.filter((r) => r.startedAt.getTime() >= from && r.startedAt.getTime() < until);
  if (own.some((r) => !r.closedAt)) return undefined;
  if (own.length === 0) return new Date(snapshot.createdAt.getTime() + START_GRACE_MS);
  return new Date(Math.max(...own.map((r) => r.closedAt!.getTime())));
}

/** Removes the secrets of every snapshot whose run ended at least `retentionMs` before `now`. */
export async function sweepOfferSnapshots(
  blobs: BlobServiceClient,
  runsOf: OfferRuns,
  retentionMs: number,
  now = new Date(),
  heartbeat: () => void = () => undefined,
): Promise<SweepResult> {
  // Every snapshot of an offer (with or without secrets: the next one bounds a run's window).
  const byOffer = new Map<string, SnapshotEntry[]>();
  for await (const s of listOfferSnapshots(blobs)) {
    const key = `${s.publisherId}/${s.offerId}`;
    byOffer.set(key, [...(byOffer.get(key) ?? []), s]);
  }
  const result: SweepResult = { examined: 0, removed: 0 };
  for (const snapshots of byOffer.values()) {
    snapshots.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    // A run ends after its snapshot was written: one younger than the retention cannot be due.
    const due = snapshots.filter((s) => !s.secretsRemoved && now.getTime() - s.createdAt.getTime() >= retentionMs);
    result.examined += snapshots.filter((s) => !s.secretsRemoved).length;
    if (due.length === 0) continue;
    const runs = await runsOf(due[0].publisherId, due[0].offerId);
    if (!runs) continue;
    for (const s of due) {
      heartbeat();
      const next = snapshots[snapshots.indexOf(s) + 1]?.createdAt;
      const ended = snapshotRunEnded(s, next, runs);
      if (ended && now.getTime() - ended.getTime() >= retentionMs && (await removeOfferSnapshotSecrets(blobs, s.offerRef, s.etag, now))) result.removed++;
    }
  }
  return result;
}
