/**
 * Replay histories: with RECORD_HISTORIES=1 (`npm run record-histories`), e2e tests save the
 * history of the runs they drive into test/histories/, which test/integration/replay.test.ts replays on every
 * run, so a workflow change that would break running publishes fails the suite. The JSON is the
 * canonical form the `temporal` CLI prints (`temporal workflow show --output json`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { testServices } from './services';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'histories');

export async function recordHistory(workflowId: string, runId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const s = testServices();
  const json = execFileSync(
    s.temporalCliPath,
    ['workflow', 'show', '--address', s.temporalAddress, '--namespace', s.namespace, '--workflow-id', workflowId, '--run-id', runId, '--output', 'json'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), json);
}
