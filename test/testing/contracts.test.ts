/**
 * The contract suites exported from runnable-ts/testing, as a plugin author uses them: with the runner's globals
 * (test/stores/*.test.ts run every built-in implementation through them), or with describe/it/expect passed in
 * (vitest without globals). Here: passed in, collected, and run against a correct and a subtly broken store.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { MemoryCatalog, MemoryRunLogStore, type RunLog } from 'runnable-ts';
import { runCatalogContract, runRunLogStoreContract, runSecretsContract, type ContractTestApi } from 'runnable-ts/testing';
import { EnvSecretsManager } from '../../src/stores/secrets/secrets';

/** describe/it that record the tests instead of declaring them; jest's own expect. */
function collector(): { api: ContractTestApi; tests: { name: string; fn: () => Promise<void> }[] } {
  const tests: { name: string; fn: () => Promise<void> }[] = [];
  const prefix: string[] = [];
  const api: ContractTestApi = {
    describe: (name, fn) => {
      prefix.push(name);
      fn();
      prefix.pop();
    },
    it: (name, fn) => void tests.push({ name: [...prefix, name].join(' › '), fn }),
    expect,
  };
  return { api, tests };
}

async function outcomes(tests: { name: string; fn: () => Promise<void> }[]): Promise<{ name: string; error?: string }[]> {
  const out: { name: string; error?: string }[] = [];
  for (const t of tests) {
    try {
      await t.fn();
      out.push({ name: t.name });
    } catch (err) {
      out.push({ name: t.name, error: (err as Error).message });
    }
  }
  return out;
}

/** A store that hands out its own objects instead of copies: a reader mutating a run log corrupts the store. */
class LeakyStore extends MemoryRunLogStore {
  private readonly docs = new Map<string, RunLog>();
  override async create(runLog: RunLog): Promise<void> {
    await super.create(runLog);
    this.docs.set(runLog.run_id, structuredClone(runLog));
  }
  override async get(runId: string): Promise<RunLog> {
    await super.get(runId); // same errors as the memory store
    const cached = this.docs.get(runId)!;
    Object.assign(cached, await super.get(runId), { status: cached.status === 'FAIL' ? 'FAIL' : (await super.get(runId)).status });
    return cached;
  }
}

describe('contract suites with describe/it/expect passed in', () => {
  it('the run-log store suite declares its tests, and a correct store passes them all', async () => {
    const { api, tests } = collector();
    runRunLogStoreContract('memory (short form)', () => new MemoryRunLogStore(), { test: api });
    expect(tests.map((t) => t.name)).toEqual([
      'RunLogStore contract: memory (short form) › creates and reads back a run log',
      'RunLogStore contract: memory (short form) › refuses to create a run id that exists, and says so with the status',
      'RunLogStore contract: memory (short form) › throws RunLogNotFoundError for an unknown run',
      'RunLogStore contract: memory (short form) › applies step, parameter and status mutations in order',
      'RunLogStore contract: memory (short form) › keeps branch logs under their composite step and stitches them on read',
      'RunLogStore contract: memory (short form) › returns copies: mutating a read run log does not change the store',
      'RunLogStore contract: memory (short form) › is unaffected by later mutation of objects passed to it',
      'RunLogStore contract: memory (short form) › holds the same run log after close and reopening',
      'RunLogStore contract: memory (short form) › reads one step back with getStep, as stored now (undefined when absent)',
      'RunLogStore contract: memory (short form) › step cache index › records entries and reads them back under their key, newest first; other keys see nothing',
      'RunLogStore contract: memory (short form) › step cache index › an entry with the same key, fingerprint and run replaces the earlier one; other runs add theirs',
      'RunLogStore contract: memory (short form) › step cache index › entries are not runs, survive reopening, and reads return copies',
      'RunLogStore contract: memory (short form) › step cache index › concurrent writers (several store instances) never corrupt the index',
      'RunLogStore contract: memory (short form) › step cache index › refuses a key or fingerprint that is not a SHA-256 hex digest (they may become file names)',
      'RunLogStore contract: memory (short form) › run ownership › takes a free run, reports its owner, and releases it',
      'RunLogStore contract: memory (short form) › run ownership › refuses a second owner while the first lives, naming it (pid, host, since)',
      'RunLogStore contract: memory (short form) › run ownership › takes over a gone owner, returns it, and the old owner can no longer heartbeat or release',
      'RunLogStore contract: memory (short form) › run ownership › of several concurrent acquirers of a free run, exactly one wins',
      'RunLogStore contract: memory (short form) › run ownership › of several concurrent takers of a gone owner, exactly one wins',
      'RunLogStore contract: memory (short form) › run ownership › owner records are not runs: list() and get() are unchanged by them',
    ]);
    expect((await outcomes(tests)).filter((o) => o.error)).toEqual([]);
  });

  it('a store that returns its own objects instead of copies fails the "returns copies" test', async () => {
    const { api, tests } = collector();
    runRunLogStoreContract('leaky', () => new LeakyStore(), { test: api });
    const failed = (await outcomes(tests)).filter((o) => o.error).map((o) => o.name);
    expect(failed).toEqual(['RunLogStore contract: leaky › returns copies: mutating a read run log does not change the store']);
  });

  it('the catalog and secrets suites run the same way', async () => {
    const { api, tests } = collector();
    runCatalogContract('memory', () => new MemoryCatalog(), { test: api });
    runSecretsContract('env', (values) => new EnvSecretsManager({ ...values }), { test: api });
    expect(tests.filter((t) => t.name.startsWith('Catalog contract: memory')).length).toBe(13);
    expect(tests.filter((t) => t.name.startsWith('SecretsManager contract: env')).length).toBe(3);
    expect((await outcomes(tests)).filter((o) => o.error)).toEqual([]);
  });

  it('without describe/it/expect the suite says how to provide them', () => {
    expect(() => runRunLogStoreContract('x', () => new MemoryRunLogStore(), { test: { describe: () => undefined } as never })).toThrow(
      "runRunLogStoreContract declares tests with describe/it/expect, but it, expect are not available. Call it at the top level of a jest test file " +
        "(or vitest with 'globals: true'), or pass them: runRunLogStoreContract(name, make, { test: { describe, it, expect } }).",
    );
  });

  it("jest's globals fit ContractTestApi (type-checked by tsc over test/)", () => {
    const fromGlobals: ContractTestApi = { describe, it, expect };
    expect(typeof fromGlobals.it).toBe('function');
  });
});

describe('runnable-ts/testing outside a test runner', () => {
  it('loads no test framework, and a suite called there explains what it needs', () => {
    const root = path.resolve(__dirname, '..', '..');
    const out = execFileSync(process.execPath, [path.join(root, 'bin/run-ts.js'), path.join(__dirname, 'plain-node.fixture.ts')], { cwd: root, encoding: 'utf8' });
    const { exports, loaded, message } = JSON.parse(out) as { exports: string[]; loaded: string[]; message: string };
    expect(loaded).toEqual([]);
    expect(exports).toEqual([
      'MockError',
      'MockedExecutor',
      'PatchedFailure',
      'PipelineFailedError',
      'cacheEntry',
      'newRunLog',
      'runCatalogContract',
      'runPipeline',
      'runRunLogStoreContract',
      'runSecretsContract',
      'stepLog',
    ]);
    expect(message).toBe(
      "runCatalogContract declares tests with describe/it/expect, but describe, it, expect are not available. Call it at the top level of a jest test file " +
        "(or vitest with 'globals: true'), or pass them: runCatalogContract(name, make, { test: { describe, it, expect } }).",
    );
  });
});
