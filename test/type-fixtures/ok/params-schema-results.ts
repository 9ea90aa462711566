// Issue 13, parts 2 and 3: parameter types inferred from a Standard Schema (zod, valibot), and results typed by the
// pipeline (execute().values, result.load, pipeline.load, loadArtifact(pipeline, ...)).
import { z } from 'zod';
import * as v from 'valibot';
import { pipeline, task, pickled, metric, loadArtifact, type RunResult } from 'runnable-ts';

class Model {
  constructor(readonly trees: number) {}
  predict(rows: number[]): number[] {
    return rows.map(() => this.trees);
  }
}

const split = task(({ test_size, n_estimators }: { test_size: number; n_estimators: number }) => ({ rows: Math.round(100 * (1 - test_size)) + n_estimators }), {
  name: 'split',
  returns: ['rows'],
});
const train = task(({ rows, n_estimators }: { rows: number; n_estimators: number }) => ({ model_data: new Model(n_estimators + rows) }), {
  name: 'train',
  returns: [pickled('model_data')],
});
const evaluate = task(({ model_data }: { model_data: Model }) => ({ accuracy: model_data.trees / 100, report: 'ok' }), {
  name: 'evaluate',
  returns: [metric('accuracy'), 'report'],
});

// zod: a schema default makes test_size a number for later steps
const zodParams = z.object({ test_size: z.number().gt(0).lt(1).default(0.2), n_estimators: z.number().int().min(1) });
export const withZod = pipeline('zod').params(zodParams).step(split).step(train).step(evaluate).build();

// valibot: the same with v.optional(schema, default)
export const withValibot = pipeline('valibot')
  .params(v.object({ test_size: v.optional(v.number(), 0.2), n_estimators: v.number() }))
  .step(split)
  .build();

// coercion: the step sees the schema's OUTPUT type (number), whatever the input was
export const coerced = pipeline('coerce')
  .params(z.object({ test_size: z.coerce.number().default(0.2), n_estimators: z.coerce.number() }))
  .step(split)
  .build();

// as a branch: the parent provides n_estimators; test_size has a schema default, so the parent need not
export const parent = pipeline('parent')
  .step(task(() => ({ n_estimators: 3 }), { name: 'choose', returns: ['n_estimators'] }))
  .parallel('fit', { main: withValibot })
  .build();

// without a schema: required names are names of the parameter type without a default
export const required = pipeline('req').params<{ test_size?: number; n_estimators: number }, 'test_size'>({ test_size: 0.2 }, { required: ['n_estimators'] }).step(split).build();

// typed results
export async function results(): Promise<void> {
  const r = await withZod.execute();
  const accuracy: number = r.values.accuracy;
  const report: string = r.values.report;
  const model: Model = r.values.model_data;
  const loaded: Model = await r.load('model_data');
  const later: Model = await withZod.load('exp-001', 'model_data');
  const viaLoadArtifact: Model = await loadArtifact(withZod, 'exp-001', 'model_data');
  const metricLater: number = await loadArtifact(withZod, 'exp-001', 'accuracy', { configFile: 'runnable.config.ts' });
  // the untyped forms keep working
  const untyped = await loadArtifact<Model>('exp-001', 'model_data');
  const plain: RunResult = r;
  const anything: unknown = plain.values['whatever'];
  void [accuracy, report, model, loaded, later, viaLoadArtifact, metricLater, untyped.predict([1]), anything];
}
