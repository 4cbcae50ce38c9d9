/**
 * The workflow bundle tests run workers from, built once per change of the workflow sources and
 * shared by every test file of the run (and later runs): a Worker given `workflowsPath` bundles with
 * webpack each time it is created, a second or more of CPU per worker on this 2-core machine.
 * Built by the same function as `npm run build`'s bundles (workers/workflow-bundle.ts), in the same
 * two variants: plain, and with the tracing interceptors for the tests that trace.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tracingBundlePath, writeWorkflowBundle, type BundleOptions } from '../../workers/workflow-bundle';

const ROOT = path.resolve(__dirname, '..', '..');
const RUN_DIR = path.join(ROOT, '.test-run');
/** What the bundle is made of: the workflow code, the domain it imports, and the SDK's workflow runtime. */
const SOURCES = ['workflows', 'domain'];
const SDK_PACKAGE = path.join(ROOT, 'node_modules', '@temporalio', 'workflow', 'package.json');
/** How it is bundled (the workflow interceptor modules it includes) and the tracing interceptors' version. */
const BUILD_FILES = [path.join(ROOT, 'workers', 'workflow-bundle.ts'), path.join(ROOT, 'node_modules', '@temporalio', 'interceptors-opentelemetry', 'package.json')];

/** Only warnings and errors: webpack's per-module listing would flood the test output. */
export const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (msg: string, meta?: unknown) => console.warn(msg, meta),
  error: (msg: string, meta?: unknown) => console.error(msg, meta),
};

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/**
 * Keyed by the sources' content, not their mtimes: a directory's mtime does not change when a file
 * inside it is edited, so an mtime key served a stale bundle after edits under workflows/publish-offer/.
 */
function sourcesKey(): string {
  const hash = createHash('sha256');
  for (const file of [...SOURCES.flatMap((d) => filesUnder(path.join(ROOT, d))), ...BUILD_FILES, SDK_PACKAGE]) {
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Per variant (plain, tracing): the sources' key and the bundle built for it. */
const cached = new Map<boolean, { key: string; file: Promise<string> }>();

/** Path of a bundle of today's workflow code, building it if no test file has yet; `tracing`: the tracing variant. */
export function workflowBundleFile(opts: BundleOptions = {}): Promise<string> {
  const tracing = opts.tracing === true;
  const key = sourcesKey();
  let entry = cached.get(tracing);
  if (entry?.key !== key) cached.set(tracing, (entry = { key, file: build(key, tracing) }));
  return entry.file;
}

async function build(key: string, tracing: boolean): Promise<string> {
  // Named as `npm run build` names the variants: workflow-bundle-<key>.js and workflow-bundle-<key>.tracing.js.
  const plain = path.join(RUN_DIR, `workflow-bundle-${key}.js`);
  const file = tracing ? tracingBundlePath(plain) : plain;
  if (!fs.existsSync(file)) {
    // Test files in parallel may both build it; writeWorkflowBundle renames into place, so either copy is whole.
    await writeWorkflowBundle(file, quietLogger, { tracing });
    prune(key);
  }
  return file;
}

/** Bundles (either variant) of earlier sources, once no run can still be starting workers from them (an hour). */
function prune(currentKey: string): void {
  for (const name of fs.readdirSync(RUN_DIR)) {
    const file = path.join(RUN_DIR, name);
    const key = /^workflow-bundle-([0-9a-f]+)(\.tracing)?\.js$/.exec(name)?.[1];
    if (key === undefined || key === currentKey) continue;
    try {
      if (Date.now() - fs.statSync(file).mtimeMs > 3_600_000) fs.rmSync(file);
    } catch {
      // another test file pruned it first
    }
  }
}
