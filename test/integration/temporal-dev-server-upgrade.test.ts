/**
 * `npm start` keeps the dev server's database (.data/temporal.db) across versions of the product.
 * The CLI's --search-attribute flags register attributes only in a new database, so one made by an
 * older version lacks those added since (DeprecationState came later): startTemporalDevServer
 * registers them, where before it waited 90 s for them and failed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../domain/messages';
import { ensureTemporalCli } from '../../dev-stack/tools';
import { freePort, spawnService, startTemporalDevServer, waitReady, isPortOpen } from '../../dev-stack/services';

async function customAttributes(address: string): Promise<string[]> {
  const conn = await Connection.connect({ address });
  try {
    return Object.keys((await conn.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes ?? {});
  } finally {
    await conn.close();
  }
}

it('a database from an older version gets the search attributes added since', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-upgrade-'));
  const dbFile = path.join(dir, 'temporal.db');
  const cli = await ensureTemporalCli();
  const older = CUSTOM_SEARCH_ATTRIBUTES.slice(0, 2);
  const added = CUSTOM_SEARCH_ATTRIBUTES.slice(2);
  try {
    // The older version: the same database, fewer attributes.
    const port = await freePort();
    const old = spawnService({
      name: 'older dev server',
      command: cli,
      args: ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--db-filename', dbFile, ...older.flatMap((n) => ['--search-attribute', `${n}=Keyword`])],
      logFile: path.join(dir, 'older.log'),
      stopTimeoutMs: 15_000,
    });
    try {
      await waitReady(old, async () => (await isPortOpen(port)) && (await customAttributes(`127.0.0.1:${port}`)).length === older.length, 60_000);
    } finally {
      await old.stop();
    }

    const t = await startTemporalDevServer({ port: await freePort(), dbFile, logDir: dir, cliPath: cli, readyTimeoutMs: 30_000 });
    try {
      expect(added.length).toBeGreaterThan(0);
      expect(await customAttributes(t.address)).toEqual(expect.arrayContaining([...CUSTOM_SEARCH_ATTRIBUTES]));
    } finally {
      await t.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 150_000);
