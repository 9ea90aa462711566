// runnable-ts/testing: a mock for an unknown step, or one that does not fit the step it replaces, is a compile error.
import { Task, task, pipeline, pickled } from 'runnable-ts';
import { runPipeline } from 'runnable-ts/testing';

class Model {
  constructor(readonly weights: number[]) {}
}
const load = task(() => ({ rows: [[1, 2]] }), { name: 'load', returns: ['rows'] });
const train = task(({ rows }: { rows: number[][] }) => ({ model: new Model(rows[0]!) }), { name: 'train', returns: [pickled('model')] });
const score = task(({ model }: { model: Model }) => ({ score: model.weights.length }), { name: 'score', returns: ['score'] });
const training = pipeline('training').params<{ lr?: number }>().step(load).step(train).step(score).build();

@Task({ returns: ['accuracy'] })
class Evaluate {
  run({ model }: { model: Model }) {
    return { accuracy: model.weights.length };
  }
}
// a class step named in .step() is checked like a function step
const named = pipeline('named').step(load).step(train).step(Evaluate, { name: 'evaluate' }).build();

export async function bad() {
  // (two fragments: TypeScript 5 and 7 print the union's members in different orders)
  // @expect-error Type '{ acc: number; }' is not assignable to type
  // @expect-error Promise<{ accuracy: number; }>
  await runPipeline(named, { mock: { evaluate: () => ({ acc: 1 }) } });
  // @expect-error 'Evaluate' does not exist in type
  await runPipeline(named, { mock: { Evaluate: () => ({ accuracy: 1 }) } });
  // @expect-error 'trian' does not exist in type
  await runPipeline(training, { mock: { trian: () => ({ model: new Model([]) }) } });
  // @expect-error Type 'string' is not assignable to type 'Model'
  await runPipeline(training, { mock: { train: () => ({ model: 'not a model' }) } });
  // @expect-error '{ weights: number[]; }' is not assignable to type
  // @expect-error Promise<{ model: Model; }>
  await runPipeline(training, { mock: { train: () => ({ weights: [1] }) } });
  // @expect-error Type 'string' is not assignable to type 'number'
  await runPipeline(training, { mock: { score: async () => ({ score: 'high' }) } });
  // @expect-error Property 'labels' is missing
  await runPipeline(training, { mock: { train: ({ labels }: { rows: number[][]; labels: string[] }) => ({ model: new Model(labels.map(Number)) }) } });
  // @expect-error Type 'string' is not assignable to type 'number'
  await runPipeline(training, { mock: { score: { outputs: { score: 'high' } } } });
  // @expect-error Type 'number' is not assignable to type 'string'
  await runPipeline(training, { mock: { load: { fail: 42 } } });
  // @expect-error Type 'string' is not assignable to type 'number'
  await runPipeline(training, { params: { lr: 'fast' } });
  // @expect-error 'learning_rate' does not exist in type
  await runPipeline(training, { params: { learning_rate: 0.1 } });
}

import { defineConfig } from 'runnable-ts';
export const badConfigs = [
  // @expect-error 'patchez' does not exist in type 'MockedExecutorConfig'
  defineConfig({ executor: { type: 'mocked', config: { patchez: {} } } }),
  // @expect-error Type 'number' is not assignable to type 'StepPatch'
  defineConfig({ executor: { type: 'mocked', config: { patches: { train: 42 } } } }),
];
