// runnable-ts/testing: runPipeline's mocks are checked against the step they replace, and its results are typed.
import { expectTypeOf } from 'expect-type';
import { Task, task, pipeline, pickled, metric } from 'runnable-ts';
import { runPipeline, type PipelineRun, type StepResult, type Mocks } from 'runnable-ts/testing';

class Model {
  constructor(readonly weights: number[]) {}
}

const load = task(() => ({ rows: [[1, 2], [3, 4]] }), { name: 'load', returns: ['rows'] });
const train = task(({ rows, lr = 0.1 }: { rows: number[][]; lr?: number }) => ({ model: new Model(rows.map((r) => r[0]! * lr)) }), {
  name: 'train',
  returns: [pickled('model')],
});

@Task({ returns: [metric('accuracy')] })
class Evaluate {
  run({ model }: { model: Model }) {
    return { accuracy: model.weights.length / 10 };
  }
}

const training = pipeline('training').params<{ lr?: number }>().step(load).step(train).step(Evaluate, { name: 'evaluate' }).build();

export async function typed() {
  // a function mock: its input is the step's input type, its result the step's outputs (sync or async)
  const run = await runPipeline(training, {
    params: { lr: 0.5 },
    mock: {
      train: ({ rows, lr }) => {
        expectTypeOf(rows).toEqualTypeOf<number[][]>();
        expectTypeOf(lr).toEqualTypeOf<number | undefined>();
        return { model: new Model([1]) };
      },
      evaluate: async () => ({ accuracy: 1 }),
      load: { outputs: { rows: [[0]] } },
    },
  });
  expectTypeOf(run).toMatchTypeOf<PipelineRun<any, any>>();
  expectTypeOf(run.outputs.model).toEqualTypeOf<Model>();
  expectTypeOf(run.outputs.accuracy).toEqualTypeOf<number>();
  expectTypeOf(run.outputs.lr).toEqualTypeOf<number | undefined>();
  expectTypeOf(run.step('train')).toEqualTypeOf<StepResult<{ model: Model }>>();
  expectTypeOf(run.step('train').outputs.model).toEqualTypeOf<Model | undefined>();
  expectTypeOf(run.step('evaluate').outputs).toEqualTypeOf<Partial<{ accuracy: number }>>();
  // a dot path (or a name the compiler does not know) gives untyped outputs
  expectTypeOf(run.step('map.0.x').outputs).toEqualTypeOf<Partial<Record<string, unknown>>>();
  expectTypeOf(run.steps).toEqualTypeOf<Record<string, StepResult>>();

  // a failure patch, and a dry run where nothing else runs
  await runPipeline(training, { dryRun: true, mock: { evaluate: { fail: 'evaluation service down' } } });
  // no options at all
  await runPipeline(training);
}

// A class added without { name }: its name is only known at run time, so any name is accepted as long as the
// replacement returns the outputs of one of the pipeline's steps (the name is checked when the run starts).
const unnamed = pipeline('unnamed').step(load).step(train).step(Evaluate).build();
export const unnamedMocks = runPipeline(unnamed, { mock: { Evaluate: () => ({ accuracy: 0.3 }), train: () => ({ model: new Model([]) }) } });

// A pipeline typed loosely (Pipeline<any, any>) accepts any mock.
declare const loose: import('runnable-ts').Pipeline<any, any>;
export const looseMocks = runPipeline(loose, { mock: { anything: () => ({ x: 1 }) } });
expectTypeOf<Mocks<any>>().toEqualTypeOf<Record<string, import('runnable-ts/testing').StepPatch>>();

// steps inside branches are mockable by name too
const perItem = task(({ item }: { item: number }) => ({ doubled: item * 2 }), { name: 'double', returns: ['doubled'] });
const items = task(() => ({ items: [1, 2, 3] }), { name: 'items', returns: ['items'] });
const mapped = pipeline('mapped')
  .step(items)
  .map('each', { over: 'items', as: 'item', branch: pipeline('b').params<{ item: number }>().step(perItem).build() })
  .build();
export const branchMock = runPipeline(mapped, { mock: { double: ({ item }) => ({ doubled: item }) } });

// The mocked executor in runnable.config.ts: patches are functions, { outputs } or { fail }.
import { defineConfig } from 'runnable-ts';
export const dryRunConfig = defineConfig({
  executor: {
    type: 'mocked',
    config: { patches: { train: ({ rows }: { rows: number[][] }) => ({ model: rows.length }), load: { outputs: { rows: [] } }, evaluate: { fail: 'down' } } },
  },
});
export const dryRunAll = defineConfig({ executor: { type: 'mocked' } });

// The contract suites' signatures, and jest's globals fit their test API.
import { runRunLogStoreContract, runCatalogContract, runSecretsContract, type ContractTestApi } from 'runnable-ts/testing';
import { MemoryRunLogStore, MemoryCatalog, EnvSecretsManager } from 'runnable-ts';
// (parameter by parameter: under exactOptionalPropertyTypes TypeScript 7 spells the optional one `options?: X | undefined`)
expectTypeOf(runRunLogStoreContract).parameters.toHaveProperty('length').toEqualTypeOf<2 | 3>();
expectTypeOf(runRunLogStoreContract).parameter(0).toEqualTypeOf<string>();
expectTypeOf(runRunLogStoreContract).parameter(1).toEqualTypeOf<() => import('runnable-ts/testing').RunLogStoreFactoryResult>();
expectTypeOf(runRunLogStoreContract).parameter(2).toEqualTypeOf<import('runnable-ts/testing').ContractOptions | undefined>();
export function declareSuites(api: ContractTestApi) {
  runRunLogStoreContract('memory', () => new MemoryRunLogStore());
  runRunLogStoreContract('memory', () => ({ store: new MemoryRunLogStore(), reopen: () => new MemoryRunLogStore() }), { test: api });
  runCatalogContract('memory', () => new MemoryCatalog());
  runSecretsContract('env', (values) => new EnvSecretsManager(values), { strict: true, test: api });
}
export const fromJest: ContractTestApi = { describe, it, expect };
