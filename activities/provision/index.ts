/**
 * Provisioning: server-side copies of every disk image into each region's own storage account.
 * The storage service moves the bytes (Copy Blob from a URL carrying a short-lived read SAS); the
 * worker only starts, watches and verifies copies, so an image is never downloaded through it.
 * Idempotent: a replica that already holds a finished copy of the same source version (ETag and
 * length in its metadata) is skipped, and a copy still pending from an earlier attempt is followed
 * rather than restarted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BlobClient,
  BlobSASPermissions,
  SASProtocol,
  StorageSharedKeyCredential,
  type BlobBeginCopyFromUrlPollState,
  type BlobServiceClient,
  type PageBlobClient,
} from '@azure/storage-blob';
import { CancelledFailure } from '@temporalio/common';
import { ErrorType, infrastructureFailure, publisherFailure } from '../../domain/errors';
import type { DiskRef, ReplicateRegionResult, ReplicateRegionsResult, RunRef } from '../../domain/pipeline';
import type { OfferDraft } from '../../domain/offer';
import type { ActivityDeps } from '../deps';
import { assertUrlAllowed, redactUrl, resolveAndCheck, UrlPolicyError } from '../../lib/net/url-policy';
import { diskUrl } from '../../lib/offer/plan';
import { imageBlobTypeProblem } from '../../lib/storage/image-blob';
import { abortQuietly, listRunReplicas } from '../../lib/storage/run-replicas';
import { writeJson } from '../../lib/storage/json-blobs';
import { CONTAINERS, replicaBlobName, reportBlobName } from '../../lib/storage/layout';
import { loadOfferSnapshot } from '../../lib/storage/offer-snapshots';
import { PromiseCache } from '../../lib/promise-cache';
import { publicBlobUrl } from '../../lib/storage/public-url';
import { errorCodeOf, scrubbed, scrubSecrets, statusOf } from '../../lib/storage/rest-errors';

export interface ActivityControl {
  heartbeat(details?: unknown): void;
  signal: AbortSignal;
}

/** Heartbeat details while a disk is copied. */
export interface CopyProgress {
  region: string;
  disk: string;
  bytesCopied: number;
  total: number;
}

/** A disk's source as the copy needs it; `copyUrl` may hold a SAS and never leaves this module. */
export interface CopySource {
  field: string;
  copyUrl: string;
  etag: string;
  length: number;
  /** The SAS in `copyUrl` is ours (an image in the control account): a refused read is for us to fix, not the publisher. */
  ourSas?: boolean;
}

export type ReplicaClient = Pick<PageBlobClient, 'getProperties' | 'beginCopyFromURL' | 'abortCopyFromURL' | 'deleteIfExists'>;

/** Which copy, in messages and heartbeats. */
type CopyLabel = Pick<CopyProgress, 'region' | 'disk'>;

/** Replica metadata recording which source version it is a copy of. */
const META_ETAG = 'sourceetag';
const META_LENGTH = 'sourcelength';
/** The first poll is at once (Azurite finishes copies then); Azure's copies take seconds to hours. */
const POLL = { firstMs: 200, maxMs: 10_000 };

/** How long a worker keeps what a run's regions share; a region that starts later reads it again. */
const RUN_CACHE_TTL_MS = 5 * 60_000;

/** Per worker (its deps): what the regions of a run read once instead of once per region. */
const runCaches = new WeakMap<ActivityDeps, { snapshots: PromiseCache<OfferDraft>; sources: PromiseCache<SourceBlob> }>();

function cachesOf(deps: ActivityDeps) {
  let caches = runCaches.get(deps);
  if (!caches) runCaches.set(deps, (caches = { snapshots: new PromiseCache(RUN_CACHE_TTL_MS), sources: new PromiseCache(RUN_CACHE_TTL_MS) }));
  return caches;
}

/**
 * A run's offer snapshot, read once per worker process for all the run's regions (55 reads and
 * decryptions per publish otherwise): a snapshot is never rewritten under its name while its run
 * runs. A failed read is not kept.
 */
function runSnapshot(deps: ActivityDeps, offerRef: string): Promise<OfferDraft> {
  return cachesOf(deps).snapshots.get(offerRef, () => loadOfferSnapshot(deps, offerRef));
}

/**
 * A disk's source as every region of a run copies it (the policy check and the HEAD), read once per
 * worker process and run instead of once per region. A copy starts only if the source still has
 * this ETag (`ifMatch`), so a source replaced meanwhile cannot be copied by mistake; a disk whose
 * copy failed is read again on the retry (`forget`).
 */
function runSource(deps: ActivityDeps, offerRef: string, offer: OfferDraft, disk: DiskRef): { source: Promise<SourceBlob>; forget(): void } {
  const { sources } = cachesOf(deps);
  const key = `${offerRef}\n${disk.field}`;
  return { source: sources.get(key, () => readSource(deps, offer, disk)), forget: () => sources.forget(key) };
}

/**
 * Copies every disk into the region's account (`replicas-<region>`, under the run's prefix).
 * `bytes` counts all the region's disks (copied now or before); `skipped` those already complete.
 * Heartbeats only while a copy is pending and between disks: the storage service often finishes a
 * copy by the first poll, and a heartbeat is a write on the Temporal server.
 */
export async function replicateRegion(
  deps: ActivityDeps,
  ref: RunRef,
  region: string,
  disks: DiskRef[],
  ctl: ActivityControl,
): Promise<ReplicateRegionResult> {
  throwIfAborted(ctl.signal);
  const offer = await runSnapshot(deps, ref.offerRef);
  const target = await deps.regionAccounts.ensureReplicas(region).catch((err: unknown) => {
    // Whatever the storage said (a refused key, an unknown account), it is ours to fix, not the publisher's.
    const why = scrubbed(`The storage account of region ${region} could not be used (check REGION_STORAGE)`, err);
    throw infrastructureFailure(ErrorType.RegionStorageUnavailable, why.message);
  });
  let bytes = 0;
  let skipped = 0;
  for (const [i, disk] of disks.entries()) {
    throwIfAborted(ctl.signal);
    const read = runSource(deps, ref.offerRef, offer, disk);
    const source = await copySource(deps, await read.source, deps.regionAccounts.account(region));
    const replica = target.getPageBlobClient(replicaBlobName(ref, disk));
    const label = { region, disk: disk.blobName };
    const copied = await copyDisk(replica, source, ctl, label).catch((err: unknown) => {
      read.forget();
      throw err;
    });
    if (copied === 'skipped') skipped++;
    bytes += source.length;
    if (i < disks.length - 1) ctl.heartbeat({ ...label, bytesCopied: source.length, total: source.length } satisfies CopyProgress);
  }
  return { region, disks: disks.length, bytes, skipped };
}

/**
 * Several regions copied in turn by one activity: a lane's fast path, since scheduling an activity
 * costs the Temporal server and the worker more than a copy the storage service finishes as it
 * starts. Stops at the first region that fails and says which, without throwing: the workflow then
 * copies that region and the rest with one activity each, so a failing region is still retried and
 * reported on its own. Only a cancel throws.
 */
export async function replicateRegionsInTurn(
  regions: string[],
  copyRegion: (region: string) => Promise<ReplicateRegionResult>,
  ctl: ActivityControl,
): Promise<ReplicateRegionsResult> {
  const replicated: ReplicateRegionResult[] = [];
  for (const region of regions) {
    throwIfAborted(ctl.signal);
    try {
      replicated.push(await copyRegion(region));
    } catch (err) {
      if (ctl.signal.aborted) throw abortReason(ctl.signal);
      return { replicated, stopped: { region, reason: scrubSecrets(err instanceof Error ? err.message : String(err)).slice(0, 500) } };
    }
    // Between regions: where a cancel arrives, and the activity's sign of life (the SDK throttles what it sends).
    if (replicated.length < regions.length) ctl.heartbeat();
  }
  return { replicated };
}

/** Copies one disk and waits for it; on cancel, aborts the copy and deletes the unfinished replica. */
export async function copyDisk(
  replica: ReplicaClient,
  source: CopySource,
  ctl: ActivityControl,
  label: CopyLabel,
  poll = POLL,
): Promise<'copied' | 'skipped'> {
  let copyId: string | undefined;
  /** An unfinished replica of another source was stopped here: on cancel it goes too. */
  let replaced = false;
  try {
    // Most copies are first copies: started at once, on condition that no replica is there yet.
    throwIfAborted(ctl.signal);
    let started = await startCopy(replica, source, label, { onlyIfAbsent: true });
    if (!started) {
      // One is (an earlier attempt, a restore): skip it if complete, follow it if pending, else replace it.
      const existing = await propertiesOrUndefined(replica);
      const sameSource = existing?.metadata?.[META_ETAG] === source.etag && existing?.metadata?.[META_LENGTH] === String(source.length);
      if (existing && sameSource && existing.copyStatus === 'success' && existing.contentLength === source.length) return 'skipped';
      if (existing?.copyStatus === 'pending') {
        if (sameSource && existing.copyId) started = { id: existing.copyId, finished: false };
        else {
          replaced = true;
          await abortQuietly(replica, existing.copyId);
        }
      }
      throwIfAborted(ctl.signal);
      started ??= await startCopy(replica, source, label);
    }
    copyId = started.id;
    // A copy the service finished as it started is of the version the source condition named, with
    // the metadata sent with it: nothing is left to verify. Otherwise the poll that sees it finish
    // has the replica's properties: verified without another read.
    if (!started.finished) await verifyReplica(replica, await waitForCopy(replica, copyId, source, ctl, label, poll), source, label);
    return 'copied';
  } catch (err) {
    if (!ctl.signal.aborted) throw err;
    // A copy this attempt started or followed is unfinished: stop it and remove the replica.
    if (copyId !== undefined || replaced) {
      await abortQuietly(replica, copyId);
      await replica.deleteIfExists();
    }
    throw abortReason(ctl.signal);
  }
}

/** A copy the storage service accepted; `finished` when it said so in its answer to the start. */
interface StartedCopy {
  id: string;
  finished: boolean;
}

/**
 * Starts the copy and returns its id. With `onlyIfAbsent`, only when no replica is there yet
 * (If-None-Match: *): undefined when one is, or when the storage service refuses the condition
 * (Azure answers 409 BlobAlreadyExists or 412; Azurite also says 412 for a source condition), so
 * the caller looks at what is there and starts again without it.
 */
async function startCopy(replica: ReplicaClient, source: CopySource, label: CopyLabel): Promise<StartedCopy>;
async function startCopy(replica: ReplicaClient, source: CopySource, label: CopyLabel, opts: { onlyIfAbsent: true }): Promise<StartedCopy | undefined>;
async function startCopy(replica: ReplicaClient, source: CopySource, label: CopyLabel, opts: { onlyIfAbsent?: boolean } = {}): Promise<StartedCopy | undefined> {
  try {
    // The SDK's poller is used only to start the copy (its first poll); waitForCopy does the
    // polling, so it can heartbeat and stop on cancel.
    const poller = await replica.beginCopyFromURL(source.copyUrl, {
      metadata: { [META_ETAG]: source.etag, [META_LENGTH]: String(source.length) },
      // Copy exactly the version whose length we verify against.
      sourceConditions: { ifMatch: source.etag },
      ...(opts.onlyIfAbsent ? { conditions: { ifNoneMatch: '*' } } : {}),
    });
    const state = poller.getOperationState() as BlobBeginCopyFromUrlPollState;
    if (!state.copyId) throw new Error('the storage service returned no copy id');
    // The poller marks the copy completed when the start's answer said `success` (synchronous copies).
    return { id: state.copyId, finished: state.isCompleted === true };
  } catch (err) {
    const status = statusOf(err);
    if (opts.onlyIfAbsent && (status === 412 || (status === 409 && errorCodeOf(err) === 'BlobAlreadyExists'))) return undefined;
    if (errorCodeOf(err) === 'CannotVerifyCopySource' && status !== undefined && status < 500 && status !== 412) {
      if (source.ourSas) {
        throw infrastructureFailure(
          ErrorType.CopySourceRefused,
          `The storage account of ${label.region} could not read the image at ${source.field} from the control account (HTTP ${status}); retrying.`,
        );
      }
      throw publisherFailure(
        ErrorType.ImageNotReadable,
        `The storage service could not read the image at ${source.field} to copy it (HTTP ${status}): ` +
          'check that the URL is right and that its SAS token grants read access and has not expired.',
      );
    }
    // 412: the image changed since we read its properties; the retry picks up the new version.
    throw scrubbed(`Starting the copy of ${label.disk} to ${label.region} failed`, err);
  }
}

/** Polls the copy until it succeeds; Azurite completes copies at once, Azure may take hours. */
async function waitForCopy(
  replica: ReplicaClient,
  copyId: string,
  source: CopySource,
  ctl: ActivityControl,
  label: CopyLabel,
  poll: typeof POLL,
): Promise<Awaited<ReturnType<ReplicaClient['getProperties']>>> {
  let delay = poll.firstMs;
  for (;;) {
    throwIfAborted(ctl.signal);
    const p = await replica.getProperties();
    if (p.copyId !== copyId) throw new Error(`The replica ${label.disk} in ${label.region} was replaced by another copy; retrying.`);
    if (p.copyStatus === 'success') return p;
    if (p.copyStatus === 'failed' || p.copyStatus === 'aborted') throw copyFailure(p.copyStatus, p.copyStatusDescription, source, label);
    const [copied, total] = (p.copyProgress ?? '').split('/').map(Number);
    ctl.heartbeat({ ...label, bytesCopied: copied || 0, total: total || source.length } satisfies CopyProgress);
    // An abort ends the wait early; the loop head then throws.
    await sleep(delay, undefined, { signal: ctl.signal }).catch(() => undefined);
    delay = Math.min(delay * 2, poll.maxMs);
  }
}

function copyFailure(status: string, description: string | undefined, source: CopySource, label: CopyLabel): Error {
  const detail = scrubSecrets((description ?? '').split('\n')[0]).slice(0, 200);
  const code = Number(/^\s*(\d{3})\b/.exec(description ?? '')?.[1]);
  if (status === 'failed' && (code === 401 || code === 403 || code === 404) && !source.ourSas) {
    return publisherFailure(
      ErrorType.ImageNotReadable,
      `Copying the image at ${source.field} stopped because the source could no longer be read (${detail}): ` +
        'check that its SAS token grants read access and stays valid until provisioning completes.',
    );
  }
  return new Error(`The copy of ${label.disk} to ${label.region} ${status}${detail ? `: ${detail}` : ''}; retrying.`);
}

async function verifyReplica(
  replica: ReplicaClient,
  p: Awaited<ReturnType<ReplicaClient['getProperties']>>,
  source: CopySource,
  label: CopyLabel,
): Promise<void> {
  if (p.contentLength !== source.length || p.metadata?.[META_ETAG] !== source.etag) {
    await replica.deleteIfExists();
    throw new Error(`The replica ${label.disk} in ${label.region} has ${p.contentLength} bytes, expected ${source.length}; copying again.`);
  }
}

/** A disk's source after its checks: the publisher's URL, its version, and the blob in the control account if it is one. */
interface SourceBlob {
  field: string;
  url: string;
  etag: string;
  length: number;
  /** The URL without its query, when the image is in the control account. */
  own?: string;
  /** The read SAS URL of `own` for copies into other accounts: minted once for the run's regions (ownSasUrl). */
  sas?: { url: string; expiresOn: number };
}

/** Checks the disk URL against the policy and reads the source's properties (a HEAD, no download). */
async function readSource(deps: ActivityDeps, offer: OfferDraft, disk: DiskRef): Promise<SourceBlob> {
  const url = diskUrl(offer, disk);
  // A missing value is not worth retrying, so it fails for good.
  if (!url) throw publisherFailure(ErrorType.OfferFieldMissing, `The offer has no URL at ${disk.field}; add it and press Publish again.`);
  try {
    // The worker sends a HEAD to this URL, so it gets the same SSRF checks as any fetch.
    await resolveAndCheck(assertUrlAllowed(url, deps.config.urlPolicy), deps.config.urlPolicy);
  } catch (err) {
    if (!(err instanceof UrlPolicyError)) throw scrubbed(`Checking the image URL at ${disk.field} failed`, err);
    throw publisherFailure(ErrorType.ImageUrlNotAllowed, `The image URL at ${disk.field} is not allowed: ${scrubSecrets(err.message)}`);
  }
  const own = blobUrlIn(deps.blobs, url);
  const ownBlob = own ? new BlobClient(own, deps.blobs.credential) : undefined;
  let props;
  try {
    props = await (ownBlob ?? new BlobClient(url)).getProperties();
  } catch (err) {
    const status = statusOf(err);
    if (status === 404) {
      throw publisherFailure(ErrorType.ImageNotFound, `The image at ${disk.field} (${redactUrl(url)}) does not exist: check the URL.`);
    }
    if (status === 401 || status === 403) {
      throw publisherFailure(
        ErrorType.ImageNotReadable,
        `Reading the image at ${disk.field} (${redactUrl(url)}) was refused (HTTP ${status}): ` +
          'check that its SAS token grants read access and has not expired.',
      );
    }
    throw scrubbed(`Reading the properties of the image at ${disk.field} failed`, err);
  }
  // Validate refuses such an image already (same rule); this guards an image replaced since.
  const notPageBlob = imageBlobTypeProblem(props.blobType);
  if (notPageBlob) throw publisherFailure(ErrorType.ImageNotPageBlob, `The image at ${disk.field} ${notPageBlob}.`);
  if (!props.etag || props.contentLength === undefined) throw new Error(`The image at ${disk.field} reported no ETag or length; retrying.`);
  return { field: disk.field, url, etag: props.etag, length: props.contentLength, ...(own ? { own } : {}) };
}

/**
 * The URL `target` copies the source from: the publisher's URL as given; an image in the control
 * account as its plain URL when `target` is that account too, else with a read SAS minted for the copy.
 */
async function copySource(deps: ActivityDeps, src: SourceBlob, target: BlobServiceClient): Promise<CopySource> {
  const base = { field: src.field, etag: src.etag, length: src.length };
  const { own } = src;
  if (!own) return { ...base, copyUrl: src.url };
  // Same account: Azure authorizes the source with the destination request's own key.
  if (blobUrlIn(target, own)) return { ...base, copyUrl: own };
  return { ...base, copyUrl: await ownSasUrl(deps, src, own), ourSas: true };
}

/**
 * A read SAS for `own`, valid COPY_SOURCE_SAS_MINUTES: minted once and shared by the run's regions
 * (the source is cached per run), minted again once half its lifetime has passed, so every copy
 * starts with at least half of it ahead.
 */
async function ownSasUrl(deps: ActivityDeps, src: SourceBlob, own: string): Promise<string> {
  const now = Date.now();
  const lifetimeMs = deps.config.copySourceSasMinutes * 60_000;
  if (src.sas && src.sas.expiresOn - now > lifetimeMs / 2) return src.sas.url;
  const expiresOn = now + lifetimeMs;
  const url = await new BlobClient(own, deps.blobs.credential).generateSasUrl({
    permissions: BlobSASPermissions.parse('r'),
    startsOn: new Date(now - 5 * 60_000), // clock skew
    expiresOn: new Date(expiresOn),
    protocol: own.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
  });
  src.sas = { url, expiresOn };
  return url;
}

/** The URL without its query when it names a blob of `account` and that account has a shared key; else undefined. */
function blobUrlIn(account: BlobServiceClient, url: string): string | undefined {
  if (!(account.credential instanceof StorageSharedKeyCredential)) return undefined;
  const u = new URL(url);
  const a = new URL(account.url);
  const base = `${a.origin}${a.pathname.replace(/\/?$/, '/')}`;
  const plain = `${u.origin}${u.pathname}`;
  return plain.startsWith(base) ? plain : undefined;
}

async function propertiesOrUndefined(replica: ReplicaClient) {
  try {
    return await replica.getProperties();
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/** Temporal aborts with a CancelledFailure, which the worker reports as a cancellation; keep any error-like reason. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  // DOMException may come from another realm (e.g. under jest), so no instanceof check.
  const errorLike = typeof reason === 'object' && reason !== null && typeof (reason as Error).message === 'string';
  return errorLike ? (reason as Error) : new CancelledFailure('Activity cancelled');
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

export interface ProvisionReport {
  regions: Array<{ region: string; replicas: Array<{ blobName: string; url: string; length: number }> }>;
}

/**
 * The run's replicas per region into a report blob; returns the blob name. Written after every
 * region's copy was verified (same names, the source's length), so one region is listed and the
 * others are named from it: one request instead of one per region.
 */
export async function writeProvisionReport(deps: ActivityDeps, ref: RunRef, regions: string[]): Promise<string> {
  const listed = regions.length > 0 ? (await listRunReplicas(deps, ref, regions[0])).replicas : [];
  const report: ProvisionReport = {
    regions: regions.map((region) => {
      const c = deps.regionAccounts.replicas(region);
      return { region, replicas: listed.map((r) => ({ blobName: r.name, url: publicBlobUrl(c.getBlobClient(r.name)), length: r.length })) };
    }),
  };
  const name = reportBlobName(ref, 'provision');
  await writeJson(deps.blobs, CONTAINERS.reports, name, report);
  return name;
}
