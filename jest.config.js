/** @type {import('jest').Config} */
module.exports = {
  // jest's node environment, with aws-cdk-lib's template validator loaded once per worker (see the file)
  // an absolute path: Stryker's jest runner wraps the environment and does not expand <rootDir>
  testEnvironment: require.resolve('./test/support/jest-environment.js'),
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // tsconfig's isolatedModules makes ts-jest only transpile: `npm test` runs the type check
    // (`npm run typecheck`) beside jest, so the suite stays fast.
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // the prebuilt handlers, rebuilt once before the workers start when their sources changed
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['<rootDir>/test/support/setup.js'],
  // fails a test that writes to the console unless it asserts that output (expectConsoleOutput)
  setupFilesAfterEnv: ['<rootDir>/test/support/console-guard.ts'],
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  testTimeout: 120000,
  // jest's default on 2 cores is one worker; the example-stack files share their synths through a
  // cache (test/support/synth-cache.ts), so two workers split that work instead of repeating it
  maxWorkers: 2,
  // A worker exits once its event loop is empty. On a loaded 2-core machine that can take longer than
  // jest's default 500 ms, after which jest kills it and prints "failed to exit gracefully".
  workerGracefulExitTimeout: 5000,
};
