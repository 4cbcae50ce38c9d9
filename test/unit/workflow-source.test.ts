/** WORKFLOW_BUNDLE: which workflow code a worker runs, and the error when the prebuilt bundle is missing. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../../config/env';
import { tracingBundlePath, WORKFLOWS_PATH, workflowSource } from '../../workers/workflow-source';

describe('workflow source (WORKFLOW_BUNDLE)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-source-'));
    fs.writeFileSync(path.join(dir, 'workflow-bundle.js'), '// bundle');
    fs.writeFileSync(path.join(dir, 'workflow-bundle.tracing.js'), '// bundle with the tracing interceptors');
    fs.mkdirSync(path.join(dir, 'untraced'));
    fs.writeFileSync(path.join(dir, 'untraced', 'workflow-bundle.js'), '// bundle');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('bundles workflows/ at start when unset or blank (development)', () => {
    expect(WORKFLOWS_PATH).toBe(require.resolve('../../workflows'));
    expect(workflowSource(loadConfig({}))).toEqual({ workflowsPath: WORKFLOWS_PATH });
    expect(workflowSource(loadConfig({ WORKFLOW_BUNDLE: '  ' }))).toEqual({ workflowsPath: WORKFLOWS_PATH });
  });

  it('loads the prebuilt bundle when set, a relative path from the working directory', () => {
    const file = path.join(dir, 'workflow-bundle.js');
    expect(workflowSource(loadConfig({ WORKFLOW_BUNDLE: file }))).toEqual({ workflowBundle: { codePath: file } });
    const relative = path.relative(process.cwd(), file);
    expect(workflowSource(loadConfig({ WORKFLOW_BUNDLE: relative }))).toEqual({ workflowBundle: { codePath: file } });
  });

  it('names the variable, the path and how to build it when the file is missing', () => {
    const missing = path.join(dir, 'nope', 'workflow-bundle.js');
    const config = loadConfig({ WORKFLOW_BUNDLE: missing });
    expect(() => workflowSource(config)).toThrow(ConfigError);
    expect(() => workflowSource(config)).toThrow(`WORKFLOW_BUNDLE: no file at ${missing}; build it with \`npm run build\``);
    // A directory is not a bundle either.
    expect(() => workflowSource(loadConfig({ WORKFLOW_BUNDLE: dir }))).toThrow(`WORKFLOW_BUNDLE: no file at ${dir}`);
  });

  it('names the tracing variant beside the bundle, `.tracing` before the extension', () => {
    expect(tracingBundlePath('dist/workflow-bundle.js')).toBe(path.join('dist', 'workflow-bundle.tracing.js'));
    expect(tracingBundlePath('/srv/app/dist/workflow-bundle.js')).toBe('/srv/app/dist/workflow-bundle.tracing.js');
  });

  it('loads the tracing variant beside the bundle when the worker traces, and bundles workflows/ at start when unset', () => {
    const file = path.join(dir, 'workflow-bundle.js');
    expect(workflowSource(loadConfig({ WORKFLOW_BUNDLE: file }), { tracing: true })).toEqual({ workflowBundle: { codePath: path.join(dir, 'workflow-bundle.tracing.js') } });
    expect(workflowSource(loadConfig({ WORKFLOW_BUNDLE: file }), { tracing: false })).toEqual({ workflowBundle: { codePath: file } });
    expect(workflowSource(loadConfig({}), { tracing: true })).toEqual({ workflowsPath: WORKFLOWS_PATH });
  });

  it('names the variable, the missing tracing bundle and what writes it when the worker traces', () => {
    const file = path.join(dir, 'untraced', 'workflow-bundle.js');
    const config = loadConfig({ WORKFLOW_BUNDLE: file });
    expect(workflowSource(config)).toEqual({ workflowBundle: { codePath: file } });
    expect(() => workflowSource(config, { tracing: true })).toThrow(ConfigError);
    expect(() => workflowSource(config, { tracing: true })).toThrow(
      `WORKFLOW_BUNDLE: tracing is on (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT is set) and needs the tracing bundle ${path.join(dir, 'untraced', 'workflow-bundle.tracing.js')}, which is missing; \`npm run build\` writes it beside workflow-bundle.js`,
    );
  });
});
