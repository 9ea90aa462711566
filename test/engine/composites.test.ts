import 'reflect-metadata';
import { ExecutionFailedError, MemoryCatalog, MemoryRunLogStore, Serializable, pickled, pipeline, shell, stub, task, metric } from '../../src/index';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import { FileSystemRunLogStore } from '../../src/stores/run-log/file-system';
import { inMemory } from '../helpers/memory-run';
import { assertValidRunLog } from '../helpers/run-log-schema';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

@Serializable('composites.Box')
class Box {
  constructor(readonly n: number) {}
  twice(): number {
    return this.n * 2;
  }
}

const gen = task(({ items = [1, 2, 3] }: { items?: number[] }) => ({ chunks: items, base: 10 }), { name: 'gen', returns: ['chunks', 'base'] });
const times = task(({ chunk, base }: { chunk: number; base: number }) => ({ processed: chunk * base }), { name: 'times', returns: ['processed'] });
const timesBranch = pipeline('times').params<{ chunk: number; base: number }>().step(times).build();
const failed = (e: unknown) => (e as ExecutionFailedError).runLog!;

describe('map', () => {
  it('runs the branch per item with the item typed as `as`, branches inherit the parent scope, returns become arrays in item order', async () => {
    const r = await pipeline('m').step(gen).map('map_state', { over: 'chunks', as: 'chunk', branch: timesBranch }).build().execute(inMemory());
    const log = r.runLog;
    assertValidRunLog(log);
    expect(log.parameters.processed!.value).toEqual([10, 20, 30]);
    const step = log.steps.map_state!;
    expect(step.step_type).toBe('map');
    expect(step.attempts).toEqual([]);
    expect(Object.keys(step.branches)).toEqual(['map_state.1', 'map_state.2', 'map_state.3']);
    const b1 = step.branches['map_state.1']!;
    expect(b1.status).toBe('SUCCESS');
    expect(Object.keys(b1.steps)).toEqual(['map_state.1.times', 'map_state.1.success']);
    expect(b1.steps['map_state.1.times']!.attempts[0]!.input_parameters).toMatchObject({ chunk: { value: 1 }, base: { value: 10 } });
    // only what the branch set is stored in its branch log (not a copy of the parent scope)
    expect(Object.keys(b1.parameters).sort()).toEqual(['chunk', 'processed']);
  });

  it('keys branches by index when items would collide or are not simple names', async () => {
    const r = await pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: timesBranch }).build().execute(inMemory({ params: { items: [1, '1', 2] } }));
    expect(Object.keys(r.runLog.steps.m!.branches)).toEqual(['m.0', 'm.1', 'm.2']);
    const r2 = await pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: timesBranch }).build().execute(inMemory({ params: { items: [1.5, 2] } }));
    expect(Object.keys(r2.runLog.steps.m!.branches)).toEqual(['m.0', 'm.1']);
  });

  it('applies per-name reducers and keeps metrics', async () => {
    const scoreBranch = pipeline('s').params<{ chunk: number }>().step(task(({ chunk }: { chunk: number }) => ({ acc: chunk / 10, label: `c${chunk}` }), { name: 'score', returns: [metric('acc'), 'label'] })).build();
    const r = await pipeline('m')
      .step(gen)
      .map('m', { over: 'chunks', as: 'chunk', branch: scoreBranch, reducer: { acc: (v) => Math.max(...v) } })
      .build()
      .execute(inMemory());
    expect(r.runLog.parameters.acc).toMatchObject({ kind: 'metric', value: 0.3 });
    expect(r.runLog.parameters.label).toMatchObject({ kind: 'json', value: ['c1', 'c2', 'c3'] });
  });

  it('stores pickled returns per iteration (no collisions) and reduces them to a pickled list', async () => {
    const boxBranch = pipeline('b').params<{ chunk: number }>().step(task(({ chunk }: { chunk: number }) => ({ box: new Box(chunk) }), { name: 'mk', returns: [pickled('box')] })).build();
    const use = task(({ box }: { box: Box[] }) => ({ sum: box.reduce((s, b) => s + b.twice(), 0), all: box.every((b) => b instanceof Box) }), { name: 'use', returns: ['sum', 'all'] });
    const r = await pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: boxBranch }).step(use).build().execute(inMemory());
    expect(r.runLog.parameters.sum!.value).toBe(12);
    expect(r.runLog.parameters.all!.value).toBe(true);
    const paths = Object.values(r.runLog.steps.m!.branches).map((b) => b.parameters.box!.catalog_relative_path);
    expect(new Set(paths).size).toBe(3);
    expect(r.runLog.parameters.box).toMatchObject({ kind: 'object', catalog_relative_path: `${r.runId}/m/box.superjson` });
  });

  it('an empty map succeeds with empty arrays for every declared return', async () => {
    const after = task(({ processed }: { processed: number[] }) => ({ n: processed.length }), { name: 'after', returns: ['n'] });
    const r = await pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: timesBranch }).step(after).build().execute(inMemory({ params: { items: [] } }));
    expect(r.status).toBe('SUCCESS');
    expect(r.runLog.parameters.processed!.value).toEqual([]);
    expect(r.runLog.parameters.n!.value).toBe(0);
  });

  it('a non-array `over` fails the map step naming the parameter; the run is FAIL, never left PROCESSING', async () => {
    const err = await pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: timesBranch }).build().execute(inMemory({ params: { items: 5 as never } })).catch((e) => e);
    // gen returns `chunks: items`, so chunks is 5 here
    const log = failed(err);
    expect(log.status).toBe('FAIL');
    expect(log.steps.m!.status).toBe('FAIL');
    expect(log.steps.m!.message).toBe("map 'm': 'chunks' must be an array to map over, but it is number");
    expect((err as ExecutionFailedError).failedSteps).toEqual([{ name: 'm', message: "map 'm': 'chunks' must be an array to map over, but it is number" }]);
  });

  it('a failing iteration fails the map after all iterations ran; no reduction; other iterations keep their results', async () => {
    const flaky = pipeline('f').params<{ chunk: number }>().step(task(({ chunk }: { chunk: number }) => {
      if (chunk === 2) throw new Error('bad chunk');
      return { processed: chunk };
    }, { name: 'proc', returns: ['processed'] })).build();
    const log = failed(await pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: flaky }).build().execute(inMemory()).catch((e) => e));
    expect(Object.keys(log.steps)).toEqual(['gen', 'm', 'fail']);
    expect(log.steps.m!.message).toBe("1 of 3 iterations failed: 'm.2'");
    expect(log.steps.m!.branches['m.2']!.status).toBe('FAIL');
    expect(Object.keys(log.steps.m!.branches['m.2']!.steps)).toEqual(['m.2.proc', 'm.2.fail']);
    expect(log.steps.m!.branches['m.3']!.status).toBe('SUCCESS');
    expect(log.parameters.processed).toBeUndefined();
  });

  it('runs iterations concurrently up to `concurrency`', async () => {
    let running = 0;
    let peak = 0;
    const slow = pipeline('s').params<{ chunk: number }>().step(task(async ({ chunk }: { chunk: number }) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return { v: chunk };
    }, { name: 'slow', returns: ['v'] })).build();
    const items = Array.from({ length: 12 }, (_, i) => i);
    await pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: slow, concurrency: 4 }).build().execute(inMemory({ params: { items } }));
    expect(peak).toBe(4);
    peak = 0;
    await pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: slow, concurrency: 1 }).build().execute(inMemory({ params: { items } }));
    expect(peak).toBe(1);
  });

  it.each([
    ['file-system', (dir: string) => new FileSystemRunLogStore({ log_folder: dir })],
    ['chunked-fs', (dir: string) => new ChunkedFsRunLogStore({ log_folder: dir })],
  ])('keeps the run log correct under concurrent iterations with the %s store', async (_name, make) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-map-'));
    const store = make(dir);
    const items = Array.from({ length: 40 }, (_, i) => i);
    const r = await pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: timesBranch, concurrency: 8 }).build().execute(inMemory({ runLogStore: store, params: { items } }));
    const reread = await make(dir).get(r.runId);
    assertValidRunLog(reread);
    expect(Object.keys(reread.steps.m!.branches)).toHaveLength(40);
    expect(Object.values(reread.steps.m!.branches).every((b) => b.status === 'SUCCESS' && Object.keys(b.steps).length === 2)).toBe(true);
    expect(reread.parameters.processed!.value).toEqual(items.map((i) => i * 10));
  });
});

describe('parallel', () => {
  const a = pipeline('a').params<{ base: number }>().step(task(({ base }: { base: number }) => ({ result1: `a${base}`, shared: 'value_a' }), { name: 'ra', returns: ['result1', 'shared'] })).build();
  const b = pipeline('b').step(task(() => ({ result2: 'b', shared: 'value_b' }), { name: 'rb', returns: ['result2', 'shared'] })).build();

  it('runs every branch with the parent scope and merges returns in declaration order (last wins)', async () => {
    const r = await pipeline('p').step(gen).parallel('par', { a, b }).build().execute(inMemory());
    const log = r.runLog;
    assertValidRunLog(log);
    expect(log.parameters.result1!.value).toBe('a10');
    expect(log.parameters.result2!.value).toBe('b');
    expect(log.parameters.shared!.value).toBe('value_b');
    expect(Object.keys(log.steps.par!.branches)).toEqual(['par.a', 'par.b']);
    expect(log.steps.par!.step_type).toBe('parallel');
  });

  it('a failing branch fails the composite, which follows its own onFailure', async () => {
    const bad = pipeline('bad').step(task(() => {
      throw new Error('nope');
    }, { name: 'boom' })).build();
    const recover = pipeline('recover').step(task(() => ({ recovered: true }), { name: 'recovered', returns: ['recovered'] })).build();
    const r = await pipeline('p').step(gen).parallel('par', { a, bad }, { onFailure: recover }).step(stub('never')).build().execute(inMemory());
    expect(r.status).toBe('SUCCESS');
    expect(Object.keys(r.runLog.steps)).toEqual(['gen', 'par', 'recovered', 'success']);
    expect(r.runLog.steps.par!.status).toBe('FAIL');
    expect(r.runLog.steps.par!.message).toBe("branch 'par.bad' failed");
    expect(r.runLog.steps.par!.branches['par.a']!.status).toBe('SUCCESS');
    expect(r.runLog.parameters.recovered!.value).toBe(true);
  });

  it("a branch's own .params defaults fill names its parent lacks", async () => {
    const withDefault = pipeline('d').params<{ x?: number; base: number }>({ x: 7 }).step(task(({ x = -1, base }: { x?: number; base: number }) => ({ seen: `${x}/${base}` }), { name: 'see', returns: ['seen'] })).build();
    const r = await pipeline('p').step(gen).parallel('par', { withDefault }).build().execute(inMemory());
    expect(r.runLog.parameters.seen!.value).toBe('7/10');
  });

  it('nests in any combination: map in parallel, parallel in map, loop in map', async () => {
    const inner = pipeline('inner').params<{ chunks: number[]; base: number }>().map('m', { over: 'chunks', as: 'chunk', branch: timesBranch }).build();
    const parInMap = pipeline('pim').params<{ chunk: number; base: number }>().parallel('p', { a: timesBranch }).build();
    const counter = pipeline('c').params<{ i: number; chunk: number }>().step(task(({ i, chunk }: { i: number; chunk: number }) => ({ stop: i >= chunk, seen: i }), { name: 'c', returns: ['stop', 'seen'] })).build();
    const loopInMap = pipeline('lim').params<{ chunk: number }>().loop('lp', { branch: counter, breakOn: 'stop', maxIterations: 10, indexAs: 'i' }).build();
    const r = await pipeline('n')
      .step(gen)
      .parallel('outer', { x: inner })
      .map('mm', { over: 'chunks', as: 'chunk', branch: parInMap })
      .map('ml', { over: 'chunks', as: 'chunk', branch: loopInMap })
      .build()
      .execute(inMemory());
    const log = r.runLog;
    assertValidRunLog(log);
    expect(log.steps.outer!.branches['outer.x']!.steps['outer.x.m']!.branches['outer.x.m.2']!.steps['outer.x.m.2.times']!.status).toBe('SUCCESS');
    expect(log.steps.mm!.branches['mm.3']!.steps['mm.3.p']!.branches['mm.3.p.a']!.steps['mm.3.p.a.times']!.status).toBe('SUCCESS');
    expect(Object.keys(log.steps.ml!.branches['ml.2']!.steps['ml.2.lp']!.branches)).toEqual(['ml.2.lp.0', 'ml.2.lp.1', 'ml.2.lp.2']);
    expect(log.parameters.seen!.value).toEqual([1, 2, 3]);
  });
});

describe('conditional', () => {
  const toss = task(({ coin = 'heads' }: { coin?: string }) => ({ toss: coin as 'heads' | 'tails' }), { name: 'toss_task', returns: ['toss'] });
  const heads = pipeline('h').step(task(() => ({ branch_param: 'heads_value' }), { name: 'when_heads_task', returns: ['branch_param'] })).build();
  const tails = pipeline('t').step(task(() => ({ branch_param: 'tails_value' }), { name: 'when_tails_task', returns: ['branch_param'] })).build();
  const p = pipeline('c').params<{ coin?: string }>().step(toss).conditional('conditional', { on: 'toss', branches: { heads, tails } }).step(stub('continue_to')).build();

  it('runs only the matching branch and merges its returns', async () => {
    const r = await p.execute(inMemory());
    expect(Object.keys(r.runLog.steps)).toEqual(['toss_task', 'conditional', 'continue_to', 'success']);
    expect(Object.keys(r.runLog.steps.conditional!.branches)).toEqual(['conditional.heads']);
    expect(Object.keys(r.runLog.steps.conditional!.branches['conditional.heads']!.steps)).toEqual(['conditional.heads.when_heads_task', 'conditional.heads.success']);
    expect(r.runLog.parameters.branch_param!.value).toBe('heads_value');
    const t = await p.execute(inMemory({ params: { coin: 'tails' } }));
    expect(t.runLog.parameters.branch_param!.value).toBe('tails_value');
  });

  it('a value that matches no branch fails the step with a message listing the branch names', async () => {
    const log = failed(await p.execute(inMemory({ params: { coin: 'edge' } })).catch((e) => e));
    expect(log.status).toBe('FAIL');
    expect(log.steps.conditional!.message).toBe(`conditional 'conditional': 'toss' is "edge", which matches none of the branches 'heads', 'tails'`);
  });
});

describe('loop', () => {
  const counter = pipeline('c').params<{ counter: number }>().step(task(({ counter }: { counter: number }) => ({ should_stop: counter >= 3, last: counter }), { name: 'count', returns: ['should_stop', 'last'] })).build();

  it('is a do-while: stops when breakOn is true; the last iteration\'s values are in scope after it', async () => {
    const r = await pipeline('l').loop('counter_loop', { branch: counter, breakOn: 'should_stop', maxIterations: 5, indexAs: 'counter' }).build().execute(inMemory());
    expect(Object.keys(r.runLog.steps.counter_loop!.branches)).toEqual(['counter_loop.0', 'counter_loop.1', 'counter_loop.2', 'counter_loop.3']);
    expect(r.runLog.parameters.last!.value).toBe(3);
    expect(r.runLog.parameters.should_stop!.value).toBe(true);
  });

  it('reaching maxIterations is not a failure', async () => {
    const r = await pipeline('l').loop('counter_loop', { branch: counter, breakOn: 'should_stop', maxIterations: 2, indexAs: 'counter' }).build().execute(inMemory());
    expect(r.status).toBe('SUCCESS');
    expect(Object.keys(r.runLog.steps.counter_loop!.branches)).toEqual(['counter_loop.0', 'counter_loop.1']);
    expect(r.runLog.parameters.last!.value).toBe(1);
  });

  it('each iteration sees the previous iteration\'s values', async () => {
    const acc = pipeline('a').params<{ total?: number }>().step(task(({ total = 0 }: { total?: number }) => ({ total: total + 5, done: total + 5 >= 15 }), { name: 'add', returns: ['total', 'done'] })).build();
    const r = await pipeline('l').loop('lp', { branch: acc, breakOn: 'done', maxIterations: 10 }).build().execute(inMemory());
    expect(r.runLog.parameters.total!.value).toBe(15);
    expect(Object.keys(r.runLog.steps.lp!.branches)).toHaveLength(3);
  });
});

describe('onFailure, terminate, shell, stub', () => {
  const boom = task(() => {
    throw new Error('boom');
  }, { name: 'step_1' });

  it('onFailure ending in success makes the run succeed while the failed step stays FAIL', async () => {
    const r = await pipeline('s').step(boom, { onFailure: pipeline('r').step(stub('step_4')).build() }).step(stub('step_2')).build().execute(inMemory());
    expect(r.status).toBe('SUCCESS');
    expect(Object.entries(r.runLog.steps).map(([k, s]) => [k, s.status])).toEqual([
      ['step_1', 'FAIL'],
      ['step_4', 'SUCCESS'],
      ['success', 'SUCCESS'],
    ]);
  });

  it("onFailure ending with terminate: 'failure' fails the run", async () => {
    const err = await pipeline('s').step(boom, { onFailure: pipeline('r').step(stub('step_4'), { terminate: 'failure' }).build() }).build().execute(inMemory()).catch((e) => e);
    expect(Object.keys(failed(err).steps)).toEqual(['step_1', 'step_4', 'fail']);
  });

  it("terminate ends the pipeline early; nothing may follow a terminating step", async () => {
    const r = await pipeline('t').step(stub('a'), { terminate: 'success' }).build().execute(inMemory());
    expect(Object.keys(r.runLog.steps)).toEqual(['a', 'success']);
    // a compile error too (TerminatedBuilder); the run-time check covers JavaScript callers
    // @ts-expect-error nothing may follow a step with terminate
    expect(() => pipeline('t').step(stub('a'), { terminate: 'success' }).step(stub('b'))).toThrow(/ends the pipeline.*could never run/);
  });

  it('on-failure steps share the scope (and step names) of their pipeline', async () => {
    const p = pipeline('s').step(boom, { onFailure: pipeline('r').step(stub('step_1')).build() }).build();
    await expect(p.execute(inMemory())).rejects.toThrow(/step name 'step_1' is used twice in the same scope/);
  });

  it('shell: parameters as environment variables, the parent environment inherited, returns from exported variables', async () => {
    process.env.RT_PARENT_VAR = 'from-parent';
    const sh = shell('echo "parent=$RT_PARENT_VAR"; export greeting="hello $base"; export obj=\'{"x":[1,2]}\'; export multi="a\nb"', {
      name: 'sh',
      returns: ['greeting', 'obj', 'multi'],
    });
    const r = await pipeline('s').step(gen).step(sh).build().execute(inMemory());
    delete process.env.RT_PARENT_VAR;
    expect(r.runLog.parameters.greeting!.value).toBe('hello 10');
    expect(r.runLog.parameters.obj!.value).toEqual({ x: [1, 2] });
    expect(r.runLog.parameters.multi!.value).toBe('a\nb');
    const opts = inMemory();
    const r2 = await pipeline('s').step(gen).step(sh).build().execute(opts);
    const out = await opts.catalog.getObject(r2.runId, 'sh/attempt-1.execution.log');
    expect(out.toString()).toContain('parent=');
    // chunks is an array: JSON-encoded in the environment
    const arr = shell('export seen="$chunks"', { name: 'arr', returns: ['seen'] });
    const r3 = await pipeline('s').step(gen).step(arr).build().execute(inMemory());
    expect(r3.runLog.parameters.seen!.value).toEqual([1, 2, 3]);
  });

  it('shell: a non-zero exit or a missing declared export fails the step clearly', async () => {
    const bad = shell('echo before; false; echo after', { name: 'bad' });
    const log = failed(await pipeline('s').step(bad).build().execute(inMemory()).catch((e) => e));
    expect(log.steps.bad!.attempts[0]!.message).toBe('Error: the shell command exited with code 1');
    const missing = shell('export a=1', { name: 'missing', returns: ['a', 'b'] });
    const log2 = failed(await pipeline('s').step(missing).build().execute(inMemory()).catch((e) => e));
    expect(log2.steps.missing!.attempts[0]!.message).toMatch(/did not export 'b' \(declared in returns\)/);
  });

  it('stub steps are recorded as stub', async () => {
    const r = await pipeline('s').step(stub('placeholder')).build().execute(inMemory());
    expect(r.runLog.steps.placeholder!.step_type).toBe('stub');
  });
});

describe('retry of composites', () => {
  it('re-runs only the failed iterations of a map', async () => {
    const calls: number[] = [];
    let broken = true;
    const flaky = pipeline('f').params<{ chunk: number }>().step(task(({ chunk }: { chunk: number }) => {
      calls.push(chunk);
      if (broken && chunk === 2) throw new Error('bad chunk');
      return { processed: chunk * 100 };
    }, { name: 'proc', returns: ['processed'] })).build();
    const p = pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: flaky }).build();
    const opts = inMemory({ runId: 'map-retry' });
    await p.execute(opts).catch(() => undefined);
    expect(calls.sort()).toEqual([1, 2, 3]);
    broken = false;
    calls.length = 0;
    const r = await p.execute({ ...opts, runId: undefined, retryRunId: 'map-retry' });
    expect(calls).toEqual([2]);
    expect(r.runLog.parameters.processed!.value).toEqual([100, 200, 300]);
    expect(r.runLog.steps.m!.branches['m.2']!.steps['m.2.proc']!.attempts.map((a) => a.status)).toEqual(['FAIL', 'SUCCESS']);
    expect(r.runLog.steps.m!.status).toBe('SUCCESS');
  });

  it("a retried map gives what a fresh run gives: the branch pipeline's defaults are not merged into the parent as if a step wrote them", async () => {
    let broken = true;
    const scaled = pipeline('f')
      .params<{ chunk: number; factor?: number }, 'factor'>({ factor: 10 })
      .step(task(({ chunk, factor }: { chunk: number; factor: number }) => {
        if (broken && chunk === 2) throw new Error('bad chunk');
        return { processed: chunk * factor };
      }, { name: 'proc', returns: ['processed'] }))
      .build();
    const p = pipeline('m').step(gen).map('m', { over: 'chunks', as: 'chunk', branch: scaled }).build();
    const opts = inMemory({ runId: 'defaults-retry' });
    await p.execute(opts).catch(() => undefined);
    broken = false;
    const retried = await p.execute({ ...opts, runId: undefined, retryRunId: 'defaults-retry' });
    const fresh = await p.execute(inMemory({ runId: 'defaults-fresh' }));
    const values = (log: typeof fresh.runLog) => Object.fromEntries(Object.entries(log.parameters).map(([k, v]) => [k, v.value]));
    expect(values(retried.runLog)).toEqual(values(fresh.runLog));
    expect(values(fresh.runLog)).toMatchObject({ chunks: [1, 2, 3], processed: [10, 20, 30] });
    expect('factor' in retried.runLog.parameters).toBe(false);
  });
});
