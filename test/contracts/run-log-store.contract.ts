import type { RunLogStore, RunOwner } from '../../src/stores/run-log/store';
import type { RunLog, StepLog } from '../../src/stores/run-log/types';
import { RunLogExistsError, RunLogNotFoundError, RunOwnedError } from '../../src/errors';

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

export function owner(token: string, pid = 4242, host = 'host-a'): RunOwner {
  const at = '2026-01-01T00:00:00.000Z';
  return { token, pid, host, command: 'retry', started_at: at, heartbeat_at: at };
}
const alive = () => false;
const gone = () => true;

/**
 * The behaviour every RunLogStore implementation must have. Each implementation's test file calls this with a
 * factory that returns a fresh, empty store (and, for persistent stores, a way to reopen it from disk).
 */
export function runLogStoreContract(name: string, make: () => { store: RunLogStore; reopen?: () => RunLogStore }): void {
  describe(`RunLogStore contract: ${name}`, () => {
    it('creates and reads back a run log', async () => {
      const { store } = make();
      await store.create(newRunLog('r1'));
      expect(await store.exists('r1')).toBe(true);
      expect(await store.get('r1')).toEqual(newRunLog('r1'));
      expect(await store.list()).toContain('r1');
    });

    it('refuses to create a run id that exists, and says so with the status', async () => {
      const { store } = make();
      await store.create(newRunLog('dup'));
      await expect(store.create(newRunLog('dup'))).rejects.toBeInstanceOf(RunLogExistsError);
      await expect(store.create(newRunLog('dup'))).rejects.toThrow(/already used.*PROCESSING/);
    });

    it('throws RunLogNotFoundError for an unknown run', async () => {
      const { store } = make();
      await expect(store.get('nope')).rejects.toBeInstanceOf(RunLogNotFoundError);
      expect(await store.exists('nope')).toBe(false);
    });

    it('applies step, parameter and status mutations in order', async () => {
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
      expect(Object.keys(log.steps)).toEqual(['a', 'success']);
      expect(log.steps.a!.status).toBe('SUCCESS');
      expect(log.parameters.y!.value).toBe('v');
      expect(log.parameters.x!.value).toBe(1);
      expect(log.status).toBe('SUCCESS');
    });

    it('keeps branch logs under their composite step and stitches them on read', async () => {
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
      expect(b.status).toBe('SUCCESS');
      expect(b.parameters.z!.value).toBe(3);
      expect(Object.keys(b.steps)).toEqual(['par.b1.t']);
      expect(log.steps.par!.status).toBe('SUCCESS');
    });

    it('returns copies: mutating a read run log does not change the store', async () => {
      const { store } = make();
      await store.create(newRunLog('r4'));
      const a = await store.get('r4');
      a.status = 'FAIL';
      a.parameters.x!.value = 99;
      const b = await store.get('r4');
      expect(b.status).toBe('PROCESSING');
      expect(b.parameters.x!.value).toBe(1);
    });

    it('is unaffected by later mutation of objects passed to it', async () => {
      const { store } = make();
      await store.create(newRunLog('r5'));
      const s = stepLog('a', 'PROCESSING');
      await store.apply('r5', [{ op: 'step', step: s }]);
      s.status = 'FAIL';
      expect((await store.get('r5')).steps.a!.status).toBe('PROCESSING');
    });

    it('holds the same run log after close and reopening', async () => {
      const { store, reopen } = make();
      await store.create(newRunLog('r6'));
      for (let i = 0; i < 50; i++) await store.apply('r6', [{ op: 'step', step: stepLog(`s${i}`) }]);
      await store.apply('r6', [{ op: 'status', status: 'FAIL' }]);
      const before = await store.get('r6');
      await store.close('r6');
      const again = reopen ? reopen() : store;
      expect(await again.get('r6')).toEqual(before);
      expect(Object.keys(before.steps)).toHaveLength(50);
    });

    describe('run ownership', () => {
      it('takes a free run, reports its owner, and releases it', async () => {
        const { store } = make();
        await store.create(newRunLog('o1'));
        expect(await store.getOwner('o1')).toBeUndefined();
        expect(await store.acquireOwner('o1', owner('t1'), alive)).toBeUndefined();
        expect(await store.getOwner('o1')).toEqual(owner('t1'));
        await store.releaseOwner('o1', 't1');
        expect(await store.getOwner('o1')).toBeUndefined();
        // free again: the next process takes it without judging anyone
        const judge = jest.fn(() => false);
        expect(await store.acquireOwner('o1', owner('t2'), judge)).toBeUndefined();
        expect(judge).not.toHaveBeenCalled();
      });

      it('refuses a second owner while the first lives, naming it (pid, host, since)', async () => {
        const { store } = make();
        await store.create(newRunLog('o2'));
        await store.acquireOwner('o2', owner('first', 1111, 'box-1'), alive);
        const judge = jest.fn(() => false);
        const err = await store.acquireOwner('o2', owner('second'), judge).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RunOwnedError);
        expect((err as Error).message).toMatch(/pid 1111 on host box-1, since 2026-01-01T00:00:00.000Z/);
        expect(judge).toHaveBeenCalledWith(expect.objectContaining({ token: 'first', pid: 1111 }));
        expect((await store.getOwner('o2'))?.token).toBe('first');
      });

      it('takes over a gone owner, returns it, and the old owner can no longer heartbeat or release', async () => {
        const { store } = make();
        await store.create(newRunLog('o3'));
        await store.acquireOwner('o3', owner('old', 1), alive);
        const previous = await store.acquireOwner('o3', owner('new', 2), gone);
        expect(previous?.token).toBe('old');
        expect(await store.heartbeatOwner('o3', 'old', '2026-01-01T00:01:00.000Z')).toBe(false);
        await store.releaseOwner('o3', 'old');
        expect((await store.getOwner('o3'))?.token).toBe('new');
        expect(await store.heartbeatOwner('o3', 'new', '2026-01-01T00:02:00.000Z')).toBe(true);
        expect((await store.getOwner('o3'))?.heartbeat_at).toBe('2026-01-01T00:02:00.000Z');
      });

      it('of several concurrent acquirers of a free run, exactly one wins', async () => {
        const { store, reopen } = make();
        await store.create(newRunLog('o4'));
        const stores = Array.from({ length: 8 }, () => (reopen ? reopen() : store));
        const results = await Promise.allSettled(stores.map((s, i) => s.acquireOwner('o4', owner(`c${i}`), alive)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RunOwnedError);
      });

      it('of several concurrent takers of a gone owner, exactly one wins', async () => {
        const { store, reopen } = make();
        await store.create(newRunLog('o5'));
        await store.acquireOwner('o5', owner('dead'), alive);
        const stores = Array.from({ length: 8 }, () => (reopen ? reopen() : store));
        // each judges only the dead owner gone; the winner is alive to the others
        const results = await Promise.allSettled(stores.map((s, i) => s.acquireOwner('o5', owner(`t${i}`), (cur) => cur.token === 'dead')));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const winner = await store.getOwner('o5');
        expect(winner?.token).toMatch(/^t\d$/);
      });

      it('owner records are not runs: list() and get() are unchanged by them', async () => {
        const { store } = make();
        await store.create(newRunLog('o6'));
        await store.acquireOwner('o6', owner('x'), alive);
        expect((await store.list()).sort()).toEqual(['o6']);
        expect(await store.get('o6')).toEqual(newRunLog('o6'));
      });
    });
  });
}
