// Lint rules: typescript-eslint's recommended set plus the rules aws-cdk-lib's own build applies
// (aws/aws-cdk: tools/@aws-cdk/cdk-build-tools/config/eslintrc.js) where they fit this project.
// Not type-aware: `npm test` runs it beside tsc and jest on a shared 2-core machine.
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';

// eslint:recommended, taken from the rules' own metadata (the `@eslint/js` package is not installed)
const eslintRecommended = Object.fromEntries(
  [...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error']),
);

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'cdk.out/', 'coverage/', 'reports/', '.stryker-tmp/', '**/*.d.ts', '**/*.js', '**/*.mjs'],
  },
  {
    files: ['**/*.ts'],
    rules: eslintRecommended,
  },
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Error handling
      'no-throw-literal': 'error',

      // Style (aws-cdk-lib's settings)
      'quotes': ['error', 'single', { avoidEscape: true }],
      'semi': ['error', 'always'],
      'comma-dangle': ['error', 'always-multiline'],
      'curly': ['error', 'multi-line', 'consistent'],
      'eol-last': ['error', 'always'],
      'no-trailing-spaces': 'error',
      'no-multiple-empty-lines': ['error', { max: 1 }],
      'dot-notation': 'error',
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
      'max-len': ['error', {
        code: 150,
        ignoreUrls: true,
        ignoreStrings: true,
        ignoreTemplateLiterals: true,
        ignoreRegExpLiterals: true,
      }],

      // `import x = require()` / `require()` in TypeScript loses types
      '@typescript-eslint/no-require-imports': 'error',

      // `const { dropped, ...rest } = props` is how a prop is left out of a copy
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // aws-cdk-lib does not apply this rule; tests walk synthesized templates and SDK payloads, untyped JSON
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
