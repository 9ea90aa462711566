/**
 * Issue 10: the engine delivers what the compile-time proof promises (the same cases as
 * test/type-fixtures/{ok,bad}/composite-merges.ts and params-rules.ts, run for real).
 */
import 'reflect-metadata';
import { ExecutionFailedError, PipelineDefinitionError, pipeline, stub, task } from '../../src/index';
import { inMemory } from '../helpers/memory-run';
import { assertValidRunLog } from '../helpers/run-log-schema';

const failed = (e: unknown) => (e as ExecutionFailedError).runLog!;

const gen = task(() => ({ x: 1, toss: 'tails' as 'heads' | 'tails', items: [1, 2, 3] }), { name: 'gen', returns: ['x', 'toss', 'items'] });
const heads = pipeline('heads').step(task(() => ({ x: 'str' }), { name: 'h1', returns: ['x'] })).build();
const tails = pipeline('tails').step(stub('t1')).build();

describe('conditional: a name only some branches write is old | new', () => {
  it('keeps the old value when the branch that ran did not write it', async () => {
    const seen: unknown[] = [];
    const p = pipeline('c')
      .step(gen)
      .conditional('c', { on: 'toss', branches: { heads, tails } })
      .step(task(({ x }: { x: number | string }) => (seen.push(x), {}), { name: 'read_x' }))
      .build();
    const r = await p.execute(inMemory());
    expect(seen).toEqual([1]);
    expect(r.runLog.parameters.x!.value).toBe(1);
  });
});

describe('map: one value per item, in item order', () => {
  it('a name the branch writes is an array afterwards even when it is also a branch parameter of the same type', async () => {
    const addItem = pipeline('add_item')
      .params<{ total: number; item: number }>()
      .step(task(({ total, item }: { total: number; item: number }) => ({ total: total + item }), { name: 'add', returns: ['total'] }))
      .build();
    const r = await pipeline('m')
      .step(gen)
      .step(task(() => ({ total: 100 }), { name: 'zero', returns: ['total'] }))
      .map('m', { over: 'items', as: 'item', branch: addItem })
      .build()
      .execute(inMemory());
    expect(r.runLog.parameters.total!.value).toEqual([101, 102, 103]);
  });

  it('a conditional inside the branch that rewrites a name in one branch only: the other iterations deliver the old value', async () => {
    const relabel = pipeline('relabel')
      .params<{ item: number; x: number }>()
      .step(task(({ item }: { item: number }) => ({ side: (item === 2 ? 'heads' : 'tails') as 'heads' | 'tails' }), { name: 'pick', returns: ['side'] }))
      .conditional('which', { on: 'side', branches: { heads, tails } })
      .build();
    const r = await pipeline('m').step(gen).map('m', { over: 'items', as: 'item', branch: relabel }).build().execute(inMemory());
    // (number | string)[], one per item: the old x where 'tails' ran, the new one where 'heads' ran
    expect(r.runLog.parameters.x!.value).toEqual([1, 'str', 1]);
    expect(r.runLog.parameters.side!.value).toEqual(['tails', 'heads', 'tails']);
  });

  it("names only a recovery pipeline returns are not merged: the parent's value of that name is untouched", async () => {
    const recovery = pipeline('recovery').step(task(() => ({ x: 'recovered' }), { name: 'fallback', returns: ['x'] })).build();
    const double = task(({ item }: { item: number }) => ({ doubled: item * 2 }), { name: 'double', returns: ['doubled'] });
    const branch = pipeline('b').params<{ item: number }>().step(double, { onFailure: recovery }).build();
    const r = await pipeline('m').step(gen).map('m', { over: 'items', as: 'item', branch }).build().execute(inMemory());
    expect(r.runLog.parameters.doubled!.value).toEqual([2, 4, 6]);
    // before: x (declared by the recovery only) was merged as an empty array over the parent's number
    expect(r.runLog.parameters.x!.value).toBe(1);
  });

  it('a recovered failure fails the branch, so the map fails', async () => {
    const flaky = task(
      ({ item }: { item: number }): { doubled: number } => {
        if (item === 2) throw new Error('item 2 is bad');
        return { doubled: item * 2 };
      },
      { name: 'flaky', returns: ['doubled'] },
    );
    const recovery = pipeline('recovery').step(task(() => ({ x: 'recovered' }), { name: 'fallback', returns: ['x'] })).build();
    const branch = pipeline('b').params<{ item: number }>().step(flaky, { onFailure: recovery }).build();
    const err = await pipeline('m').step(gen).map('m', { over: 'items', as: 'item', branch }).build().execute(inMemory()).catch((e) => e);
    expect(err).toBeInstanceOf(ExecutionFailedError);
    const log = failed(err);
    assertValidRunLog(log);
    expect(log.steps.m!.status).toBe('FAIL');
    expect(log.steps.m!.message).toBe("1 of 3 iterations failed: 'm.2'");
    const b2 = log.steps.m!.branches['m.2']!;
    // the recovery ran (to clean up, notify, ...), then the branch failed
    expect(b2.status).toBe('FAIL');
    expect(Object.keys(b2.steps)).toEqual(['m.2.flaky', 'm.2.fallback', 'm.2.success']);
    expect(log.parameters.x!.value).toBe(1);
  });
});

describe('onFailure inside a branch', () => {
  it('runs the recovery, then fails the branch: the composite follows its own onFailure', async () => {
    const boom = task(
      (): { result: number } => {
        throw new Error('down');
      },
      { name: 'boom', returns: ['result'] },
    );
    const cleanup = pipeline('cleanup').step(stub('notify')).build();
    const branch = pipeline('branch').step(boom, { onFailure: cleanup }).step(task(({ result }: { result: number }) => ({ after: result }), { name: 'after', returns: ['after'] })).build();
    const outer = pipeline('outer').step(task(() => ({ after: -1 }), { name: 'fallback', returns: ['after'] })).build();
    const r = await pipeline('p').parallel('par', { branch }, { onFailure: outer }).build().execute(inMemory());
    expect(r.status).toBe('SUCCESS');
    expect(r.runLog.steps.par!.status).toBe('FAIL');
    expect(r.runLog.steps.par!.branches['par.branch']!.status).toBe('FAIL');
    expect(Object.keys(r.runLog.steps.par!.branches['par.branch']!.steps)).toEqual(['par.branch.boom', 'par.branch.notify', 'par.branch.success']);
    expect(r.runLog.parameters.after!.value).toBe(-1);
  });

  it('at the top level the recovery still ends the run with success (unchanged)', async () => {
    const boom = task((): { result: number } => {
      throw new Error('down');
    }, { name: 'boom', returns: ['result'] });
    const r = await pipeline('p').step(boom, { onFailure: pipeline('r').step(stub('notify')).build() }).build().execute(inMemory());
    expect(r.status).toBe('SUCCESS');
  });
});

describe('loop: iteration 2 receives what iteration 1 returned', () => {
  it('carries the outputs from one iteration to the next', async () => {
    const inc = pipeline('inc')
      .params<{ x: number }>()
      .step(task(({ x }: { x: number }) => ({ x: x + 1, done: x + 1 >= 4 }), { name: 'inc', returns: ['x', 'done'] }))
      .build();
    const r = await pipeline('l').step(gen).loop('lp', { branch: inc, breakOn: 'done', maxIterations: 10 }).build().execute(inMemory());
    expect(r.runLog.parameters.x!.value).toBe(4);
    expect(Object.keys(r.runLog.steps.lp!.branches)).toEqual(['lp.0', 'lp.1', 'lp.2']);
  });
});

describe('params(): once, directly after pipeline(), before any step (checked at run time too, for JavaScript)', () => {
  it('refuses params() after a step', () => {
    const afterStep = () => (pipeline('a').step(gen) as any).params();
    expect(afterStep).toThrow(PipelineDefinitionError);
    expect(afterStep).toThrow("pipeline 'a': params() must come directly after pipeline(...), once, before any step (it follows step 'gen')");
  });

  it('refuses a second params()', () => {
    expect(() => (pipeline('b').params<{ n: number }>() as any).params()).toThrow(/params\(\) must come directly after pipeline\(\.\.\.\), once, before any step \(it is called a second time\)/);
  });

  it('a listed default is present for later steps', async () => {
    const seen: number[] = [];
    const p = pipeline('d')
      .params<{ n?: number }, 'n'>({ n: 3 })
      .step(task(({ n }: { n: number }) => (seen.push(n), {}), { name: 'read_n' }))
      .build();
    await p.execute(inMemory());
    expect(seen).toEqual([3]);
  });

  it("a branch's listed default fills a parameter its parent lacks", async () => {
    const branch = pipeline('branch')
      .params<{ model: string }, 'model'>({ model: 'linear' })
      .step(task(({ model }: { model: string }) => ({ fitted: `${model}!` }), { name: 'fit', returns: ['fitted'] }))
      .build();
    const r = await pipeline('p').step(gen).parallel('par', { main: branch }).build().execute(inMemory());
    expect(r.runLog.parameters.fitted!.value).toBe('linear!');
  });
});
