/**
 * Jest setup file (`setupFiles`), run in every test file before its tests.
 */

// aws-cdk-lib's template validator package resolves to the one the worker loaded
// (test/support/jest-environment.js), so test files share its compiled module and engines.
const shared = globalThis[Symbol.for('cdk-reference-architectures.shared-validator')];
if (shared) jest.mock(shared.path, () => shared.validator.exports);

// The AWS SDK warns once per process that its releases after January 2027 need Node.js 22; the handlers
// run on Lambda's Node.js 24, the tests on the development Node.js 20. The SDK's own switch, tests only.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// aws-cdk-lib records a stack trace for every CloudFormation element it creates and every annotation,
// for `cdk synth --debug`-style diagnostics no test reads; capturing them (and jest's source mapping of
// each) is about a tenth of a synthesizing test's CPU. App reads CDK_CONTEXT_JSON over its own context.
process.env.CDK_CONTEXT_JSON = JSON.stringify({
  ...JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}'),
  'aws:cdk:disable-creation-stack-traces': true,
  'aws:cdk:disable-stack-trace': true,
});
