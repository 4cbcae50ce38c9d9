/**
 * Jest: TypeScript through @swc/jest (fast, no type-check — `npm run typecheck` does that).
 * Three tiers, each a project:
 *  - unit: rules, parsers, ext4, partitions, Linux checks, URL policy, templates; no services
 *    (`npm run test:unit`, seconds);
 *  - integration: one layer against a real service (Azurite, MailDev, Temporal's dev or
 *    time-skipping server), and the replay of recorded histories;
 *  - e2e: the whole stack through the HTTP API.
 * Integration and e2e share one set of embedded services started by the global setup; tests reach
 * them through test/helpers/services.ts. `npm test` runs all three.
 */
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};
// Build output, tools and service data hold copies/large trees that jest must not crawl.
const modulePathIgnorePatterns = ['<rootDir>/dist/', '<rootDir>/.tools/', '<rootDir>/.data/', '<rootDir>/.test-run/'];

const project = (name, withServices) => ({
  displayName: name,
  testEnvironment: 'node',
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  transform,
  modulePathIgnorePatterns,
  ...(withServices ? { globalSetup: '<rootDir>/test/global-setup.ts', globalTeardown: '<rootDir>/test/global-teardown.ts' } : {}),
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [project('unit', false), project('integration', true), project('e2e', true)],
  testTimeout: 120000,
  // The machine has 2 cores, and the shared services need some CPU too.
  maxWorkers: 2,
  watchPathIgnorePatterns: ['<rootDir>/.data/', '<rootDir>/.test-run/', '<rootDir>/.tools/'],
};
