/**
 * Builds the local tools once into the git-ignored `.tools/` (the Temporal CLI, the Java
 * time-skipping test server) and checks for e2fsprogs; see dev-stack/tools.ts. Run by `npm test`
 * and `.ci/run`; idempotent.
 */
import * as path from 'node:path';
import { ensureE2fsprogs, ensureTemporalCli, ensureTestServer } from '../dev-stack/tools';

const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const started = Date.now();
  ensureE2fsprogs();
  const cli = await ensureTemporalCli();
  const ts = await ensureTestServer();
  console.log(`tools ready (${Date.now() - started} ms): ${path.relative(ROOT, cli)}, ${path.relative(ROOT, ts)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
