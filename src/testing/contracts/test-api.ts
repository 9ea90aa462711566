/**
 * The contract suites are written against the test functions every jest-compatible runner provides (jest, vitest,
 * bun test): describe / it / expect. They are taken from the globals when the suite is declared, or given
 * explicitly (`{ test: { describe, it, expect } }` from 'vitest' without globals), so runnable-ts never imports
 * a test framework: nothing here loads unless a suite is called.
 */

/** The subset of jest/vitest's API the contract suites use (their own describe/it/expect fit it). */
export interface ContractTestApi {
  describe(name: string, fn: () => void): void;
  /** Every contract test is an async function. */
  it(name: string, fn: () => Promise<void>): void;
  expect(value: unknown): unknown;
}

export interface ContractOptions {
  /** describe/it/expect to declare the tests with. Default: the globals of jest, vitest (`globals: true`), bun test. */
  test?: ContractTestApi;
}

/** The matchers the suites use (all exist in jest, vitest and bun). */
export interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toContain(expected: unknown): void;
  toBeInstanceOf(expected: Function): void;
  toHaveLength(expected: number): void;
  toMatch(expected: RegExp | string): void;
  toBeUndefined(): void;
  toThrow(expected?: unknown): void;
  not: Matchers;
  rejects: { toBeInstanceOf(expected: Function): Promise<void>; toThrow(expected?: unknown): Promise<void> };
}

export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void> | void): void;
  expect(value: unknown): Matchers;
}

/** The test API to declare a suite with; a clear error when there is none. */
export function testApi(suite: string, options: ContractOptions | undefined): TestApi {
  const g = (options?.test ?? globalThis) as Partial<ContractTestApi>;
  const missing = (['describe', 'it', 'expect'] as const).filter((k) => typeof g[k] !== 'function');
  if (missing.length) {
    throw new Error(
      `${suite} declares tests with describe/it/expect, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not available. ` +
        `Call it at the top level of a jest test file (or vitest with 'globals: true'), or pass them: ${suite}(name, make, { test: { describe, it, expect } }).`,
    );
  }
  const api = g as ContractTestApi;
  return {
    describe: (n, f) => api.describe(n, f),
    it: (n, f) =>
      api.it(n, async () => {
        await f();
      }),
    expect: (v) => api.expect(v) as Matchers,
  };
}
