/**
 * Builds the workflow bundle production workers load (WORKFLOW_BUNDLE, see workflow-source.ts).
 * `npm run build` writes it through scripts/build-workflow-bundle.ts, and the tests bundle with
 * the same functions, so the recorded histories are replayed against exactly what ships.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';
import { OTEL_WORKFLOW_INTERCEPTORS } from '../lib/observability/tracing';
import { WORKFLOWS_PATH } from './workflow-source';

/** The bundled workflow code (webpack output with an inline source map), as a worker would build it at start. */
export async function buildWorkflowBundle(logger?: Logger): Promise<string> {
  // With the tracing interceptors (lib/observability/tracing.ts): a prebuilt bundle cannot gain them at start.
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger, workflowInterceptorModules: [OTEL_WORKFLOW_INTERCEPTORS] });
  return code;
}

/** Writes the bundle to `file`, through a rename so a worker starting meanwhile never reads half a file. */
export async function writeWorkflowBundle(file: string, logger?: Logger): Promise<void> {
  const code = await buildWorkflowBundle(logger);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, file);
}
