/**
 * Portal sessions in an Azure Table of the control account (`portalsessions`), shared by every API
 * process: any process serves any signed-in browser, a restart keeps sessions, and sign-out (the
 * row deleted) ends a session on every process at once.
 *
 * A row holds no secret in clear: its key is the SHA-256 of the session id (the cookie value is
 * never stored, so a copy of the table signs no one in), and the API key is sealed with
 * OFFER_SECRETS_KEY (lib/secrets/sealed-box.ts), bound to that row. Beside them: whom the key
 * identifies, createdAt, lastSeenAt and the pending one-time notice.
 *
 * lastSeenAt is written at most once a minute (TOUCH_EVERY_MS), not at every page. The idle limit
 * is checked against the stored time, so an idle session ends at most a minute early, never late.
 *
 * No cap on the number of sessions (unlike the memory store: the table has room). Expired rows are
 * deleted when read, and at a sign-in, at most every SWEEP_EVERY_MS per process, a bounded sweep
 * deletes the expired rows of a few pages, so abandoned sessions do not pile up.
 */
import { createHash } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import type { Principal } from '../api/auth';
import { ensureTable } from '../lib/history/store';
import { statusOf } from '../lib/storage/rest-errors';
import { open, seal, SealedBoxError, type SealedBox } from '../lib/secrets/sealed-box';
import { DEFAULT_SESSION_LIMITS, newSessionId, sessionExpired, type Flash, type GetOptions, type Session, type SessionLimits, type SessionStore } from './sessions';

export const SESSIONS_TABLE = 'portalsessions';
/** lastSeenAt is written when it is at least this old: the idle limit's precision. */
export const TOUCH_EVERY_MS = 60_000;
/** How often a process sweeps expired rows (at a sign-in). */
export const SWEEP_EVERY_MS = 10 * 60_000;
const SWEEP_PAGE_SIZE = 100;
const SWEEP_MAX_PAGES = 5;

const KEY_NAME = 'OFFER_SECRETS_KEY';
const SEAL_FORMAT = 'portal-session/1';

interface Row {
  partitionKey: string;
  rowKey: string;
  /** The API key, a SealedBox as JSON. */
  sealedKey: string;
  /** The Principal as JSON. */
  principal: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** The pending Flash as JSON, '' when none (a Merge cannot remove a property). */
  flash: string;
}

export interface TableSessionStoreOptions {
  table: TableClient;
  /** OFFER_SECRETS_KEY: seals the API keys. */
  secretsKey: Buffer;
  limits?: SessionLimits;
  now?: () => number;
  log?: (msg: string, err?: unknown) => void;
}

const rowKeyOf = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');
/** Rows spread over 256 partitions by the first byte of their key. */
const keysOf = (rowKey: string) => ({ partitionKey: rowKey.slice(0, 2), rowKey });
const sealContext = (rowKey: string) => `${SEAL_FORMAT}\n${rowKey}`;

function parseFlash(json: string): Flash | undefined {
  try {
    const f = JSON.parse(json) as Partial<Flash> | null;
    return (f?.kind === 'success' || f?.kind === 'error') && typeof f.text === 'string' ? { kind: f.kind, text: f.text } : undefined;
  } catch {
    return undefined;
  }
}

export class TableSessionStore implements SessionStore {
  readonly limits: SessionLimits;
  private readonly table: TableClient;
  private readonly secretsKey: Buffer;
  private readonly now: () => number;
  private readonly log: (msg: string, err?: unknown) => void;
  private lastSweepAt = -Infinity;
  private sweeping?: Promise<number>;

  constructor(opts: TableSessionStoreOptions) {
    this.table = opts.table;
    this.secretsKey = opts.secretsKey;
    this.limits = opts.limits ?? DEFAULT_SESSION_LIMITS;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? ((msg, err) => console.error(`portal: ${msg}`, err ?? ''));
  }

  async create(key: string, principal: Principal): Promise<Session> {
    await ensureTable(this.table);
    const at = this.now();
    const id = newSessionId();
    const rowKey = rowKeyOf(id);
    const box = seal(this.secretsKey, Buffer.from(key, 'utf8'), sealContext(rowKey));
    const row: Row = { ...keysOf(rowKey), sealedKey: JSON.stringify(box), principal: JSON.stringify(principal), createdAt: new Date(at), lastSeenAt: new Date(at), flash: '' };
    await this.table.createEntity(row);
    if (at - this.lastSweepAt >= SWEEP_EVERY_MS) {
      this.lastSweepAt = at;
      // In the background: a sign-in does not wait for it.
      this.sweepExpired().catch((err) => this.log('sweeping expired sessions failed', err));
    }
    return { id, key, principal, createdAt: at, lastSeenAt: at };
  }

  async get(id: string | undefined, { touch = true, takeFlash = false }: GetOptions = {}): Promise<Session | undefined> {
    if (!id) return undefined;
    const rowKey = rowKeyOf(id);
    // Taking the notice is conditional on the row as read; another request changing it meanwhile means reading again.
    for (let attempt = 0; ; attempt++) {
      const row = await this.read(rowKey);
      if (!row) return undefined;
      const at = this.now();
      const createdAt = row.createdAt.getTime();
      const lastSeenAt = row.lastSeenAt.getTime();
      if (sessionExpired(this.limits, { createdAt, lastSeenAt }, at)) {
        await this.remove(rowKey);
        return undefined;
      }
      let key: string;
      try {
        key = open(this.secretsKey, JSON.parse(row.sealedKey) as SealedBox, sealContext(rowKey), KEY_NAME).toString('utf8');
      } catch (err) {
        if (!(err instanceof SealedBoxError)) throw err;
        // OFFER_SECRETS_KEY changed (or the row was altered): the session cannot be used, it ends.
        this.log(`a session was ended: its key cannot be opened (${err.message})`);
        await this.remove(rowKey);
        return undefined;
      }
      const flash = takeFlash && attempt < 3 && row.flash ? parseFlash(row.flash) : undefined;
      const touched = touch && at - lastSeenAt >= TOUCH_EVERY_MS;
      if (touched || flash) {
        const change: Pick<Row, 'partitionKey' | 'rowKey'> & Partial<Row> = { ...keysOf(rowKey), ...(touched ? { lastSeenAt: new Date(at) } : {}), ...(flash ? { flash: '' } : {}) };
        try {
          await this.table.updateEntity(change, 'Merge', flash ? { etag: row.etag } : {});
        } catch (err) {
          if (statusOf(err) === 404) return undefined; // signed out meanwhile
          if (statusOf(err) === 412) continue;
          throw err;
        }
      }
      const principal = JSON.parse(row.principal) as Principal;
      return { id, key, principal, createdAt, lastSeenAt: touched ? at : lastSeenAt, ...(flash ? { flash } : {}) };
    }
  }

  async destroy(id: string): Promise<void> {
    await this.remove(rowKeyOf(id));
  }

  async setFlash(id: string, flash: Flash): Promise<void> {
    try {
      await this.table.updateEntity({ ...keysOf(rowKeyOf(id)), flash: JSON.stringify(flash) }, 'Merge');
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  /**
   * Deletes the expired rows of at most SWEEP_MAX_PAGES pages; the count deleted. A sweep under
   * way is joined rather than started again.
   */
  sweepExpired(): Promise<number> {
    this.sweeping ??= this.sweep().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweep(): Promise<number> {
    const at = this.now();
    const idleBefore = new Date(at - this.limits.idleMs);
    const createdBefore = new Date(at - this.limits.absoluteMs);
    const filter = odata`lastSeenAt lt ${idleBefore} or createdAt lt ${createdBefore}`;
    let deleted = 0;
    let pages = 0;
    try {
      const rows = this.table.listEntities<Pick<Row, 'partitionKey' | 'rowKey'>>({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } });
      for await (const page of rows.byPage({ maxPageSize: SWEEP_PAGE_SIZE })) {
        await Promise.all(page.map((r) => this.remove(r.rowKey)));
        deleted += page.length;
        if (++pages >= SWEEP_MAX_PAGES) break;
      }
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    return deleted;
  }

  private async read(rowKey: string): Promise<(Row & { etag: string }) | undefined> {
    const { partitionKey } = keysOf(rowKey);
    try {
      return await this.table.getEntity<Row>(partitionKey, rowKey);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  private async remove(rowKey: string): Promise<void> {
    const { partitionKey } = keysOf(rowKey);
    try {
      await this.table.deleteEntity(partitionKey, rowKey);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }
}
