/**
 * The offer history's table (lib/history/store.ts) on Azurite: newest first across runs and
 * events, paged by cursor, idempotent on retried writes, offers apart, event-only batches (a
 * deprecation's) without a run, and each run's draft reference kept from its first batch.
 */
import { randomUUID } from 'node:crypto';
import type { HistoryEvent, RunSummary } from '../../domain/history';
import { historyTable, listRunDrafts, readHistoryPage, writeHistoryBatch } from '../../lib/history/store';
import { testServices } from '../helpers/services';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const run = (runId: string, startedAt: string, result: RunSummary['result'] = 'Running'): RunSummary => ({
  runId,
  startedAt,
  endedAt: null,
  result,
  endStep: 'validate',
  startedBy: 'publisher:contoso',
  steps: [],
});
const event = (runId: string, seq: number, at: string, type: HistoryEvent['type'] = 'publish.step.completed'): HistoryEvent => ({ id: `${runId}:${seq}`, type, actor: 'system', at, runId, status: 'Running' });

describe('history store', () => {
  const table = historyTable(testServices().storageConnectionString, `history${randomUUID().replace(/-/g, '').slice(0, 12)}`);
  afterAll(async () => {
    await table.deleteTable().catch(() => undefined);
  });

  it('pages runs and events newest first, writes idempotently and keeps offers apart', async () => {
    const offerId = `o-${randomUUID().slice(0, 8)}`;
    const base = { publisherId: 'contoso', offerId };
    const first = { ...base, offerRef: `contoso/${offerId}/a.json`, run: run('r1', t(0)), events: [event('r1', 1, t(0), 'publish.started'), event('r1', 2, t(1))] };
    await writeHistoryBatch(table, first, { offerRef: first.offerRef, secretDigests: { 'logos.small': 'd1' } });
    await writeHistoryBatch(table, first); // a retried write
    await writeHistoryBatch(table, { ...base, offerRef: `contoso/${offerId}/a.json`, run: run('r1', t(0), 'Canceled'), events: [event('r1', 3, t(1)), event('r1', 4, t(2), 'publish.canceled')] });
    await writeHistoryBatch(table, { ...base, offerRef: `contoso/${offerId}/b.json`, run: run('r2', t(3)), events: [event('r2', 1, t(3), 'publish.started')] });
    await writeHistoryBatch(table, { ...base, events: [{ id: 'd1:1', type: 'deprecation.scheduled', actor: 'operator', at: t(4), runId: 'd1', data: { effectiveAt: t(100) } }] });
    await writeHistoryBatch(table, { publisherId: 'contoso', offerId: `${offerId}-other`, events: [event('x', 1, t(5))] });

    const rows: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await readHistoryPage(table, 'contoso', offerId, 2, cursor);
      // At the same time, a run's row comes after (is older than) its events.
      const ofPage = [...page.events.map((e) => ({ at: e.at, key: e.id })), ...page.runs.map((r) => ({ at: r.startedAt, key: `run ${r.runId} ${r.result}` }))];
      rows.push(...ofPage.sort((a, b) => b.at.localeCompare(a.at)).map((r) => r.key));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(rows).toEqual(['d1:1', 'r2:1', 'run r2 Running', 'r1:4', 'r1:3', 'r1:2', 'r1:1', 'run r1 Canceled']);
    expect(pages).toBe(4);

    const drafts = await listRunDrafts(table, 'contoso', offerId);
    expect(drafts.map((d) => [d.runId, d.offerRef, d.secretDigests])).toEqual([
      ['r2', `contoso/${offerId}/b.json`, undefined],
      ['r1', `contoso/${offerId}/a.json`, { 'logos.small': 'd1' }],
    ]);
  });
});
