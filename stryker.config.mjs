// Mutation testing (`npm run mutation`, README "Mutation testing"): Stryker mutates the validation rules
// and the handler cores, and for each mutant runs only the unit tests that import the mutated file.
import { readFileSync } from 'node:fs';

/**
 * `file:start-end` ranges of the named top-level functions (or `const` arrow functions) of a handler, so
 * only its pure core is mutated, not the AWS SDK wiring. Found by name, so edits elsewhere in the file
 * don't shift them; a renamed function fails the config loudly.
 */
function pure(file, names) {
  const lines = readFileSync(file, 'utf8').split('\n');
  return names.map((name) => {
    const start = lines.findIndex((l) => new RegExp(`^(export )?(async )?(function ${name}\\b|const ${name}\\b)`).test(l));
    if (start < 0) throw new Error(`stryker.config.mjs: no top-level function ${name} in ${file}`);
    const end = /;\s*$/.test(lines[start]) ? start : lines.findIndex((l, i) => i > start && /^}/.test(l));
    if (end < 0) throw new Error(`stryker.config.mjs: no end of ${name} in ${file}`);
    return `${file}:${start + 1}-${end + 1}`;
  });
}

/**
 * What is mutated (globs or `file:start-end` ranges) and the tests that may kill it, by group. Tests are
 * fast unit tests: no local servers, no synthesised stacks, fixtures built inside tests (a fixture built
 * while the file loads makes every mutant it reaches a static one, which reruns whole files).
 */
const scope = {
  rules: {
    mutate: [
      'lib/private/cidr.ts',
      'lib/private/config-errors.ts',
      'lib/private/ranges.ts',
      'lib/private/labels.ts',
      'lib/private/account-unique-name.ts',
      'lib/edge/ip-blocklist.ts',
    ],
    tests: ['test/private/**/*.test.ts', 'test/edge/ip-blocklist-{boundaries,quota}.test.ts'],
  },
  // The constructs' own validation (lib/<domain>/validate-*.ts), one group per domain.

  // BEGIN s3
  s3: {
    mutate: ['lib/s3/validate-*.ts'],
    tests: ['test/s3/validate-*.test.ts'],
  },
  // END s3

  // BEGIN messagingCachingEdge
  messagingCachingEdge: {
    mutate: ['lib/messaging/validate-*.ts', 'lib/caching/validate-*.ts', 'lib/edge/validate-*.ts'],
    tests: ['test/{messaging,caching,edge}/validate-*.test.ts'],
  },
  // END messagingCachingEdge

  // BEGIN hpcValidation
  hpcValidation: {
    mutate: [
      'lib/hpc/validate-batch-jobs.ts',
      'lib/hpc/validate-data-sync.ts',
      'lib/hpc/validate-lustre.ts',
      'lib/hpc/validate-parallel-cluster-config.ts',
      'lib/hpc/efa-instance-types.ts',
    ],
    tests: ['test/hpc/validate-*.test.ts'],
  },
  // END hpcValidation

  // BEGIN hpcCluster
  hpcCluster: {
    mutate: ['lib/hpc/validate-hpc-cluster-props.ts'],
    tests: ['test/hpc/validate-hpc-cluster-props.test.ts'],
  },
  // END hpcCluster

  // BEGIN ha
  ha: {
    mutate: ['lib/ha/validate-ha-instance-props.ts', 'lib/ha/validate-ha-bastion-props.ts'],
    tests: ['test/ha/validate-ha-{instance,bastion}-props.test.ts'],
  },
  // END ha

  // BEGIN thumbnail
  thumbnail: {
    mutate: ['lambda/thumbnail/{config,notification,keys,source-buffers}.ts', ...pure('lambda/thumbnail/download.ts', ['precheck'])],
    tests: ['test/lambda/thumbnail/{config,notification,keys,source-buffers,download}.test.ts'],
  },
  // END thumbnail

  handlers: {
    mutate: [
      'lambda/shared/*.ts',
      ...pure('lambda/queue-worker/index.ts', ['handleEvent', 'parseRecordBody', 'isSnsEnvelope', 'isFifoBatch']),
      ...pure('lambda/topic-subscriber/index.ts', ['processNotifications']),
      ...pure('lambda/producer/index.ts', ['validatePublishRequest', 'toPublishEntry']),
      ...pure('lambda/cached-api/index.ts', ['cacheKey', 'handleRequest', 'parseBody', 'cacheConnectionFromEnv']),
      ...pure('lambda/ebs-follower/index.ts', ['configFromEnv']),
    ],
    tests: [
      'test/lambda/{sqs-sync-batch-processor,eip-claim,topic-subscriber,messaging-event,batch-failures}.test.ts',
      'test/lambda/*-core.test.ts',
    ],
  },
};
// `MUTATION_GROUPS=s3,ha npm run mutation` runs only those groups (names as in `scope`).
const selected = process.env.MUTATION_GROUPS?.split(',').map((name) => name.trim()).filter(Boolean);
for (const name of selected ?? []) {
  if (!(name in scope)) throw new Error(`stryker.config.mjs: no group ${name} in scope; choose from ${Object.keys(scope).join(', ')}`);
}
const groups = selected ? selected.map((name) => scope[name]) : Object.values(scope);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: groups.flatMap((g) => g.mutate),
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // the unit tests in scope use no prebuilt handler, and the sandbox has no dist/: no handler build
    config: { testMatch: groups.flatMap((g) => g.tests).map((glob) => `<rootDir>/${glob}`), globalSetup: null },
    // Per mutant, only the test files that import the mutated file; with perTest coverage, only their
    // tests that reach the mutant.
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  // The machine is shared: one test runner.
  concurrency: 1,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { allowColor: false, reportScoreTable: true, reportTests: false, reportMutants: true },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  thresholds: { high: 90, low: 80, break: 80 },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['bench', 'cdk.out', 'dist', 'reports', 'test/stacks', 'test/package', 'test/inputs'],
};
