import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExecutionFailedError, MemoryRunLogStore, Serializable, StepContext, Task, metric, pickled, pipeline, stub, task } from 'runnable-ts';
import { MockError, PatchedFailure, PipelineFailedError, runPipeline } from 'runnable-ts/testing';
import { assertValidRunLog } from '../helpers/run-log-schema';

@Serializable()
class Model {
  constructor(readonly weights: number[]) {}
  predict(x: number): number {
    return this.weights.reduce((a, w) => a + w * x, 0);
  }
}

const calls: string[] = [];

const load = task(
  ({ n = 3 }: { n?: number }) => {
    calls.push('load');
    return { rows: Array.from({ length: n }, (_, i) => i + 1) };
  },
  { name: 'load', returns: ['rows'] },
);

@Task({ name: 'train', returns: [pickled('model')] })
class Train {
  constructor(private readonly ctx: StepContext) {}
  run({ rows, lr = 0.5 }: { rows: number[]; lr?: number }) {
    calls.push(`train#${this.ctx.attempt}`);
    return { model: new Model(rows.map((r) => r * lr)) };
  }
}

const evaluate = task(
  ({ model, rows }: { model: Model; rows: number[] }) => {
    calls.push('evaluate');
    return { accuracy: model.predict(1) / rows.length };
  },
  { name: 'evaluate', returns: [metric('accuracy')] },
);

const training = pipeline('training').params<{ n?: number; lr?: number }>().step(load).step(Train, { name: 'train' }).step(evaluate).build();

beforeEach(() => {
  calls.length = 0;
});

describe('runPipeline', () => {
  it('runs the pipeline in memory and returns typed outputs (pickled values live), per-step results and the run log', async () => {
    const run = await runPipeline(training, { params: { n: 4, lr: 0.25 } });
    expect(run.status).toBe('SUCCESS');
    expect(calls).toEqual(['load', 'train#1', 'evaluate']);
    expect(run.outputs.rows).toEqual([1, 2, 3, 4]);
    expect(run.outputs.model).toBeInstanceOf(Model);
    expect(run.outputs.model.weights).toEqual([0.25, 0.5, 0.75, 1]);
    expect(run.outputs.accuracy).toBe(2.5 / 4);
    expect(Object.keys(run.steps)).toEqual(['load', 'train', 'evaluate']);
    const train = run.step('train');
    expect(train).toMatchObject({ name: 'train', internalName: 'train', status: 'SUCCESS', type: 'task', mock: false });
    expect(train.outputs.model).toBeInstanceOf(Model);
    expect(train.attempts).toHaveLength(1);
    expect(run.step('evaluate').outputs).toEqual({ accuracy: 0.625 });
    expect(run.runLog.run_id).toBe(run.runId);
    expect(run.runLog.run_config.run_log_store).toMatchObject({ service_name: 'memory' });
    expect(run.runLog.run_config.catalog).toMatchObject({ service_name: 'memory' });
    assertValidRunLog(run.runLog);
  });

  it('writes no file: run in an empty folder, the folder stays empty', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-testing-cwd-'));
    const before = process.cwd();
    process.chdir(dir);
    try {
      const noisy = task(() => {
        process.stdout.write('a step that prints (its output goes to the in-memory catalog)\n');
        return { done: true };
      }, { name: 'noisy', returns: ['done'] });
      const p = pipeline('files').step(load).step(Train, { name: 'train' }).step(noisy).build();
      const run = await runPipeline(p, { mock: { load: { outputs: { rows: [1] } } } });
      expect(run.status).toBe('SUCCESS');
      expect(run.step('noisy').attempts[0]!.execution_log).toBe(`${run.runId}/noisy/attempt-1.execution.log`);
      await expect(runPipeline(p, { mock: { noisy: { fail: 'boom' } } })).rejects.toBeInstanceOf(PipelineFailedError);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      process.chdir(before);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a function mock replaces the step by name: called with its inputs, its result stored as the step’s, marked mock', async () => {
    const seen: unknown[] = [];
    const run = await runPipeline(training, {
      params: { lr: 2 },
      mock: {
        train: ({ rows, lr }) => {
          seen.push({ rows, lr });
          return { model: new Model([10]) };
        },
      },
    });
    expect(calls).toEqual(['load', 'evaluate']); // Train.run never called
    expect(seen).toEqual([{ rows: [1, 2, 3], lr: 2 }]);
    expect(run.outputs.model).toBeInstanceOf(Model);
    expect(run.outputs.accuracy).toBe(10 / 3);
    expect(run.step('train').mock).toBe(true);
    expect(run.step('load').mock).toBe(false);
    expect(run.runLog.steps.train!.mock).toBe(true);
    expect(run.runLog.run_config.pipeline_executor).toEqual({
      service_name: 'mocked',
      service_type: 'pipeline_executor',
      unpatched: 'run',
      patches: { train: 'function' },
    });
    // the mock's values are recorded like the step's own: a pickled model in the catalog, inputs read
    expect(run.runLog.steps.train!.attempts[0]!.output_parameters.model).toMatchObject({ kind: 'object' });
    expect(Object.keys(run.runLog.steps.train!.attempts[0]!.input_parameters).sort()).toEqual(['lr', 'rows']);
  });

  it('async mocks and { outputs } patches; a mock whose result breaks the declared returns fails that step', async () => {
    const run = await runPipeline(training, {
      mock: { load: { outputs: { rows: [5, 5] } }, evaluate: async ({ rows }) => ({ accuracy: rows.length }) },
    });
    expect(run.outputs.rows).toEqual([5, 5]);
    expect(run.outputs.accuracy).toBe(2);
    const err = await runPipeline(training, { mock: { evaluate: (() => ({ accuracy: 'high' })) as never } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineFailedError);
    expect((err as PipelineFailedError).failedStep!.error).toMatch(/Step 'evaluate': metric\('accuracy'\) must be a finite number/);
  });

  it('a failing step rejects with PipelineFailedError naming the step, carrying the failed step and the run', async () => {
    const broken = task(({ rows }: { rows: number[] }) => {
      if (rows.length) throw new Error(`cannot use ${rows.length} rows`);
      return { total: 0 };
    }, { name: 'broken', returns: ['total'] });
    const p = pipeline('fails').step(load).step(broken).step(stub('after')).build();
    const err = await runPipeline(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineFailedError);
    expect(err).toBeInstanceOf(ExecutionFailedError);
    const e = err as PipelineFailedError;
    expect(e.message).toMatch(/step 'broken': Error: cannot use 3 rows/);
    expect(e.failedStep).toMatchObject({ name: 'broken', status: 'FAIL', error: 'Error: cannot use 3 rows' });
    expect(e.failedStep!.attempts).toHaveLength(1);
    expect(e.run.status).toBe('FAIL');
    expect(e.run.step('load').status).toBe('SUCCESS');
    expect(e.run.steps.after).toBeUndefined();
    expect(e.run.outputs.rows).toEqual([1, 2, 3]);
  });

  it('{ fail } patches fail the step with their message; a mock that fails once is retried like the step', async () => {
    const err = (await runPipeline(training, { mock: { train: { fail: 'GPU quota exceeded' } } }).catch((e: unknown) => e)) as PipelineFailedError;
    expect(err.failedStep).toMatchObject({ name: 'train', mock: true, error: 'PatchedFailure: GPU quota exceeded' });
    expect(new PatchedFailure('x').name).toBe('PatchedFailure');

    let n = 0;
    const flaky = pipeline('flaky').step(load).step(Train, { name: 'train', retry: { maxAttempts: 3 } }).build();
    const run = await runPipeline(flaky, {
      mock: {
        train: () => {
          if (++n === 1) throw new Error('transient');
          return { model: new Model([n]) };
        },
      },
    });
    expect(run.step('train').attempts.map((a) => a.status)).toEqual(['FAIL', 'SUCCESS']);
    expect(run.outputs.model.weights).toEqual([2]);
  });

  it('mocks apply inside branches, in every iteration; steps are found by dot path, or by name when unique', async () => {
    const double = task(({ item }: { item: number }) => ({ doubled: item * 2 }), { name: 'double', returns: ['doubled'] });
    const p = pipeline('mapped')
      .step(load)
      .map('each', { over: 'rows', as: 'item', branch: pipeline('b').params<{ item: number }>().step(double).build() })
      .build();
    const run = await runPipeline(p, { mock: { double: ({ item }) => ({ doubled: item * 100 }) } });
    expect(run.outputs.doubled).toEqual([100, 200, 300]);
    expect(run.step('each.2.double')).toMatchObject({ mock: true, outputs: { doubled: 200 } });
    expect(run.step('each').type).toBe('map');
    expect(() => run.step('double')).toThrow(/Several steps are named 'double' \(each\.1\.double, each\.2\.double, each\.3\.double\)/);
    expect(() => run.step('nope')).toThrow(/No step 'nope' ran in run .*Steps that ran: load, each, each\.1\.double/);
  });

  it('a mock naming no step, or of the wrong shape, is a MockError before anything runs', async () => {
    const store = new MemoryRunLogStore();
    const bad = runPipeline(training, { mock: { trian: () => ({}) } as never, runLogStore: store });
    await expect(bad).rejects.toBeInstanceOf(MockError);
    await expect(runPipeline(training, { mock: { trian: () => ({}) } as never })).rejects.toThrow(
      "runPipeline mock names 'trian', which is not a step of pipeline 'training'. Its task steps: load, train, evaluate.",
    );
    expect(await store.list()).toEqual([]);
    expect(calls).toEqual([]);
    await expect(runPipeline(training, { mock: { train: { output: {} } } as never })).rejects.toThrow(
      /runPipeline mock\.train must be a function .*, \{ outputs: \{ \.\.\. \} \} .* or \{ fail: 'message' \}.*; got \{"output":\{\}\}/,
    );
  });

  it('secrets come from the secrets option only (never the environment)', async () => {
    const usesKey = task(() => ({ key_len: (process.env.API_KEY ?? '').length }), { name: 'uses_key', returns: ['key_len'], secrets: ['API_KEY'] });
    const p = pipeline('secret').step(usesKey).build();
    expect((await runPipeline(p, { secrets: { API_KEY: 'abcd' } })).outputs.key_len).toBe(4);
    process.env.API_KEY = 'from-the-shell';
    try {
      const err = (await runPipeline(p).catch((e: unknown) => e)) as PipelineFailedError;
      expect(err.failedStep!.error).toMatch(/SecretNotFoundError: No secret found by name: API_KEY/);
      // a mock needs no secret
      expect((await runPipeline(p, { mock: { uses_key: () => ({ key_len: 0 }) } })).status).toBe('SUCCESS');
    } finally {
      delete process.env.API_KEY;
    }
  });
});

describe('runPipeline dry runs (the mocked executor)', () => {
  it('nothing runs: every step records a successful attempt that returned nothing, marked mock', async () => {
    const run = await runPipeline(training, { dryRun: true });
    expect(calls).toEqual([]);
    expect(Object.values(run.steps).map((s) => [s.name, s.status, s.mock, s.attempts.length])).toEqual([
      ['load', 'SUCCESS', true, 1],
      ['train', 'SUCCESS', true, 1],
      ['evaluate', 'SUCCESS', true, 1],
    ]);
    expect(run.step('train').outputs).toEqual({});
    expect(Object.keys(run.runLog.parameters)).toEqual([]); // no parameters given, nothing returned
    assertValidRunLog(run.runLog);
  });

  it('patched steps run their patch; they see the parameters and what other patches returned, not what faked steps would have', async () => {
    const seen: unknown[] = [];
    const run = await runPipeline(training, {
      dryRun: true,
      params: { lr: 0.1 },
      mock: {
        evaluate: (input) => {
          seen.push({ ...input });
          return { accuracy: 0.9 };
        },
      },
    });
    expect(calls).toEqual([]);
    expect(seen).toEqual([{ lr: 0.1 }]);
    expect(run.outputs).toEqual({ lr: 0.1, accuracy: 0.9 });
  });

  it('a map over a value a faked step would return fails and says how to patch it; with an { outputs } patch it runs', async () => {
    const double = task(({ item }: { item: number }) => ({ doubled: item * 2 }), { name: 'double', returns: ['doubled'] });
    const p = pipeline('mapped')
      .step(load)
      .map('each', { over: 'rows', as: 'item', branch: pipeline('b').params<{ item: number }>().step(double).build() })
      .build();
    const err = (await runPipeline(p, { dryRun: true }).catch((e: unknown) => e)) as PipelineFailedError;
    expect(err.failedStep).toMatchObject({ name: 'each', type: 'map' });
    expect(err.failedStep!.error).toBe(
      "map 'each': 'over' names 'rows', which is not in scope. In a dry run, a step that is not patched returns nothing: " +
        "patch the step that returns 'rows' with { outputs: { rows: ... } }",
    );
    const run = await runPipeline(p, { dryRun: true, mock: { load: { outputs: { rows: [7, 8] } } } });
    expect(Object.keys(run.steps)).toEqual(['load', 'each', 'each.7.double', 'each.8.double']);
    expect(run.step('each.7.double')).toMatchObject({ status: 'SUCCESS', mock: true, outputs: {} });
    expect(run.outputs.doubled).toEqual([]); // the faked iterations returned nothing
  });

  it('a conditional on a faked value fails with the same hint; a loop whose breakOn is never returned runs maxIterations times', async () => {
    const toss = task(() => ({ side: 'heads' as 'heads' | 'tails' }), { name: 'toss', returns: ['side'] });
    const heads = pipeline('heads').step(stub('on_heads')).build();
    const tails = pipeline('tails').step(stub('on_tails')).build();
    const cond = pipeline('cond').step(toss).conditional('pick', { on: 'side', branches: { heads, tails } }).build();
    const err = (await runPipeline(cond, { dryRun: true }).catch((e: unknown) => e)) as PipelineFailedError;
    expect(err.failedStep!.error).toBe(
      "conditional 'pick': 'on' names 'side', which is not in scope (branches: 'heads', 'tails'). In a dry run, a step that is not patched " +
        "returns nothing: patch the step that returns 'side' with { outputs: { side: ... } }",
    );
    const run = await runPipeline(cond, { dryRun: true, mock: { toss: { outputs: { side: 'tails' } } } });
    expect(Object.keys(run.steps)).toEqual(['toss', 'pick', 'pick.tails.on_tails']);

    const attempt = task(({ i }: { i: number }) => ({ done: i >= 1 }), { name: 'attempt', returns: ['done'] });
    const looping = pipeline('looping')
      .loop('retry_until_done', { branch: pipeline('body').params<{ i: number }>().step(attempt).build(), breakOn: 'done', maxIterations: 3, indexAs: 'i' })
      .build();
    const real = await runPipeline(looping);
    expect(Object.keys(real.steps)).toEqual(['retry_until_done', 'retry_until_done.0.attempt', 'retry_until_done.1.attempt']);
    const dry = await runPipeline(looping, { dryRun: true });
    expect(Object.keys(dry.steps)).toEqual([
      'retry_until_done',
      'retry_until_done.0.attempt',
      'retry_until_done.1.attempt',
      'retry_until_done.2.attempt',
    ]);
    expect(dry.status).toBe('SUCCESS');
  });
});
