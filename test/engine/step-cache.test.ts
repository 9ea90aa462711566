/**
 * The step cache in the engine, in process (memory stores; the emulator is proved in test/e2e/step-cache.test.ts): hits reuse
 * outputs with `cached_from`, misses on any change of what a step read, opt-outs, --refresh / --no-cache, runs that
 * did not succeed are never reused, and retry never reruns a step that was reused.
 */
import 'reflect-metadata';
import { MemoryCatalog, MemoryRunLogStore, SilentReporter, Task, pipeline, pickled, metric, task, type ExecuteOptions, type PipelineEvent, type RunLog } from '../../src/index';
import { MockedExecutor } from '../../src/executors/mocked';
import { getTaskDefinition } from '../../src/sdk/task';
import { executeSingleNode } from '../../src/engine/run';
import { fan } from '../../src/engine/fan';
import { assertValidRunLog } from '../helpers/run-log-schema';

const calls: string[] = [];

@Task({ name: 'load', returns: [pickled('rows')], cache: true })
class Load {
  run({ size }: { size: number }) {
    calls.push('load');
    return { rows: Array.from({ length: size }, (_, i) => i) };
  }
}

const total = task(
  ({ rows, scale = 1 }: { rows: number[]; scale?: number }) => {
    calls.push('total');
    return { total: rows.reduce((a, b) => a + b, 0) * scale };
  },
  { name: 'total', returns: [metric('total')], cache: true },
);

const report = task(
  ({ total: t, label }: { total: number; label: string }) => {
    calls.push('report');
    return { text: `${label}: ${t}` };
  },
  { name: 'report', returns: ['text'] },
);

const p = pipeline('cached').params<{ size: number; label: string; scale?: number }>().step(Load).step(total).step(report).build();

function services(extra: ExecuteOptions = {}): ExecuteOptions {
  return { runLogStore: new MemoryRunLogStore(), catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {}, ...extra };
}

const cachedFrom = (log: RunLog) => Object.fromEntries(Object.entries(log.steps).filter(([k]) => k !== 'success').map(([k, s]) => [k, s.cached_from?.run_id ?? null]));

beforeEach(() => (calls.length = 0));

describe('step cache in process', () => {
  it('@Task records its module; a second run with the same inputs reuses the cached steps, with cached_from and the same outputs', async () => {
    expect(getTaskDefinition(Load)?.source).toBe(__filename);
    const s = services();
    const events: PipelineEvent[] = [];
    const first = await p.execute({ ...s, runId: 'one', params: { size: 4, label: 'a' } });
    expect(calls).toEqual(['load', 'total', 'report']);
    expect(first.runLog.steps.load!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(first.runLog.steps.report!.fingerprint).toBeUndefined(); // no cache on that step
    calls.length = 0;
    const second = await p.execute({ ...s, runId: 'two', params: { size: 4, label: 'b' }, onEvent: (e) => events.push(e) });
    expect(calls).toEqual(['report']);
    expect(cachedFrom(second.runLog)).toEqual({ load: 'one', total: 'one', report: null });
    expect(second.runLog.steps.load!.cached_from).toEqual({ run_id: 'one', step: 'load' });
    expect(second.runLog.steps.load!.status).toBe('SUCCESS');
    expect(second.runLog.parameters.total!.value).toBe(6);
    expect(second.runLog.parameters.text!.value).toBe('b: 6');
    // the pickled value was copied into this run's catalog, with the same hash
    const rows = second.runLog.parameters.rows!;
    expect(rows.catalog_relative_path).toBe('two/load/rows.superjson');
    expect(rows.data_hash).toBe(first.runLog.parameters.rows!.data_hash);
    expect(await (s.catalog as MemoryCatalog).exists('two', 'load/rows.superjson')).toBe(true);
    // metrics come along; the event says where the outputs came from
    expect(second.runLog.steps.total!.attempts.at(-1)!.user_defined_metrics.total!.value).toBe(6);
    const succeeded = events.filter((e) => e.type === 'step_succeeded');
    expect(succeeded.map((e) => [e.step, e.type === 'step_succeeded' ? e.cachedFrom?.run_id : undefined])).toEqual([
      ['load', 'one'],
      ['total', 'one'],
      ['report', undefined],
    ]);
    assertValidRunLog(second.runLog);
  });

  it('a changed value read, or an optional input now provided, misses; what did not change is still reused', async () => {
    const s = services();
    await p.execute({ ...s, runId: 'one', params: { size: 4, label: 'a' } });
    calls.length = 0;
    const bigger = await p.execute({ ...s, runId: 'two', params: { size: 5, label: 'a' } });
    expect(calls).toEqual(['load', 'total', 'report']);
    expect(bigger.runLog.parameters.total!.value).toBe(10);
    calls.length = 0;
    // total read 'scale' in run one and found nothing: providing it now changes its inputs (load is unaffected)
    const scaled = await p.execute({ ...s, runId: 'three', params: { size: 4, label: 'a', scale: 2 } });
    expect(calls).toEqual(['total', 'report']);
    expect(cachedFrom(scaled.runLog)).toEqual({ load: 'one', total: null, report: null });
    expect(scaled.runLog.steps.total!.attempts[0]!.absent_inputs).toBeUndefined();
    expect(scaled.runLog.parameters.total!.value).toBe(12);
  });

  it('cache: { version } is part of the fingerprint; cache: false opts a step out even when every step is cached', async () => {
    const s = services();
    const counted = (version: string) =>
      pipeline('v')
        .step(task(() => (calls.push(`v${version}`), { x: 1 }), { name: 'make', returns: ['x'], cache: { version } }))
        .step(task(({ x }: { x: number }) => (calls.push('never'), { y: x }), { name: 'live', returns: ['y'], cache: false }))
        .build();
    await counted('1').execute({ ...s, runId: 'v1', cache: true });
    await counted('1').execute({ ...s, runId: 'v1b', cache: true });
    await counted('2').execute({ ...s, runId: 'v2', cache: true });
    expect(calls).toEqual(['v1', 'never', 'never', 'v2', 'never']);
  });

  it('cache: true on the run caches every task step; refresh executes the named step; cache: false reuses nothing', async () => {
    const s = services();
    await p.execute({ ...s, runId: 'one', params: { size: 3, label: 'a' }, cache: true });
    calls.length = 0;
    const all = await p.execute({ ...s, runId: 'two', params: { size: 3, label: 'a' }, cache: true });
    expect(calls).toEqual([]);
    expect(cachedFrom(all.runLog)).toEqual({ load: 'one', total: 'one', report: 'one' });
    const refreshed = await p.execute({ ...s, runId: 'three', params: { size: 3, label: 'a' }, cache: true, refresh: ['load'] });
    // load executes again; its output has the same hash, so what reads it is still reused (from where it executed)
    expect(calls).toEqual(['load']);
    expect(cachedFrom(refreshed.runLog)).toEqual({ load: null, total: 'one', report: 'one' });
    calls.length = 0;
    const none = await p.execute({ ...s, runId: 'four', params: { size: 3, label: 'a' }, cache: false });
    expect(calls).toEqual(['load', 'total', 'report']);
    expect(cachedFrom(none.runLog)).toEqual({ load: null, total: null, report: null });
    await expect(p.execute({ ...s, runId: 'five', params: { size: 3, label: 'a' }, refresh: ['lod'] })).rejects.toThrow(/--refresh 'lod'.*no task step.*load, total, report/);
  });

  it('a run that did not succeed is never reused; once a retry makes it succeed, it is', async () => {
    const s = services();
    let broken = true;
    const fragile = pipeline('f')
      .params<{ n: number }>()
      .step(task(({ n }: { n: number }) => (calls.push('first'), { m: n + 1 }), { name: 'first', returns: ['m'], cache: true }))
      .step(
        task(({ m }: { m: number }) => {
          calls.push('second');
          if (broken) throw new Error('broken');
          return { k: m };
        }, { name: 'second', returns: ['k'] }),
      )
      .build();
    await expect(fragile.execute({ ...s, runId: 'failed', params: { n: 1 } })).rejects.toThrow();
    await expect(fragile.execute({ ...s, runId: 'failed-too', params: { n: 1 } })).rejects.toThrow();
    expect(calls).toEqual(['first', 'second', 'first', 'second']);
    broken = false;
    calls.length = 0;
    // the retry skips 'first' (it succeeded in this run) and never consults the cache for it
    const retried = await fragile.execute({ ...s, retryRunId: 'failed' });
    expect(calls).toEqual(['second']);
    expect(retried.runLog.steps.first!.attempts).toHaveLength(1);
    calls.length = 0;
    const again = await fragile.execute({ ...s, runId: 'later', params: { n: 1 } });
    expect(calls).toEqual(['second']);
    expect(again.runLog.steps.first!.cached_from).toEqual({ run_id: 'failed', step: 'first' });
  });

  it('a reused step counts as a success on retry: it is skipped, not executed', async () => {
    const s = services();
    let broken = false;
    const q = pipeline('q')
      .step(task(() => (calls.push('a'), { v: 1 }), { name: 'a', returns: ['v'], cache: true }))
      .step(
        task(({ v }: { v: number }) => {
          calls.push('b');
          if (broken) throw new Error('broken');
          return { w: v };
        }, { name: 'b', returns: ['w'] }),
      )
      .build();
    await q.execute({ ...s, runId: 'src' });
    broken = true;
    await expect(q.execute({ ...s, runId: 'hit' })).rejects.toThrow();
    broken = false;
    calls.length = 0;
    const r = await q.execute({ ...s, retryRunId: 'hit' });
    expect(calls).toEqual(['b']);
    expect(r.runLog.steps.a!.cached_from).toEqual({ run_id: 'src', step: 'a' });
    expect(r.runLog.steps.a!.attempts).toHaveLength(1);
  });

  it('the mocked executor neither reuses nor records anything', async () => {
    const s = services();
    await p.execute({ ...s, runId: 'one', params: { size: 2, label: 'a' } });
    const dry = await p.execute({ ...s, runId: 'dry', params: { size: 2, label: 'a' }, executor: new MockedExecutor() });
    expect(cachedFrom(dry.runLog)).toEqual({ load: null, total: null, report: null });
    expect(dry.runLog.steps.load!.fingerprint).toBeUndefined();
  });

  it('an Argo pod (execute-single-node --cache-lookup) reuses a cached step; without the flag (a child of an executor whose parent looked it up) it executes', async () => {
    const s = services();
    await p.execute({ ...s, runId: 'first', params: { size: 3, label: 'a' } });
    for (const runId of ['pod-run', 'child-run']) await fan(p, runId, '.', 'out', { ...s, params: { size: 3, label: 'a' } });
    calls.length = 0;
    const pod = await executeSingleNode(p, 'pod-run', 'load', { ...s, oneAttempt: true, cacheLookup: true });
    expect(calls).toEqual([]);
    expect(pod.status).toBe('SUCCESS');
    expect(pod.cached_from).toEqual({ run_id: 'first', step: 'load' });
    const child = await executeSingleNode(p, 'child-run', 'load', { ...s, oneAttempt: true });
    expect(calls).toEqual(['load']);
    expect(child.cached_from).toBeUndefined();
    // the pod's reuse is recorded like an in-process one: the next step reads the restored value
    const next = await executeSingleNode(p, 'pod-run', 'total', { ...s, oneAttempt: true, cacheLookup: true });
    expect(next.cached_from).toEqual({ run_id: 'first', step: 'total' });
    expect(calls).toEqual(['load']);
  });
});
