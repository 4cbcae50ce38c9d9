/**
 * Replays the committed histories of real runs (recorded from the e2e suites with
 * `npm run record-histories`) against today's workflow code: a change that would break publishes
 * already running fails here. Change running workflows only behind `patched()`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { HISTORIES_DIR } from '../helpers/histories';

const files = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')) : [];

describe('replay of recorded publishOffer histories', () => {
  it('has histories of the main paths', () => {
    expect(files.map((f) => path.basename(f, '.json')).sort()).toEqual(
      expect.arrayContaining(['happy-path', 'validation-failed', 'certification-failed', 'canceled-during-provision', 'canceled-at-signoff']),
    );
  });

  it('replays every history without non-determinism', async () => {
    const histories = files.map((f) => ({
      workflowId: path.basename(f, '.json'),
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, f), 'utf8'))),
    }));
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('../../workflows') }, histories)) {
      results.push({ id: result.workflowId, error: result.error ? String(result.error) : undefined });
    }
    expect(results).toEqual(histories.map((h) => ({ id: h.workflowId, error: undefined })));
  });
});
