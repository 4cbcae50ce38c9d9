/**
 * Addresses of the services the jest global setup started for this run (test/global-setup.ts).
 * Read from the environment the setup exported to workers, else from `.test-run/services.json`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TestServices {
  temporalAddress: string;
  namespace: string;
  storageConnectionString: string;
  smtpUrl: string;
  /** MailDev web/REST base URL (REST API under `/api`). */
  mailApiUrl: string;
  temporalCliPath: string;
  /** Wrapper for Temporal's Java time-skipping test server (`existing-path` executable). */
  testServerPath: string;
}

export const SERVICES_ENV = 'TEST_SERVICES_JSON';
export const SERVICES_FILE = path.resolve(__dirname, '..', '..', '.test-run', 'services.json');

let cached: TestServices | undefined;

export function testServices(): TestServices {
  if (cached) return cached;
  const raw = process.env[SERVICES_ENV] ?? (fs.existsSync(SERVICES_FILE) ? fs.readFileSync(SERVICES_FILE, 'utf8') : undefined);
  if (!raw) throw new Error(`No test services: run tests through jest (its globalSetup starts them), ${SERVICES_FILE} is missing`);
  const parsed = JSON.parse(raw) as TestServices;
  cached = parsed;
  return parsed;
}
