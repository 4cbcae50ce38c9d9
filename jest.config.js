/**
 * Jest: TypeScript through @swc/jest (fast, no type-check — `npm run typecheck` does that).
 * One set of embedded services (Temporal dev server, Azurite, MailDev) is started by the global
 * setup for the whole run; tests reach them through test/helpers/services.ts.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 120000,
  // The machine has 2 cores, and the shared services need some CPU too.
  maxWorkers: 2,
  // Build output, tools and service data hold copies/large trees that jest must not crawl.
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.tools/', '<rootDir>/.data/', '<rootDir>/.test-run/'],
  watchPathIgnorePatterns: ['<rootDir>/.data/', '<rootDir>/.test-run/', '<rootDir>/.tools/'],
};
