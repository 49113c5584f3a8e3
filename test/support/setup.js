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
