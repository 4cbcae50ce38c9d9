/**
 * Second half of `npm run build` (after tsc): writes the workflow bundles production workers load
 * with WORKFLOW_BUNDLE=dist/workflow-bundle.js: that file, and beside it the tracing variant
 * (dist/workflow-bundle.tracing.js, with the OpenTelemetry workflow interceptors) that a worker with
 * tracing on loads instead (workers/workflow-source.ts).
 *
 * Usage: tsx scripts/build-workflow-bundle.ts [out-file]   (default dist/workflow-bundle.js)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { tracingBundlePath, writeWorkflowBundle } from '../workers/workflow-bundle';

const DEFAULT_OUT = path.join(__dirname, '..', 'dist', 'workflow-bundle.js');

async function main() {
  const out = path.resolve(process.argv[2] ?? DEFAULT_OUT);
  // WARN: webpack's module-by-module listing at INFO buries the lines that matter.
  const logger = new DefaultLogger('WARN');
  for (const [file, tracing] of [
    [out, false],
    [tracingBundlePath(out), true],
  ] as const) {
    const started = Date.now();
    await writeWorkflowBundle(file, logger, { tracing });
    const kib = Math.round(fs.statSync(file).size / 1024);
    console.log(`workflow bundle${tracing ? ' (tracing)' : ''}: ${path.relative(process.cwd(), file)} (${kib} KiB) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
