/**
 * Where the workflow worker gets its workflow code. In development it bundles workflows/ with
 * webpack when it starts; in production it loads the bundle `npm run build` wrote (WORKFLOW_BUNDLE),
 * so a worker starts in a fraction of the time, needs no webpack at run time, and every worker of
 * a deployment runs byte-identical workflow code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import { ConfigError, type AppConfig } from '../config/env';

export type WorkflowSource = Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>;

/** The workflows' entry module: bundled by the worker at start in development, and by the build. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** The workflow code `config` asks for; throws a ConfigError naming WORKFLOW_BUNDLE if its file is missing. */
export function workflowSource(config: Pick<AppConfig, 'workflowBundle'>): WorkflowSource {
  if (config.workflowBundle === undefined) return { workflowsPath: WORKFLOWS_PATH };
  const file = path.resolve(config.workflowBundle);
  // Checked here rather than left to Worker.create, whose error for a missing bundle is a bare ENOENT.
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new ConfigError(
      `Invalid configuration:\n  WORKFLOW_BUNDLE: no file at ${file}; build it with \`npm run build\` (writes dist/workflow-bundle.js), ` +
        'or unset WORKFLOW_BUNDLE to bundle workflows/ when the worker starts',
    );
  }
  return { workflowBundle: { codePath: file } };
}
