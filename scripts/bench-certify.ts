/**
 * `npm run bench:certify`: certifies a sparse 64 GiB fixed VHD (GPT, EFI + ext4 root of a
 * compliant Linux tree) served over HTTP by a local range server, as the `certify` step reads a
 * blob, and prints the time, the bytes read and their share of the image. Target: < 0.1 %.
 *
 *   npm run bench:certify -- --size-gib 64 --runs 3
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import type { CertificationCheck } from '../domain/certification';
import type { DiskRef } from '../domain/pipeline';
import { openBlockDevice } from '../lib/net/block-device';
import { checkDisk } from '../activities/certify/disk-checks';
import { inspectImage } from '../activities/certify/inspect-image';
import { buildSampleLinuxDisk } from '../samples/disk-image';
import { startRangeServer } from '../samples/range-server';
import { GiB, MiB } from '../domain/units';

function num(flag: string, fallback: number): number {
  const i = process.argv.indexOf(`--${flag}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  const sizeGiB = num('size-gib', 64);
  const runs = num('runs', 3);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-certify-'));
  const server = await startRangeServer();
  try {
    const image = path.join(work, 'os.vhd');
    const t0 = performance.now();
    const built = await buildSampleLinuxDisk(image, { virtualSize: sizeGiB * GiB, efiBytes: 100 * MiB });
    const imageBytes = fs.statSync(image).size;
    const onDiskKiB = Number(execFileSync('du', ['-k', image]).toString().split('\t')[0]);
    console.log(`image: ${sizeGiB} GiB fixed VHD (${imageBytes} bytes, ${onDiskKiB} KiB on disk), tree and image built in ${(performance.now() - t0).toFixed(0)} ms`);

    const url = server.url('/os.vhd');
    server.routes.set('/os.vhd', { file: image });
    const disk: DiskRef = { skuId: 'bench', version: '1.0.0', role: 'os', field: 'skus[0].diskVersions[0].osVhdUrl', blobName: 'bench/1.0.0/os.vhd' };
    const policy = { allowedHosts: [], allowLoopback: true, timeoutMs: 15_000 };

    const rows: Array<{ ms: number; bytes: number; requests: number; checks: CertificationCheck[] }> = [];
    for (let run = 0; run < runs; run++) {
      server.reset();
      const start = performance.now();
      const device = await openBlockDevice(url, { policy, maxBytes: 64 * MiB });
      const checks = await checkDisk(device, disk, 'Linux');
      checks.push(...(await inspectImage(device, built.virtualSize, disk, 'Linux')));
      const ms = performance.now() - start;
      rows.push({ ms, bytes: device.bytesRead, requests: server.requests.length, checks });
      await device.close();
    }

    const last = rows[rows.length - 1].checks;
    const count = (r: string) => last.filter((c) => c.result === r).length;
    console.log(`checks: ${last.length} (${count('Passed')} passed, ${count('Warning')} warnings, ${count('Failed')} failed, ${count('NotApplicable')} not applicable)`);
    for (const c of last.filter((c) => c.result === 'Failed')) console.log(`  FAILED ${c.testId} ${c.name}: ${c.actualValue}`);
    for (const [i, r] of rows.entries()) {
      console.log(
        `run ${i + 1}: ${r.ms.toFixed(0)} ms, ${r.bytes} bytes read in ${r.requests} range requests, ` +
          `${((r.bytes / imageBytes) * 100).toFixed(5)} % of the image`,
      );
    }
    const medianMs = rows.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
    const share = rows[0].bytes / imageBytes;
    console.log(`median time ${medianMs.toFixed(0)} ms; bytes read / image size = ${(share * 100).toFixed(5)} % (target < 0.1 %: ${share < 0.001 ? 'met' : 'NOT met'})`);
  } finally {
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
