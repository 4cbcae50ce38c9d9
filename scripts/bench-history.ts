/**
 * `npm run bench:history`: what recording the offer history costs a publish. Writes the batches
 * of R happy-path runs (11 events in 7 batches per run, as the workflow's recorder coalesces them)
 * with `writeHistoryBatch`, C runs at once, into an embedded Azurite (or the table endpoint of
 * AZURE_STORAGE_CONNECTION_STRING), then reads each offer's history in pages of 50; prints the
 * latency of one batch write (median, p95), batches and events per second, and the page reads.
 *
 *   npm run bench:history -- --runs 200 --concurrency 16
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HistoryBatch, HistoryEvent, HistoryEventType, RunSummary } from '../domain/history';
import type { StepId } from '../domain/steps';
import { mapLimit } from '../lib/map-limit';
import { historyTable, readHistoryPage, writeHistoryBatch } from '../lib/history/store';
import { configuredOrScratchStorage, type AzuriteHandle } from '../dev-stack/services';

function num(flag: string, fallback: number): number {
  const i = process.argv.indexOf(`--${flag}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The batches of one happy-path run, as the recorder writes them (one per activation that recorded). */
const HAPPY: Array<Array<[HistoryEventType, StepId]>> = [
  [['publish.started', 'validate']],
  [['publish.step.completed', 'validate']],
  [['publish.step.completed', 'certify']],
  [['publish.step.completed', 'provision']],
  [['publish.step.completed', 'package'], ['publish.step.completed', 'preview'], ['publish.waiting_for_review', 'signoff']],
  [['publish.go_live.requested', 'signoff']],
  [['publish.step.completed', 'signoff'], ['publish.step.completed', 'live'], ['publish.live', 'live']],
];

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main() {
  const runs = num('runs', 200);
  const concurrency = num('concurrency', 16);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-history-'));
  let azurite: AzuriteHandle | undefined;
  try {
    const storage = await configuredOrScratchStorage(work);
    azurite = storage.scratch;
    const { connectionString } = storage;
    const table = historyTable(connectionString, `benchhistory${Date.now()}`);
    await table.createTable();
    const latencies: number[] = [];
    let events = 0;
    const started = performance.now();
    await mapLimit(
      Array.from({ length: runs }, (_, i) => i),
      concurrency,
      async (i) => {
        const runId = `run-${i}`;
        const startedAt = new Date().toISOString();
        let seq = 0;
        for (const batch of HAPPY) {
          const at = new Date().toISOString();
          const evs: HistoryEvent[] = batch.map(([type, step]) => ({ id: `${runId}:${++seq}`, type, actor: 'system', at, runId, step, status: 'Running' }));
          const run: RunSummary = { runId, startedAt, endedAt: null, result: 'Running', endStep: evs[evs.length - 1].step!, startedBy: 'publisher:bench', steps: [] };
          const b: HistoryBatch = { publisherId: 'bench', offerId: `offer-${i % 20}`, offerRef: `bench/offer-${i % 20}/x.json`, run, events: evs };
          const t0 = performance.now();
          await writeHistoryBatch(table, b);
          latencies.push(performance.now() - t0);
          events += evs.length;
        }
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const readStarted = performance.now();
    let pages = 0;
    for (let o = 0; o < 20; o++) {
      let cursor: string | undefined;
      do {
        const page = await readHistoryPage(table, 'bench', `offer-${o}`, 50, cursor);
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
    }
    const readMs = performance.now() - readStarted;
    console.log(`history writes: ${runs} runs, ${latencies.length} batches, ${events} events in ${seconds.toFixed(2)} s (concurrency ${concurrency})`);
    console.log(`  one batch write: median ${pct(sorted, 0.5).toFixed(1)} ms, p95 ${pct(sorted, 0.95).toFixed(1)} ms`);
    console.log(`  ${(latencies.length / seconds).toFixed(0)} batches/s, ${(events / seconds).toFixed(0)} events/s`);
    console.log(`history reads: ${pages} pages of 50 rows in ${readMs.toFixed(0)} ms (${(readMs / pages).toFixed(1)} ms a page)`);
    await table.deleteTable();
  } finally {
    await azurite?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
