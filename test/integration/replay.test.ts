/**
 * Replays the committed histories of real runs (recorded from the e2e suites with
 * `npm run record-histories`) against today's workflow code: a change that would break publishes
 * already running fails here. Change running workflows only behind `patched()`.
 * Both ways a worker gets that code are replayed: bundled at start from workflows/ (development)
 * and the prebuilt bundles of `npm run build` loaded through WORKFLOW_BUNDLE (production), plain and
 * with the tracing interceptors. The histories were recorded with the interceptors in the bundle;
 * they add no commands, so histories replay the same with or without them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../config/env';
import { startTracing, workerTracing, type Tracing } from '../../lib/observability/tracing';
import { tracingBundlePath, writeWorkflowBundle } from '../../workers/workflow-bundle';
import { workflowSource } from '../../workers/workflow-source';
import { HISTORIES_DIR } from '../helpers/histories';
import { quietLogger } from '../helpers/workflow-bundle';

const files = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')) : [];

describe('replay of recorded publishOffer histories', () => {
  it('has histories of the main paths', () => {
    expect(files.map((f) => path.basename(f, '.json')).sort()).toEqual(
      expect.arrayContaining([
        'happy-path',
        'validation-failed',
        'certification-failed',
        'canceled-during-provision',
        'canceled-at-signoff',
        'deprecation-effective-restored',
        // Copies several regions per activity (provision-region-batches).
        'batched-copies-to-signoff',
        'canceled-during-batched-provision',
      ]),
    );
  });

  const histories = files.map((f) => ({
    workflowId: path.basename(f, '.json'),
    history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, f), 'utf8'))),
  }));

  async function replayAll(options: ReplayWorkerOptions) {
    const results = [];
    for await (const result of Worker.runReplayHistories(options, histories)) {
      results.push({ id: result.workflowId, error: result.error ? String(result.error) : undefined });
    }
    return results;
  }
  const allReplayed = () => histories.map((h) => ({ id: h.workflowId, error: undefined }));

  it('replays every history without non-determinism', async () => {
    expect(await replayAll({ workflowsPath: require.resolve('../../workflows') })).toEqual(allReplayed());
  });

  describe('from the bundles `npm run build` writes, as a worker configured with WORKFLOW_BUNDLE loads them', () => {
    // Written fresh by the build's own function (no cache), then chosen through the configuration as workers/main.ts does.
    let dir: string;
    let file: string;
    // The tracing worker's options too (its span sink), spans kept in memory.
    let tracing: Tracing;
    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-bundle-'));
      file = path.join(dir, 'workflow-bundle.js');
      await writeWorkflowBundle(file, quietLogger);
      await writeWorkflowBundle(tracingBundlePath(file), quietLogger, { tracing: true });
      tracing = startTracing('offer-publishing-replay', { env: {}, spanProcessor: new SimpleSpanProcessor(new InMemorySpanExporter()) })!;
    });
    afterAll(async () => {
      await tracing.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it.each([
      ['tracing off: the plain bundle', false, () => file],
      ['tracing on: the bundle with the tracing interceptors', true, () => tracingBundlePath(file)],
    ])('replays every history, %s', async (_, traced, expected) => {
      const source = workflowSource(loadConfig({ WORKFLOW_BUNDLE: file }), { tracing: traced });
      expect(source).toEqual({ workflowBundle: { codePath: expected() } });
      expect(await replayAll({ ...source, ...workerTracing(traced ? tracing : undefined, false) })).toEqual(allReplayed());
    });
  });
});
