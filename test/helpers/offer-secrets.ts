/** The OFFER_SECRETS_KEY of the tests' stacks and activity deps: a fresh key per test file, never a real one. */
import { randomBytes } from 'node:crypto';

export const TEST_OFFER_SECRETS_KEY = randomBytes(32).toString('base64');
