/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  // Workflow and end-to-end tests share one Temporal dev server and one PostgreSQL; two workers are enough on 2 cores.
  maxWorkers: 2,
  // The closing summary says what each tier took and what was skipped, and why (test/support/skips.ts).
  reporters: ['default', '<rootDir>/test/support/tier-reporter.js'],
};
