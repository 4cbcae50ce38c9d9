/**
 * Replay histories: with RECORD_HISTORIES=1 (`npm run record-histories`), e2e tests save the
 * history of the runs they drive into test/histories/, which test/replay.test.ts replays on every
 * run, so a workflow change that would break running publishes fails the suite.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'histories');

export async function recordHistory(client: Client, workflowId: string, runId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
}
