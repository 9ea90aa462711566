import type { RunLogStore, RunOwner, StepCacheEntry } from '../../stores/run-log/store';
import type { RunLog, StepLog } from '../../stores/run-log/types';
import { RunLogExistsError, RunLogNotFoundError, RunOwnedError } from '../../errors';
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
/** An owner record for the ownership tests. */
export function owner(token: string, pid = 4242, host = 'host-a'): RunOwner {
  const at = '2026-01-01T00:00:00.000Z';
  return { token, pid, host, command: 'retry', started_at: at, heartbeat_at: at };
}
/** A step cache entry for the contract suite: `k` and `f` are repeated into 64 hex digits. */
export function cacheEntry(k: string, f: string, runId = 'r1', at = '2026-01-01T00:00:00.000Z'): StepCacheEntry {
  const hex = (c: string) => c.repeat(64).slice(0, 64);
  return { key: hex(k), fingerprint: hex(f), run_id: runId, step: 'train', inputs: ['df', 'n'], absent: ['test_size'], created_at: at };
}
const alive = () => false;
const gone = () => true;
/** A judge of owners that records whom it was asked about. */
function judge(verdict: boolean): ((o: RunOwner) => boolean) & { asked: RunOwner[] } {
  const asked: RunOwner[] = [];
  return Object.assign((o: RunOwner) => (asked.push(o), verdict), { asked });
}

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

    t.it('reads one step back with getStep, as stored now (undefined when absent)', async () => {
      const { store } = make();
      await store.create(newRunLog('r7'));
      await store.apply('r7', [{ op: 'step', step: stepLog('par', 'PROCESSING', 'parallel') }]);
      await store.apply('r7', [{ op: 'branch', branch: { internal_name: 'par.a', status: 'PROCESSING', parameters: {} } }]);
      await store.apply('r7', [{ op: 'step', step: stepLog('par.a.work', 'SUCCESS') }]);
      t.expect((await store.getStep('r7', 'par.a.work'))?.status).toBe('SUCCESS');
      t.expect(await store.getStep('r7', 'nope')).toBeUndefined();
      t.expect(typeof store.capabilities.crossProcess).toBe('boolean');
      t.expect(typeof store.capabilities.concurrentWriters).toBe('boolean');
    });

    t.describe('step cache index', () => {
      t.it('records entries and reads them back under their key, newest first; other keys see nothing', async () => {
        const { store } = make();
        t.expect(await store.getCacheEntries(cacheEntry('a', '0').key)).toEqual([]);
        await store.putCacheEntry(cacheEntry('a', '1', 'old', '2026-01-01T00:00:00.000Z'));
        await store.putCacheEntry(cacheEntry('a', '2', 'new', '2026-01-02T00:00:00.000Z'));
        await store.putCacheEntry(cacheEntry('b', '1', 'other'));
        const got = await store.getCacheEntries(cacheEntry('a', '0').key);
        t.expect(got.map((e) => e.run_id)).toEqual(['new', 'old']);
        t.expect(got[1]).toEqual(cacheEntry('a', '1', 'old', '2026-01-01T00:00:00.000Z'));
        t.expect((await store.getCacheEntries(cacheEntry('b', '0').key)).map((e) => e.run_id)).toEqual(['other']);
      });

      t.it('an entry with the same key, fingerprint and run replaces the earlier one; other runs add theirs', async () => {
        const { store } = make();
        await store.putCacheEntry(cacheEntry('c', '1', 'first', '2026-01-01T00:00:00.000Z'));
        await store.putCacheEntry(cacheEntry('c', '1', 'second', '2026-01-02T00:00:00.000Z'));
        await store.putCacheEntry({ ...cacheEntry('c', '1', 'first', '2026-01-03T00:00:00.000Z'), step: 'again' });
        const got = await store.getCacheEntries(cacheEntry('c', '1').key);
        t.expect(got.map((e) => [e.run_id, e.step])).toEqual([
          ['first', 'again'],
          ['second', 'train'],
        ]);
      });

      t.it('entries are not runs, survive reopening, and reads return copies', async () => {
        const { store, reopen } = make();
        await store.create(newRunLog('c1'));
        await store.putCacheEntry(cacheEntry('d', '1', 'c1'));
        t.expect((await store.list()).sort()).toEqual(['c1']);
        const again = reopen ? reopen() : store;
        const got = await again.getCacheEntries(cacheEntry('d', '1').key);
        t.expect(got).toEqual([cacheEntry('d', '1', 'c1')]);
        got[0]!.inputs.push('changed');
        t.expect((await again.getCacheEntries(cacheEntry('d', '1').key))[0]!.inputs).toEqual(['df', 'n']);
      });

      t.it('concurrent writers (several store instances) never corrupt the index', async () => {
        const { store, reopen } = make();
        const stores = Array.from({ length: 8 }, () => (reopen ? reopen() : store));
        const digits = '0123456789abcdef';
        // 8 writers x 8 entries under one key: fingerprints 0..7 written by every writer, for its own run and for a
        // shared one (the same key, fingerprint and run written concurrently by all)
        await Promise.all(
          stores.map(async (s, w) => {
            for (let i = 0; i < 8; i++) {
              await s.putCacheEntry(cacheEntry('e', digits[i]!, `w${w}`));
              await s.putCacheEntry({ ...cacheEntry('e', digits[i]!, 'shared'), step: `by-w${w}` });
            }
          }),
        );
        const got = await store.getCacheEntries(cacheEntry('e', '0').key);
        t.expect(got).toHaveLength(8 * 8 + 8);
        const shared = got.filter((e) => e.run_id === 'shared');
        t.expect(shared.map((e) => e.fingerprint[0]).sort()).toEqual([...digits.slice(0, 8)]);
        for (const e of shared) t.expect(e.step).toMatch(/^by-w[0-7]$/);
        for (let w = 0; w < 8; w++) t.expect(got.filter((e) => e.run_id === `w${w}`)).toHaveLength(8);
      });

      t.it('refuses a key or fingerprint that is not a SHA-256 hex digest (they may become file names)', async () => {
        const { store } = make();
        await t.expect(store.putCacheEntry({ ...cacheEntry('f', '1'), key: '../../etc' })).rejects.toThrow(/SHA-256/);
        await t.expect(store.putCacheEntry({ ...cacheEntry('f', '1'), fingerprint: 'x' })).rejects.toThrow(/SHA-256/);
        await t.expect(store.getCacheEntries('../escape')).rejects.toThrow(/SHA-256/);
      });
    });

    t.describe('run ownership', () => {
      t.it('takes a free run, reports its owner, and releases it', async () => {
        const { store } = make();
        await store.create(newRunLog('o1'));
        t.expect(await store.getOwner('o1')).toBeUndefined();
        t.expect(await store.acquireOwner('o1', owner('t1'), alive)).toBeUndefined();
        t.expect(await store.getOwner('o1')).toEqual(owner('t1'));
        await store.releaseOwner('o1', 't1');
        t.expect(await store.getOwner('o1')).toBeUndefined();
        // free again: the next process takes it without judging anyone
        const j = judge(false);
        t.expect(await store.acquireOwner('o1', owner('t2'), j)).toBeUndefined();
        t.expect(j.asked).toEqual([]);
      });

      t.it('refuses a second owner while the first lives, naming it (pid, host, since)', async () => {
        const { store } = make();
        await store.create(newRunLog('o2'));
        await store.acquireOwner('o2', owner('first', 1111, 'box-1'), alive);
        const j = judge(false);
        const err = await store.acquireOwner('o2', owner('second'), j).catch((e: unknown) => e);
        t.expect(err).toBeInstanceOf(RunOwnedError);
        t.expect((err as Error).message).toMatch(/pid 1111 on host box-1, since 2026-01-01T00:00:00.000Z/);
        t.expect(j.asked.map((o) => [o.token, o.pid])).toEqual([['first', 1111]]);
        t.expect((await store.getOwner('o2'))?.token).toBe('first');
      });

      t.it('takes over a gone owner, returns it, and the old owner can no longer heartbeat or release', async () => {
        const { store } = make();
        await store.create(newRunLog('o3'));
        await store.acquireOwner('o3', owner('old', 1), alive);
        const previous = await store.acquireOwner('o3', owner('new', 2), gone);
        t.expect(previous?.token).toBe('old');
        t.expect(await store.heartbeatOwner('o3', 'old', '2026-01-01T00:01:00.000Z')).toBe(false);
        await store.releaseOwner('o3', 'old');
        t.expect((await store.getOwner('o3'))?.token).toBe('new');
        t.expect(await store.heartbeatOwner('o3', 'new', '2026-01-01T00:02:00.000Z')).toBe(true);
        t.expect((await store.getOwner('o3'))?.heartbeat_at).toBe('2026-01-01T00:02:00.000Z');
      });

      t.it('of several concurrent acquirers of a free run, exactly one wins', async () => {
        const { store, reopen } = make();
        await store.create(newRunLog('o4'));
        const stores = Array.from({ length: 8 }, () => (reopen ? reopen() : store));
        const results = await Promise.allSettled(stores.map((s, i) => s.acquireOwner('o4', owner(`c${i}`), alive)));
        t.expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') t.expect(r.reason).toBeInstanceOf(RunOwnedError);
      });

      t.it('of several concurrent takers of a gone owner, exactly one wins', async () => {
        const { store, reopen } = make();
        await store.create(newRunLog('o5'));
        await store.acquireOwner('o5', owner('dead'), alive);
        const stores = Array.from({ length: 8 }, () => (reopen ? reopen() : store));
        // each judges only the dead owner gone; the winner is alive to the others
        const results = await Promise.allSettled(stores.map((s, i) => s.acquireOwner('o5', owner(`t${i}`), (cur) => cur.token === 'dead')));
        t.expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        t.expect((await store.getOwner('o5'))?.token).toMatch(/^t\d$/);
      });

      t.it('owner records are not runs: list() and get() are unchanged by them', async () => {
        const { store } = make();
        await store.create(newRunLog('o6'));
        await store.acquireOwner('o6', owner('x'), alive);
        t.expect((await store.list()).sort()).toEqual(['o6']);
        t.expect(await store.get('o6')).toEqual(newRunLog('o6'));
      });
    });
  });
}
