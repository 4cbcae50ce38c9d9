/** Stops the services test/global-setup.ts started (same process, so the handles are in globalThis). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopAll } from '../scripts/services';
import { SERVICES_FILE } from './helpers/services';

export default async function globalTeardown(): Promise<void> {
  await stopAll(globalThis.__TEST_SERVICE_HANDLES__ ?? []);
  globalThis.__TEST_SERVICE_HANDLES__ = undefined;
  const pidsFile = path.join(path.dirname(SERVICES_FILE), 'pids.json');
  try {
    // Only our own record: a parallel run may have written its own since.
    if (JSON.parse(fs.readFileSync(pidsFile, 'utf8')).owner === process.pid) fs.rmSync(pidsFile);
  } catch {
    /* no record */
  }
}
