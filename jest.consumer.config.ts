/** @jest-config-loader esbuild-register */
// The consumer matrix (npm run test:consumer): the packed package installed into user projects (test/consumer/).
import type { Config } from 'jest';
import base from './jest.config';

const config: Config = { ...base, roots: ['<rootDir>/test/consumer'], testMatch: ['**/*.consumer.ts'], testPathIgnorePatterns: [], testTimeout: 600_000 };

export default config;
