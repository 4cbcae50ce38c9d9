/** Stops the services test/global-setup.ts started (same process, so the handles are in globalThis). */
import * as fs from 'node:fs';
import { stopAll } from '../dev-stack/services';
import { pidsFile } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  // Named by two projects: the first call stops everything, the second finds nothing left.
  if (!globalThis.__TEST_SERVICE_HANDLES__) return;
  await stopAll(globalThis.__TEST_SERVICE_HANDLES__ ?? []);
  globalThis.__TEST_SERVICE_HANDLES__ = undefined;
  fs.rmSync(pidsFile(process.pid), { force: true });
}
