/**
 * superjson is ESM-only. The build (scripts/build.js) replaces the compiled form of this file with a CommonJS bundle of
 * superjson and its two dependencies, so `require('runnable-ts')` works on every Node 20 and in a user's jest without
 * `transformIgnorePatterns`. Inside this repository (jest, tsc) it is the real package.
 */
export { SuperJSON } from 'superjson';
