/**
 * The submission history of each offer, in an Azure Table of the control account (not in
 * Temporal: closed runs are deleted after the namespace's retention, the history is kept).
 *
 * One partition per offer. Runs and events share one key space ordered newest first
 * (`<inverted time>_<kind>_<runId>_<inverted seq>`), so a page of rows is a window of time with
 * the runs started and the events that happened in it, and the cursor is the last row key. Writes
 * are upserts of fixed keys: a retried batch writes the same rows again.
 */
import { TableClient, type TableEntity } from '@azure/data-tables';
import type { HistoryBatch, HistoryEvent, HistoryPage, RunSummary } from '../../domain/history';
import { statusOf } from '../storage/rest-errors';

export const HISTORY_TABLE = 'publishhistory';
const MAX_TIME = 9_999_999_999_999;
const MAX_SEQ = 999_999;

/** What the store keeps about a run beside its summary, for GET …/changes (never returned by the history route). */
export interface RunDraftRef {
  offerRef: string;
  /** Keyed fingerprints of the draft's secret fields by path (lib/history/secret-digests.ts). */
  secretDigests?: Record<string, string>;
}

interface Row {
  partitionKey: string;
  rowKey: string;
  kind: 'run' | 'event';
  runId: string;
  body: string;
  offerRef?: string;
  secretDigests?: string;
}

const partitionOf = (publisherId: string, offerId: string) => `${publisherId}|${offerId}`;
const inverted = (n: number, max: number, width: number) => String(max - n).padStart(width, '0');
const timeKey = (iso: string) => inverted(Date.parse(iso), MAX_TIME, 13);

function eventRowKey(e: HistoryEvent): string {
  const seq = Number(e.id.slice(e.id.lastIndexOf(':') + 1)) || 0;
  return `${timeKey(e.at)}_e_${e.runId}_${inverted(seq, MAX_SEQ, 6)}`;
}
const runRowKey = (r: Pick<RunSummary, 'startedAt' | 'runId'>) => `${timeKey(r.startedAt)}_r_${r.runId}`;

/** Table clients for the control account; `allowInsecureConnection` only matters for the emulator's http endpoint. */
export function historyTable(connectionString: string, table = HISTORY_TABLE): TableClient {
  return TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
}

const clients = new Map<string, TableClient>();
/** One client per account and table, for the process. */
export function historyTableFor(connectionString: string, table = HISTORY_TABLE): TableClient {
  const key = `${table}\n${connectionString}`;
  let c = clients.get(key);
  if (!c) clients.set(key, (c = historyTable(connectionString, table)));
  return c;
}

/** Creates the table once per client (idempotent: 409 means it exists). */
const created = new WeakMap<TableClient, Promise<void>>();
export function ensureTable(client: TableClient): Promise<void> {
  let p = created.get(client);
  if (!p) {
    p = client.createTable().catch((err) => {
      created.delete(client);
      if (statusOf(err) !== 409) throw err;
    });
    created.set(client, p);
  }
  return p;
}

export async function writeHistoryBatch(client: TableClient, batch: HistoryBatch, draft?: RunDraftRef): Promise<void> {
  await ensureTable(client);
  const partitionKey = partitionOf(batch.publisherId, batch.offerId);
  const rows: Row[] = batch.events.map((e): Row => ({ partitionKey, rowKey: eventRowKey(e), kind: 'event', runId: e.runId, body: JSON.stringify(e) }));
  if (batch.run) {
    const runRow: Row = { partitionKey, rowKey: runRowKey(batch.run), kind: 'run', runId: batch.run.runId, body: JSON.stringify(batch.run), offerRef: batch.offerRef ?? '' };
    if (draft?.secretDigests) runRow.secretDigests = JSON.stringify(draft.secretDigests);
    rows.push(runRow);
  }
  // A transaction holds at most 100 operations of one partition; merge keeps the digests written with the first batch.
  for (let i = 0; i < rows.length; i += 100) {
    await client.submitTransaction(rows.slice(i, i + 100).map((r) => ['upsert', r as unknown as TableEntity<Record<string, unknown>>, 'Merge']));
  }
}

const MAX_PAGE = 200;

/** Runs and events newest first; `cursor` is the previous page's nextCursor. */
export async function readHistoryPage(client: TableClient, publisherId: string, offerId: string, limit: number, cursor?: string): Promise<HistoryPage> {
  const page: HistoryPage = { runs: [], events: [] };
  const pk = partitionOf(publisherId, offerId).replace(/'/g, "''");
  const after = cursor ? ` and RowKey gt '${cursor.replace(/'/g, "''")}'` : '';
  const take = Math.max(1, Math.min(MAX_PAGE, limit));
  let last: string | undefined;
  let count = 0;
  try {
    const rows = client.listEntities<Row>({ queryOptions: { filter: `PartitionKey eq '${pk}'${after}`, select: ['RowKey', 'kind', 'body'] } });
    for await (const row of rows) {
      if (count === take) {
        page.nextCursor = last;
        break;
      }
      if (row.kind === 'run') page.runs.push(JSON.parse(row.body) as RunSummary);
      else page.events.push(JSON.parse(row.body) as HistoryEvent);
      last = row.rowKey;
      count++;
    }
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  return page;
}

/** The runs of an offer, newest first, with what GET …/changes needs. */
export async function listRunDrafts(client: TableClient, publisherId: string, offerId: string): Promise<Array<RunSummary & RunDraftRef>> {
  const pk = partitionOf(publisherId, offerId).replace(/'/g, "''");
  const out: Array<RunSummary & RunDraftRef> = [];
  try {
    for await (const row of client.listEntities<Row>({ queryOptions: { filter: `PartitionKey eq '${pk}' and kind eq 'run'` } })) {
      out.push({
        ...(JSON.parse(row.body) as RunSummary),
        offerRef: row.offerRef ?? '',
        ...(row.secretDigests ? { secretDigests: JSON.parse(row.secretDigests) as Record<string, string> } : {}),
      });
    }
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  return out;
}
