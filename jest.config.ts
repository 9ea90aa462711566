/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    target: 'es2022',
    keepClassNames: true,
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/examples'],
  testMatch: ['**/*.test.ts'],
  // The consumer matrix installs the packed package into user projects: npm run test:consumer.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumer/'],
  // bench/peers is a separate package (npm run bench:peers) with its own node_modules: never scanned by jest.
  modulePathIgnorePatterns: ['<rootDir>/bench/peers/'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swc] },
  // superjson and its dependencies are ESM-only.
  transformIgnorePatterns: ['/node_modules/(?!(superjson|copy-anything|is-what)/)'],
  moduleNameMapper: { '^runnable-ts$': '<rootDir>/src/index.ts', '^runnable-ts/testing$': '<rootDir>/src/testing/index.ts' },
  testTimeout: 120_000,
  // jest's default is one worker per core minus one: a single worker on a 2-core machine, idle while a test waits
  // for the processes it started (most end-to-end tests). Two workers overlap those waits.
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/helpers/global-setup.js',
  // slowest files first, also on a machine where jest has no timings of its own yet (CI): test/helpers/sequencer.js
  testSequencer: '<rootDir>/test/helpers/sequencer.js',
};

export default config;
