/**
 * `npm run bench:provision`: replicates a 1 GiB image (GPT, EFI + ext4 root, as a page blob) to the
 * 55 default regions with the `provision` step's own code — from the control account into each
 * region's own account, on an embedded Azurite (or the accounts of AZURE_STORAGE_CONNECTION_STRING
 * and REGION_STORAGE) — and prints the wall time, copies per second and the bytes that passed
 * through this process (read from /proc/self/io, which counts socket traffic too).
 *
 *   npm run bench:provision -- --concurrency 8
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../config/env';
import { DEFAULT_REGIONS } from '../domain/regions';
import type { RunRef } from '../domain/pipeline';
import { createActivityDeps } from '../activities/deps';
import { mapLimit } from '../lib/map-limit';
import { replicateRegion } from '../activities/provision';
import { cleanupRun } from '../lib/storage/run-replicas';
import { saveOfferSnapshot } from '../lib/storage/offer-snapshots';
import { buildPlan } from '../activities/validate/rules';
import { uploadVhdAsPageBlob } from '../samples/azure-upload';
import { buildSampleLinuxDisk } from '../samples/disk-image';
import { validOffer } from '../samples/offer';
import { GiB } from '../domain/units';
import { configuredOrScratchStorage, type AzuriteHandle } from '../dev-stack/services';

/** Bytes this process moved through read/write syscalls (files and sockets alike). */
function processIoBytes(): number {
  const io = fs.readFileSync('/proc/self/io', 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? 0);
  return field('rchar') + field('wchar');
}

function num(flag: string, fallback: number): number {
  const i = process.argv.indexOf(`--${flag}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  const concurrency = num('concurrency', 8);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-provision-'));
  let azurite: AzuriteHandle | undefined;
  try {
    const storage = await configuredOrScratchStorage(work);
    azurite = storage.scratch;
    const { connectionString } = storage;
    const deps = createActivityDeps(
      loadConfig({
        // A throw-away key for the bench's own snapshot, unless one is given.
        OFFER_SECRETS_KEY: randomBytes(32).toString('base64'),
        ...process.env,
        AZURE_STORAGE_CONNECTION_STRING: connectionString,
        URL_ALLOW_LOOPBACK: 'true',
      }),
    );

    const image = path.join(work, 'os.vhd');
    await buildSampleLinuxDisk(image, { virtualSize: GiB });
    const osVhdUrl = await uploadVhdAsPageBlob(deps.blobs, 'publisher-uploads', `bench/${path.basename(work)}.vhd`, image);
    const offer = validOffer({ osVhdUrl });
    const offerRef = await saveOfferSnapshot(deps, 'bench', 'provision', offer);
    const ref: RunRef = { publisherId: 'bench', offerId: 'provision', workflowId: 'publish/bench/provision', runId: path.basename(work), offerRef };
    const disks = buildPlan(offer).disks;
    const ctl = { heartbeat: () => undefined, signal: new AbortController().signal };
    console.log(`image: 1 GiB fixed VHD page blob; ${DEFAULT_REGIONS.length} regions, each its own storage account; ${concurrency} copies at a time`);

    const ioBefore = processIoBytes();
    const start = performance.now();
    const results = await mapLimit([...DEFAULT_REGIONS], concurrency, (region) => replicateRegion(deps, ref, region, disks, ctl));
    const seconds = (performance.now() - start) / 1000;
    const ioBytes = processIoBytes() - ioBefore;

    const copies = results.reduce((n, r) => n + r.disks - r.skipped, 0);
    const replicated = results.reduce((n, r) => n + r.bytes, 0);
    console.log(`wall time: ${seconds.toFixed(2)} s for ${copies} copies (${(copies / seconds).toFixed(1)} copies/s), ${(replicated / GiB).toFixed(0)} GiB replicated`);
    console.log(`bytes through this process: ${ioBytes} (${((ioBytes / replicated) * 100).toFixed(5)} % of the bytes replicated; image bytes: ${ioBytes < GiB ? 0 : 'SOME'})`);
    await cleanupRun(deps, ref, [...DEFAULT_REGIONS]);
    deps.mailer.close();
  } finally {
    await azurite?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
