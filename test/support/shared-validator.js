/**
 * Jest setup file (`setupFiles`): aws-cdk-lib's template validator package resolves to the one the
 * worker loaded (test/support/jest-environment.js), so test files share its compiled module and engines.
 */
const shared = globalThis[Symbol.for('cdk-reference-architectures.shared-validator')];
if (shared) jest.mock(shared.path, () => shared.validator.exports);
