import type { RunLogStore } from '../../stores/run-log/store';
import type { RunLog, StepLog } from '../../stores/run-log/types';
import { RunLogExistsError, RunLogNotFoundError } from '../../errors';
import { testApi, type ContractOptions } from './test-api';

/** A minimal run log (status PROCESSING, one parameter `x = 1`), as the contract suite creates them. */
export function newRunLog(runId: string): RunLog {
  return {
    run_id: runId,
    dag_hash: 'abc',
    tag: '',
    status: 'PROCESSING',
    steps: {},
    job: null,
    parameters: { x: { kind: 'json', value: 1, description: '1' } },
    run_config: { run_id: runId },
  };
}

/** A task step log named by its dot path, with no attempts. */
export function stepLog(internal: string, status: StepLog['status'] = 'SUCCESS', type: StepLog['step_type'] = 'task'): StepLog {
  return {
    name: internal.split('.').at(-1)!,
    internal_name: internal,
    status,
    step_type: type,
    message: '',
    mock: false,
    attempts: [],
    branches: {},
    data_catalog: [],
  };
}

/** What a run-log store contract's factory returns: the store, or the store and a way to reopen it from where it persists. */
export type RunLogStoreFactoryResult = RunLogStore | { store: RunLogStore; reopen?: () => RunLogStore };

/**
 * The behaviour every RunLogStore implementation must have, as a jest/vitest suite. `make` returns a fresh, empty
 * store for each test; a persistent store also returns `reopen`, a new instance reading the same place, and the
 * suite checks that a closed run log reads back identical:
 *   runRunLogStoreContract('my store', () => new MyStore())
 *   runRunLogStoreContract('my store', () => { const dir = tmp(); return { store: new MyStore(dir), reopen: () => new MyStore(dir) }; })
 */
export function runRunLogStoreContract(name: string, factory: () => RunLogStoreFactoryResult, options?: ContractOptions): void {
  const t = testApi('runRunLogStoreContract', options);
  const make = (): { store: RunLogStore; reopen?: () => RunLogStore } => {
    const made = factory();
    return 'store' in made && !('create' in made) ? made : { store: made as RunLogStore };
  };
  t.describe(`RunLogStore contract: ${name}`, () => {
    t.it('creates and reads back a run log', async () => {
      const { store } = make();
      await store.create(newRunLog('r1'));
      t.expect(await store.exists('r1')).toBe(true);
      t.expect(await store.get('r1')).toEqual(newRunLog('r1'));
      t.expect(await store.list()).toContain('r1');
    });

    t.it('refuses to create a run id that exists, and says so with the status', async () => {
      const { store } = make();
      await store.create(newRunLog('dup'));
      await t.expect(store.create(newRunLog('dup'))).rejects.toBeInstanceOf(RunLogExistsError);
      await t.expect(store.create(newRunLog('dup'))).rejects.toThrow(/already used.*PROCESSING/);
    });

    t.it('throws RunLogNotFoundError for an unknown run', async () => {
      const { store } = make();
      await t.expect(store.get('nope')).rejects.toBeInstanceOf(RunLogNotFoundError);
      t.expect(await store.exists('nope')).toBe(false);
    });

    t.it('applies step, parameter and status mutations in order', async () => {
      const { store } = make();
      await store.create(newRunLog('r2'));
      await store.apply('r2', [{ op: 'step', step: stepLog('a', 'PROCESSING') }]);
      await store.apply('r2', [
        { op: 'params', params: { y: { kind: 'json', value: 'v', description: 'v' } } },
        { op: 'step', step: stepLog('a', 'SUCCESS') },
        { op: 'step', step: stepLog('success', 'SUCCESS', 'success') },
        { op: 'status', status: 'SUCCESS' },
      ]);
      const log = await store.get('r2');
      t.expect(Object.keys(log.steps)).toEqual(['a', 'success']);
      t.expect(log.steps.a!.status).toBe('SUCCESS');
      t.expect(log.parameters.y!.value).toBe('v');
      t.expect(log.parameters.x!.value).toBe(1);
      t.expect(log.status).toBe('SUCCESS');
    });

    t.it('keeps branch logs under their composite step and stitches them on read', async () => {
      const { store } = make();
      await store.create(newRunLog('r3'));
      await store.apply('r3', [
        { op: 'step', step: stepLog('par', 'PROCESSING', 'parallel') },
        { op: 'branch', branch: { internal_name: 'par.b1', status: 'PROCESSING', parameters: {} } },
        { op: 'step', step: stepLog('par.b1.t') },
        { op: 'params', branch: 'par.b1', params: { z: { kind: 'json', value: 3, description: '3' } } },
        { op: 'status', branch: 'par.b1', status: 'SUCCESS' },
        // re-writing the composite step must not drop its branches
        { op: 'step', step: stepLog('par', 'SUCCESS', 'parallel') },
      ]);
      const log = await store.get('r3');
      const b = log.steps.par!.branches['par.b1']!;
      t.expect(b.status).toBe('SUCCESS');
      t.expect(b.parameters.z!.value).toBe(3);
      t.expect(Object.keys(b.steps)).toEqual(['par.b1.t']);
      t.expect(log.steps.par!.status).toBe('SUCCESS');
    });

    t.it('returns copies: mutating a read run log does not change the store', async () => {
      const { store } = make();
      await store.create(newRunLog('r4'));
      const a = await store.get('r4');
      a.status = 'FAIL';
      a.parameters.x!.value = 99;
      const b = await store.get('r4');
      t.expect(b.status).toBe('PROCESSING');
      t.expect(b.parameters.x!.value).toBe(1);
    });

    t.it('is unaffected by later mutation of objects passed to it', async () => {
      const { store } = make();
      await store.create(newRunLog('r5'));
      const s = stepLog('a', 'PROCESSING');
      await store.apply('r5', [{ op: 'step', step: s }]);
      s.status = 'FAIL';
      t.expect((await store.get('r5')).steps.a!.status).toBe('PROCESSING');
    });

    t.it('holds the same run log after close and reopening', async () => {
      const { store, reopen } = make();
      await store.create(newRunLog('r6'));
      for (let i = 0; i < 50; i++) await store.apply('r6', [{ op: 'step', step: stepLog(`s${i}`) }]);
      await store.apply('r6', [{ op: 'status', status: 'FAIL' }]);
      const before = await store.get('r6');
      await store.close('r6');
      const again = reopen ? reopen() : store;
      t.expect(await again.get('r6')).toEqual(before);
      t.expect(Object.keys(before.steps)).toHaveLength(50);
    });
  });
}
