// The unit tests `npm run mutation` runs: fast, no local servers or synthesised stacks, fixtures built inside
// tests (a fixture built outside a test makes every mutant it reaches rerun whole files).
// Stryker narrows these per mutant to the files that import the mutated one (stryker.config.mjs).
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/private/**/*.test.ts',
    '<rootDir>/test/edge/ip-blocklist-{boundaries,quota}.test.ts',
    '<rootDir>/test/lambda/{sqs-sync-batch-processor,eip-claim,topic-subscriber,messaging-event}.test.ts',
    '<rootDir>/test/lambda/*-core.test.ts',
  ],
};
