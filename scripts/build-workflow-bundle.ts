/**
 * Second half of `npm run build` (after tsc): writes the workflow bundle production workers load
 * with WORKFLOW_BUNDLE=dist/workflow-bundle.js.
 *
 * Usage: tsx scripts/build-workflow-bundle.ts [out-file]   (default dist/workflow-bundle.js)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { writeWorkflowBundle } from '../workers/workflow-bundle';

const DEFAULT_OUT = path.join(__dirname, '..', 'dist', 'workflow-bundle.js');

async function main() {
  const out = path.resolve(process.argv[2] ?? DEFAULT_OUT);
  const started = Date.now();
  // WARN: webpack's module-by-module listing at INFO buries the one line that matters.
  await writeWorkflowBundle(out, new DefaultLogger('WARN'));
  const kib = Math.round(fs.statSync(out).size / 1024);
  console.log(`workflow bundle: ${path.relative(process.cwd(), out)} (${kib} KiB) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
