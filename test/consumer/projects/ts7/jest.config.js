/**
 * TypeScript 7 (no JavaScript compiler API, so no ts-jest): @swc/jest, ESM project ("type": "module" and module
 * nodenext, as TypeScript 7's `tsc --init` writes it; `.js` specifiers), tests compiled to CommonJS for jest.
 */
export default {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        target: 'es2022',
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      },
      module: { type: 'commonjs' },
    }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};
