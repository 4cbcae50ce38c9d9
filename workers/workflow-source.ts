/**
 * Where the workflow worker gets its workflow code. In development it bundles workflows/ with
 * webpack when it starts; in production it loads the bundle `npm run build` wrote (WORKFLOW_BUNDLE),
 * so a worker starts in a fraction of the time, needs no webpack at run time, and every worker of
 * a deployment runs byte-identical workflow code. A worker with tracing on loads the bundle's
 * tracing variant beside it, the one with the OpenTelemetry workflow interceptors (workflow-bundle.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import { ConfigError, type AppConfig } from '../config/env';

export type WorkflowSource = Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>;

/** The workflows' entry module: bundled by the worker at start in development, and by the build. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Where the tracing variant of the bundle at `file` lives: `dist/workflow-bundle.js` → `dist/workflow-bundle.tracing.js`. */
export function tracingBundlePath(file: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.tracing${ext}`);
}

const isFile = (file: string) => fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;

/**
 * The workflow code `config` asks for; `tracing`: the worker traces, so it loads the tracing variant
 * of WORKFLOW_BUNDLE. Throws a ConfigError naming WORKFLOW_BUNDLE if the file it needs is missing.
 */
export function workflowSource(config: Pick<AppConfig, 'workflowBundle'>, opts: { tracing?: boolean } = {}): WorkflowSource {
  if (config.workflowBundle === undefined) return { workflowsPath: WORKFLOWS_PATH };
  const file = path.resolve(config.workflowBundle);
  // Checked here rather than left to Worker.create, whose error for a missing bundle is a bare ENOENT.
  if (!isFile(file)) {
    throw new ConfigError(
      `Invalid configuration:\n  WORKFLOW_BUNDLE: no file at ${file}; build it with \`npm run build\` (writes dist/workflow-bundle.js), ` +
        'or unset WORKFLOW_BUNDLE to bundle workflows/ when the worker starts',
    );
  }
  if (!opts.tracing) return { workflowBundle: { codePath: file } };
  const traced = tracingBundlePath(file);
  if (!isFile(traced)) {
    throw new ConfigError(
      `Invalid configuration:\n  WORKFLOW_BUNDLE: tracing is on (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT is set) and needs the tracing bundle ${traced}, ` +
        `which is missing; \`npm run build\` writes it beside ${path.basename(file)}`,
    );
  }
  return { workflowBundle: { codePath: traced } };
}
