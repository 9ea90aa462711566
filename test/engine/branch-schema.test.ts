/**
 * A pipeline with a params schema used as a branch: the engine does not convert a branch's values (they are its
 * parent's, which the compiler checked against the schema's input type), so a value the schema refuses, converts or
 * defaults fails the composite before any of its branches runs, naming the branch, the value and the fix. Values that
 * pass the schema unchanged run as before. In process and the way Argo pods run it (fan-out from the run log).
 */
import { z } from 'zod';
import * as path from 'node:path';
import { ChunkedFsRunLogStore, ExecutionFailedError, MemoryCatalog, SilentReporter, pipeline, task, type Pipeline } from '../../src/index';
import { inMemory } from '../helpers/memory-run';
import { tmpDir } from '../helpers/cli';
import { PodDriver } from '../helpers/step-driver';

const ran: string[] = [];
const scale = task(({ n, factor }: { n: number; factor: number }) => {
  ran.push(`scale ${n}`);
  return { scaled: n * factor };
}, { name: 'scale', returns: ['scaled'] });
const branch = pipeline('scaler').params(z.object({ n: z.number().int().positive(), factor: z.number().max(10) })).step(scale).build();
const coercing = pipeline('coercer').params(z.object({ n: z.coerce.number(), factor: z.number() })).step(scale).build();
const defaulting = pipeline('defaulter').params(z.object({ n: z.number(), factor: z.number().default(2) })).step(scale).build();

const numbers = (values: number[]) => task(() => ({ items: values, factor: 3 }), { name: 'items', returns: ['items', 'factor'] });
const strings = (values: string[]) => task(() => ({ items: values, factor: 3 }), { name: 'items', returns: ['items', 'factor'] });
const bare = (values: number[]) => task(() => ({ items: values }), { name: 'items', returns: ['items'] });

async function failure(p: { execute: typeof branch.execute }, compositeName: string): Promise<string> {
  const opts = inMemory();
  const err = await p.execute(opts).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ExecutionFailedError);
  const log = await opts.runLogStore.get((err as ExecutionFailedError).runId);
  expect(log.steps[compositeName]!.status).toBe('FAIL');
  expect(Object.keys(log.steps[compositeName]!.branches)).toEqual([]); // no branch started
  return log.steps[compositeName]!.message;
}

describe("a branch pipeline's params schema", () => {
  beforeEach(() => (ran.length = 0));

  it('values that pass it unchanged run as before', async () => {
    const r = await pipeline('ok').step(numbers([1, 2, 3])).map('each', { over: 'items', as: 'n', branch }).build().execute(inMemory());
    expect(r.values.scaled).toEqual([3, 6, 9]);
  });

  it('a value it refuses fails the map before any item runs, naming the items, the values and the fix', async () => {
    const p = pipeline('bad').step(numbers([1, -2, 0])).map('each', { over: 'items', as: 'n', branch }).build();
    const message = await failure(p as never, 'each');
    expect(ran).toEqual([]);
    expect(message).toMatch(/^map 'each': the params schema of branch pipeline 'scaler' refuses the values of 2 branches 'each.-2': n: .*>0 \(got -2\); 'each.0': n: .*>0 \(got 0\)\. Nothing of it ran\. A branch gets its parent's values as they are: fix them upstream, or declare the branch's parameters with plain types/);
  });

  it('a value it would convert, or a default it would fill in, is refused too: a branch gets its values as they are', async () => {
    const converting = pipeline('conv').step(strings(['1', '2'])).map('each', { over: 'items', as: 'n', branch: coercing }).build();
    expect(await failure(converting as never, 'each')).toMatch(/'each.1': n: the schema turns "1" into 1, and a branch does not convert its values: give it 1/);
    const defaulted = pipeline('dflt').step(bare([1])).map('each', { over: 'items', as: 'n', branch: defaulting }).build();
    expect(await failure(defaulted as never, 'each')).toMatch(/'each.1': factor: not given, and a branch does not fill in the schema's default \(2\): give it a value/);
  });

  it('parallel, conditional and loop branches are checked where they start', async () => {
    const n = (v: number) => task(() => ({ n: v, factor: 20 }), { name: 'n', returns: ['n', 'factor'] });
    expect(await failure(pipeline('par').step(n(1)).parallel('both', { a: branch }).build() as never, 'both')).toMatch(/^parallel 'both': .*'both.a': factor: .*<=10 \(got 20\)/);
    const pick = task(() => ({ which: 'a' as const }), { name: 'pick', returns: ['which'] });
    expect(await failure(pipeline('cond').step(n(1)).step(pick).conditional('choose', { on: 'which', branches: { a: branch } }).build() as never, 'choose')).toMatch(/^conditional 'choose': .*'choose.a': factor/);
    const body = pipeline('body').params(z.object({ i: z.number().max(0) })).step(task(({ i }: { i: number }) => ({ stop: i >= 3 }), { name: 'stop', returns: ['stop'] })).build();
    const opts = inMemory();
    const err = await pipeline('lp').loop('again', { branch: body, breakOn: 'stop', maxIterations: 5, indexAs: 'i' }).build().execute(opts).catch((e: unknown) => e);
    const log = await opts.runLogStore.get((err as ExecutionFailedError).runId);
    expect(Object.keys(log.steps.again!.branches)).toEqual(['again.0']); // iteration 0 ran; iteration 1 was refused
    expect(log.steps.again!.message).toMatch(/^loop 'again' iteration 1: .*'again.1': i: .*<=0 \(got 1\)/);
  });
});

describe("a branch pipeline's params schema, as Argo pods run the pipeline", () => {
  /** The run as pods make it (fan-out, attempts, fan-in on a chunked-fs run log) and the same run in process. */
  async function both(p: Pipeline<any, any>, composite: string): Promise<{ pods: string; local: string }> {
    const folder = path.join(tmpDir('rt-branch-schema-'), '.run_log_store');
    const options = { runLogStore: new ChunkedFsRunLogStore({ log_folder: folder }), catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {} };
    expect(await new PodDriver(p, 'pods', options, false).run()).toBe(false);
    const podLog = await new ChunkedFsRunLogStore({ log_folder: folder }).get('pods');
    expect(Object.keys(podLog.steps[composite]!.branches)).toEqual([]);
    return { pods: podLog.steps[composite]!.message, local: await failure(p as never, composite) };
  }

  it('refuses the same values with the same message as in process: map, parallel, conditional, loop', async () => {
    const n = (v: number) => task(() => ({ n: v, factor: 20 }), { name: 'n', returns: ['n', 'factor'] });
    const pick = task(() => ({ which: 'a' as const }), { name: 'pick', returns: ['which'] });
    const cases: [Pipeline<any, any>, string][] = [
      [pipeline('bad').step(numbers([1, -2, 0])).map('each', { over: 'items', as: 'n', branch }).build(), 'each'],
      [pipeline('conv').step(strings(['1', '2'])).map('each', { over: 'items', as: 'n', branch: coercing }).build(), 'each'],
      [pipeline('par').step(n(1)).parallel('both', { a: branch }).build(), 'both'],
      [pipeline('cond').step(n(1)).step(pick).conditional('choose', { on: 'which', branches: { a: branch } }).build(), 'choose'],
    ];
    for (const [p, composite] of cases) {
      const { pods, local } = await both(p, composite);
      expect(pods).toBe(local);
      expect(pods).toMatch(/the params schema of branch pipeline '\w+' refuses the values of/);
    }
    const body = pipeline('body').params(z.object({ i: z.number().max(0) })).step(task(({ i }: { i: number }) => ({ stop: i >= 3 }), { name: 'stop', returns: ['stop'] })).build();
    const folder = path.join(tmpDir('rt-branch-schema-'), '.run_log_store');
    const options = { runLogStore: new ChunkedFsRunLogStore({ log_folder: folder }), catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {} };
    expect(await new PodDriver(pipeline('lp').loop('again', { branch: body, breakOn: 'stop', maxIterations: 5, indexAs: 'i' }).build(), 'pods', options, false).run()).toBe(false);
    const log = await new ChunkedFsRunLogStore({ log_folder: folder }).get('pods');
    expect(Object.keys(log.steps.again!.branches)).toEqual(['again.0']);
    expect(log.steps.again!.message).toMatch(/^loop 'again' iteration 1: .*'again.1': i: .*<=0 \(got 1\)/);
  });

  it('values that pass it unchanged run as before', async () => {
    const folder = path.join(tmpDir('rt-branch-schema-'), '.run_log_store');
    const options = { runLogStore: new ChunkedFsRunLogStore({ log_folder: folder }), catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {} };
    expect(await new PodDriver(pipeline('ok').step(numbers([1, 2, 3])).map('each', { over: 'items', as: 'n', branch }).build(), 'pods', options, false).run()).toBe(true);
    expect((await new ChunkedFsRunLogStore({ log_folder: folder }).get('pods')).parameters.scaled!.value).toEqual([3, 6, 9]);
  });
});
