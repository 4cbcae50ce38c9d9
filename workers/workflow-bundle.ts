/**
 * Builds the workflow bundles production workers load (WORKFLOW_BUNDLE, see workflow-source.ts).
 * `npm run build` writes both through scripts/build-workflow-bundle.ts, and the tests bundle with
 * the same functions, so the recorded histories are replayed against exactly what ships.
 *
 * Two variants: the plain bundle, and one with the OpenTelemetry workflow interceptors for workers
 * with tracing on. The interceptors make spans in every activation even when nothing exports them
 * (CPU, memory per cached run, larger headers in histories), so they ship only where tracing is on;
 * a prebuilt bundle cannot gain them at start. They add no commands, so either variant replays the
 * same histories.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';
import { OTEL_WORKFLOW_INTERCEPTORS } from '../lib/observability/tracing';
import { WORKFLOWS_PATH } from './workflow-source';

// Defined in workflow-source.ts, which loads it (this module imports that one, not the reverse); exported here for the build.
export { tracingBundlePath } from './workflow-source';

export interface BundleOptions {
  /** With the tracing workflow interceptors (lib/observability/tracing.ts). */
  tracing?: boolean;
}

/** The bundled workflow code (webpack output with an inline source map), as a worker would build it at start. */
export async function buildWorkflowBundle(logger?: Logger, opts: BundleOptions = {}): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger,
    ...(opts.tracing ? { workflowInterceptorModules: [OTEL_WORKFLOW_INTERCEPTORS] } : {}),
  });
  return code;
}

/** Writes the bundle to `file`, through a rename so a worker starting meanwhile never reads half a file. */
export async function writeWorkflowBundle(file: string, logger?: Logger, opts: BundleOptions = {}): Promise<void> {
  const code = await buildWorkflowBundle(logger, opts);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, file);
}
