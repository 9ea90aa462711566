import 'reflect-metadata';
import {
  ExecutionFailedError,
  MemoryCatalog,
  NotSerializableError,
  ParameterError,
  PipelineDefinitionError,
  RunLogExistsError,
  Serializable,
  StepContext,
  Task,
  TaskDefinitionError,
  metric,
  pickled,
  pipeline,
  registerSerializer,
  task,
  loadArtifact,
} from '../../src/index';
import { sha256 } from '../../src/stores/catalog/catalog';
import { generateRunId } from '../../src/engine/run-id';
import { inMemory } from '../helpers/memory-run';
import { assertValidRunLog } from '../helpers/run-log-schema';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { injectable } from 'tsyringe';

@Serializable('test.Model')
class Model {
  constructor(readonly weights: number[], readonly bias: number) {}
  predict(x: number[]): number {
    return x.reduce((s, v, i) => s + v * this.weights[i]!, this.bias);
  }
}

@Task({ name: 'load', returns: [pickled('df'), 'n_rows'] })
class Load {
  run() {
    return { df: { x: [1, 2, 3], when: new Date(0) }, n_rows: 3 };
  }
}

@Task({ name: 'fit', returns: [pickled('model'), metric('loss')] })
class Fit {
  async run({ df, scale = 1 }: { df: { x: number[]; when: Date }; scale?: number }) {
    expect(df.when).toBeInstanceOf(Date);
    return { model: new Model(df.x.map((v) => v * scale), 0.5), loss: 0.25 };
  }
}

const score = task(({ model, n_rows }: { model: Model; n_rows: number }) => ({ score: model.predict([1, 1, 1]) + n_rows }), {
  name: 'score',
  returns: ['score'],
});

const basic = pipeline('basic').params<{ scale?: number }>().step(Load).step(Fit).step(score).build();

describe('engine: local execution', () => {
  it('runs steps in order, binds inputs by name and routes returns by kind', async () => {
    const opts = inMemory();
    const result = await basic.execute(opts);
    expect(result.status).toBe('SUCCESS');
    const log = result.runLog;
    assertValidRunLog(log);
    expect(Object.keys(log.steps)).toEqual(['load', 'fit', 'score', 'success']);
    expect(Object.values(log.steps).every((s) => s.status === 'SUCCESS')).toBe(true);
    // json stays inline, metric also in user_defined_metrics, pickled in the catalog with its hash
    expect(log.parameters.n_rows).toMatchObject({ kind: 'json', value: 3 });
    expect(log.parameters.score).toMatchObject({ kind: 'json', value: 9.5 });
    expect(log.steps.fit!.attempts[0]!.user_defined_metrics).toEqual({ loss: { kind: 'metric', value: 0.25, description: '0.25' } });
    const model = log.parameters.model!;
    expect(model).toMatchObject({ kind: 'object', value: 'model', catalog_relative_path: `${result.runId}/fit/model.superjson` });
    const bytes = await opts.catalog.getObject(result.runId, 'fit/model.superjson');
    expect(model.data_hash).toBe(sha256(bytes));
    expect(log.steps.fit!.data_catalog).toEqual([
      { name: 'fit/model.superjson', data_hash: model.data_hash, catalog_relative_path: `${result.runId}/fit/model.superjson`, catalog_handler_location: '', stage: 'put' },
    ]);
    // input_parameters: exactly what the step read
    expect(Object.keys(log.steps.score!.attempts[0]!.input_parameters).sort()).toEqual(['model', 'n_rows']);
    expect(log.steps.load!.attempts[0]!.input_parameters).toEqual({});
    // attempt records timing and resources
    const a = log.steps.fit!.attempts[0]!;
    expect(a.duration_seconds).toBeGreaterThanOrEqual(0);
    expect(a.peak_rss_bytes).toBeGreaterThan(0);
    expect(log.run_config.dag_hash).toBe(log.dag_hash);
  });

  it('loads a pickled input only when the step reads it', async () => {
    const opts = inMemory();
    const spy = jest.spyOn(opts.catalog, 'getObjectSync');
    const ignoresDf = task(({ n_rows }: { n_rows: number }) => ({ doubled: n_rows * 2 }), { name: 'ignores', returns: ['doubled'] });
    const r = await pipeline().step(Load).step(ignoresDf).build().execute(opts);
    expect(r.runLog.parameters.doubled!.value).toBe(6);
    expect(spy).not.toHaveBeenCalled();
  });

  it('uses pipeline defaults, the parameters file, then RUNNABLE_PRM_ variables (JSON-parsed, else raw)', async () => {
    const seen: unknown[] = [];
    const probe = task(
      (i: { a?: number; b?: string; c?: { z: number }; d?: string; e?: boolean }) => {
        seen.push({ ...i });
        return {};
      },
      { name: 'probe' },
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-params-'));
    const file = path.join(dir, 'params.yaml');
    fs.writeFileSync(file, 'a: 1\nb: from-file\nd: file\n');
    const p = pipeline('params').params<{ a?: number; b?: string; c?: { z: number }; d?: string; e?: boolean }>({ a: 0, e: false }).step(probe).build();
    const r = await p.execute(
      inMemory({ parametersFile: file, env: { RUNNABLE_PRM_b: 'not json', RUNNABLE_PRM_c: '{"z": 1}', RUNNABLE_PRM_e: 'true', OTHER: 'x' } }),
    );
    expect(seen[0]).toEqual({ a: 1, b: 'not json', c: { z: 1 }, d: 'file', e: true });
    expect(r.runLog.run_config.parameter_sources).toEqual({
      a: `file:${path.relative(process.cwd(), file)}`,
      b: 'env:RUNNABLE_PRM_b',
      c: 'env:RUNNABLE_PRM_c',
      d: `file:${path.relative(process.cwd(), file)}`,
      e: 'env:RUNNABLE_PRM_e',
    });
  });

  it('rejects a parameters file that is not a mapping, before anything runs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-params-'));
    const file = path.join(dir, 'list.yaml');
    fs.writeFileSync(file, '- 1\n- 2\n');
    const spy = jest.fn(() => ({}));
    const p = pipeline().step(task(spy, { name: 'never' })).build();
    await expect(p.execute(inMemory({ parametersFile: file }))).rejects.toThrow(ParameterError);
    await expect(p.execute(inMemory({ parametersFile: path.join(dir, 'missing.yaml') }))).rejects.toThrow(/does not exist/);
    expect(spy).not.toHaveBeenCalled();
  });

  it('a later return of the same name overwrites the earlier one', async () => {
    const first = task(() => ({ v: 1 }), { name: 'first', returns: ['v'] });
    const second = task(({ v }: { v: number }) => ({ v: `was ${v}` }), { name: 'second', returns: ['v'] });
    const third = task(({ v }: { v: string }) => ({ out: v.toUpperCase() }), { name: 'third', returns: ['out'] });
    const r = await pipeline().step(first).step(second).step(third).build().execute(inMemory());
    expect(r.runLog.parameters.out!.value).toBe('WAS 1');
  });

  it('injects services and the step context through tsyringe', async () => {
    @injectable()
    class Greeter {
      greet(n: string) {
        return `hello ${n}`;
      }
    }
    @Task({ name: 'greet', returns: ['msg', 'where'] })
    class Greet {
      constructor(
        private readonly greeter: Greeter,
        private readonly ctx: StepContext,
      ) {}
      run() {
        return { msg: this.greeter.greet(this.ctx.runId), where: `${this.ctx.internalName}#${this.ctx.attempt}` };
      }
    }
    const r = await pipeline().step(Greet).build().execute(inMemory({ runId: 'di-run' }));
    expect(r.runLog.parameters.msg!.value).toBe('hello di-run');
    expect(r.runLog.parameters.where!.value).toBe('greet#1');
  });

  it('round-trips a registered class with its prototype, and a third-party class via registerSerializer', async () => {
    class Opaque {
      #secret: number;
      constructor(s: number) {
        this.#secret = s;
      }
      get secret() {
        return this.#secret;
      }
    }
    registerSerializer(Opaque, { serialize: (o) => o.secret, deserialize: (s: number) => new Opaque(s) }, 'test.Opaque');
    const make = task(() => ({ m: new Model([2], 1), o: new Opaque(42), big: 10n, when: new Map([[1, new Set(['a'])]]) }), {
      name: 'make',
      returns: [pickled('m'), pickled('o'), pickled('big'), pickled('when')],
    });
    const use = task(
      ({ m, o, big, when }: { m: Model; o: Opaque; big: bigint; when: Map<number, Set<string>> }) => ({
        out: [m instanceof Model, m.predict([3]), o instanceof Opaque, o.secret, typeof big, when.get(1)!.has('a')],
      }),
      { name: 'use', returns: ['out'] },
    );
    const r = await pipeline().step(make).step(use).build().execute(inMemory());
    expect(r.runLog.parameters.out!.value).toEqual([true, 7, true, 42, 'bigint', true]);
  });

  it.each([
    ['a function', () => ({ v: { f: () => 1 } }), /pickled\('v'\) cannot be stored: it contains a function at v\.f/],
    ['an unregistered class', () => ({ v: [new (class Unregistered { a = 1 })()] }), /instance of class Unregistered at v\[0\], which is not registered.*@Serializable/],
    ['a symbol', () => ({ v: Symbol('s') }), /a symbol at v/],
  ])('fails the producing step when a pickled value contains %s', async (_what, fn, message) => {
    const bad = task(fn as () => { v: unknown }, { name: 'producer', returns: [pickled('v')] });
    const err = await pipeline().step(bad).build().execute(inMemory()).catch((e) => e);
    expect(err).toBeInstanceOf(ExecutionFailedError);
    const attempt = (err as ExecutionFailedError).runLog!.steps.producer!.attempts[0]!;
    expect(attempt.status).toBe('FAIL');
    expect(attempt.error_type).toBe(NotSerializableError.name);
    expect(attempt.message).toMatch(message);
    expect(attempt.message).toContain("Step 'producer'");
  });

  it.each([
    ['a missing declared return', () => ({}), /did not return 'a'/],
    ['an undeclared return', () => ({ a: 1, extra: 2 }), /returned 'extra', which is not declared/],
    ['a non-object', () => 5, /must return an object keyed by its declared returns \{ a \}/],
    ['a non-JSON plain return', () => ({ a: new Date() }), /return 'a' is not a JSON value \(an instance of Date at a\)\. Declare it as pickled\('a'\)/],
    ['NaN in a plain return', () => ({ a: [1, NaN] }), /NaN at a\[1\]/],
  ])('fails the step at run time on %s (JavaScript callers bypass the compiler)', async (_what, fn, message) => {
    const bad = task(fn as any, { name: 'bad', returns: ['a'] } as any);
    const err = (await pipeline().step(bad as any).build().execute(inMemory()).catch((e) => e)) as ExecutionFailedError;
    expect(err.runLog!.steps.bad!.attempts[0]!.message).toMatch(message);
  });

  it('a failing step fails the run, stops the pipeline and rejects with the run id and the step', async () => {
    const after = jest.fn(() => ({}));
    const boom = task(() => {
      throw new TypeError('model exploded');
    }, { name: 'train' });
    const p = pipeline().step(Load).step(boom).step(task(after, { name: 'after' })).build();
    const err = (await p.execute(inMemory({ runId: 'fails-1' })).catch((e) => e)) as ExecutionFailedError;
    expect(err).toBeInstanceOf(ExecutionFailedError);
    expect(err.runId).toBe('fails-1');
    expect(err.failedSteps).toEqual([{ name: 'train', message: 'TypeError: model exploded' }]);
    expect(err.message).toContain("step 'train': TypeError: model exploded");
    expect(after).not.toHaveBeenCalled();
    const log = err.runLog!;
    assertValidRunLog(log);
    expect(log.status).toBe('FAIL');
    expect(Object.keys(log.steps)).toEqual(['load', 'train', 'fail']);
    expect(log.steps.train!.status).toBe('FAIL');
    expect(log.steps.fail!.status).toBe('SUCCESS');
  });

  it('retries a step up to retry.maxAttempts, recording each attempt', async () => {
    let calls = 0;
    const flaky = task(
      () => {
        if (++calls < 3) throw new Error(`flake ${calls}`);
        return { ok: true };
      },
      { name: 'flaky', returns: ['ok'], retry: { maxAttempts: 3, backoffMs: 1 } },
    );
    const r = await pipeline().step(flaky).build().execute(inMemory());
    expect(r.runLog.steps.flaky!.attempts.map((a) => [a.attempt_number, a.status, a.message])).toEqual([
      [1, 'FAIL', 'Error: flake 1'],
      [2, 'FAIL', 'Error: flake 2'],
      [3, 'SUCCESS', ''],
    ]);
  });

  it('refuses a user-supplied run id that exists, before anything runs', async () => {
    const opts = inMemory({ runId: 'taken' });
    await basic.execute(opts);
    const spy = jest.fn(() => ({}));
    const p = pipeline().step(task(spy, { name: 'never' })).build();
    await expect(p.execute({ ...opts })).rejects.toBeInstanceOf(RunLogExistsError);
    expect(spy).not.toHaveBeenCalled();
  });

  it('refuses an invalid run id', async () => {
    await expect(basic.execute(inMemory({ runId: '../escape' }))).rejects.toThrow(/not valid/);
  });

  it('generates unique run ids, even many in the same second', async () => {
    const now = new Date();
    const ids = new Set(Array.from({ length: 2000 }, () => generateRunId(now)));
    expect(ids.size).toBe(2000);
    const opts = inMemory();
    const runs = await Promise.all(Array.from({ length: 20 }, () => basic.execute({ ...opts })));
    expect(new Set(runs.map((r) => r.runId)).size).toBe(20);
  });

  it('keeps the catalog and run log separate per run', async () => {
    const catalog = new MemoryCatalog();
    const a = await basic.execute(inMemory({ catalog }));
    const b = await basic.execute(inMemory({ catalog, params: { scale: 2 } }));
    expect((await catalog.getObject(a.runId, 'fit/model.superjson')).equals(await catalog.getObject(b.runId, 'fit/model.superjson'))).toBe(false);
  });
});

describe('definitions fail loudly', () => {
  it('rejects a class used as a step without @Task', () => {
    class Plain {
      run() {
        return {};
      }
    }
    expect(() => pipeline('p').step(Plain)).toThrow(/class Plain is not a task.*@Task/);
    expect(() => pipeline('p').step(Plain)).toThrow(PipelineDefinitionError);
  });

  it('rejects duplicate step names and reserved names', () => {
    expect(() => pipeline('p').step(Load).step(Load)).toThrow(/unique. Found duplicate: 'load'/);
    expect(() => pipeline('p').step(Load, { name: 'success' })).toThrow(/reserved/);
    expect(() => pipeline('p').build()).toThrow(/no steps/);
  });

  it('rejects bad task names and duplicate returns at definition time', () => {
    expect(() => task(() => ({}), { name: 'a.b' })).toThrow(TaskDefinitionError);
    expect(() => task((() => ({ a: 1 })) as any, { name: 'ok', returns: ['a', pickled('a')] } as any)).toThrow(/declared twice/);
  });

  it('fails at decoration time when constructor metadata is missing (as under tsx/esbuild)', () => {
    // A class compiled without emitDecoratorMetadata: constructor takes a parameter, no design:paramtypes.
    const NoMeta = function (this: any, _svc: unknown) {} as unknown as new (svc: unknown) => { run(): void };
    (NoMeta as any).prototype.run = () => undefined;
    expect(() => (Task({ name: 'nometa' }) as any)(NoMeta)).toThrow(/no type metadata.*tsx and esbuild/);
  });

  it('fails at decoration time for an interface-typed constructor parameter', () => {
    const IfaceParam = function (this: any, _svc: unknown) {} as any;
    IfaceParam.prototype.run = () => undefined;
    Reflect.defineMetadata('design:paramtypes', [Object], IfaceParam);
    expect(() => (Task({ name: 'iface' }) as any)(IfaceParam)).toThrow(/metadata is 'Object'.*@inject/);
  });
});

describe('loadArtifact', () => {
  it('returns the live value of a run\'s parameter (registered classes as instances) or catalog file', async () => {
    const opts = inMemory({ runId: 'load-1' });
    await basic.execute(opts);
    const model = await loadArtifact<Model>('load-1', 'model', { runLogStore: opts.runLogStore, catalog: opts.catalog });
    expect(model).toBeInstanceOf(Model);
    expect(model.predict([1, 1, 1])).toBe(6.5);
    expect(await loadArtifact('load-1', 'n_rows', { runLogStore: opts.runLogStore, catalog: opts.catalog })).toBe(3);
    await expect(loadArtifact('load-1', 'nope', { runLogStore: opts.runLogStore, catalog: opts.catalog })).rejects.toThrow(/no parameter or catalog file named 'nope'/);
  });
});
