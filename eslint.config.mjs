// Lint for runnable-ts: typescript-eslint's recommended rules (syntax only, no type information, so it runs in
// seconds), with `any` refused outside src/types/ (the type-level machinery lives there, and src/types/any.ts names
// the few `any` the rest of the code needs). `npm run lint`; test/package/lint.test.ts runs it within `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const code = ['src/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'];

export default tseslint.config(
  // bench/.startup-*, .executors-*, .artifacts-*: scratch projects the benchmarks write (gitignored), left behind when a bench is interrupted
  { ignores: ['lib/**', 'node_modules/**', 'src/vendor/**', 'bench/.*/**'] },
  { files: code, extends: [js.configs.recommended, ...tseslint.configs.recommended] },
  {
    files: code,
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // `{}` is the empty record of the type-level data flow (a step that reads nothing, `{} extends Pick<T, K>`)
      '@typescript-eslint/no-empty-object-type': ['error', { allowObjectTypes: 'always' }],
      // `Function` is used as the identity of a class or task function (map keys, names), never called as such
      '@typescript-eslint/no-unsafe-function-type': 'off',
      // an argument a method must accept but does not use starts with `_`
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // async iterators written as object literals keep the pipeline as `self`
      // `let { a, b } = f()` where only `a` is reassigned later stays one statement
      'prefer-const': ['error', { destructuring: 'all' }],
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
    },
  },
  { files: ['src/types/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // the benchmarks build pipelines of a computed number of steps in a loop, which the typed builder cannot follow
  { files: ['bench/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
