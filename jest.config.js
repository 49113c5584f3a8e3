/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // tsconfig's isolatedModules makes ts-jest only transpile: type-checking runs once in
    // `npm run typecheck`, so the suite stays fast.
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  testTimeout: 120000,
};
