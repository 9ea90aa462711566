// Issue 13, parts 2 and 3: a schema's output type is checked against the steps like params<P>(); results are typed
// by the pipeline, so a renamed return breaks the code that reads it.
import { z } from 'zod';
import { pipeline, task, pickled, metric, loadArtifact } from 'runnable-ts';

const needsN = task(({ n }: { n: number }) => ({ doubled: n * 2 }), { name: 'needs_n', returns: ['doubled'] });

// the schema's output type clashes with the step's input
// @expect-error ✖ input 'n' has an incompatible type: expected number, got string
export const clash = pipeline('a').params(z.object({ n: z.string() })).step(needsN).build();

// an optional parameter without a schema default is number | undefined for later steps
// @expect-error ✖ input 'n'
export const optional = pipeline('b').params(z.object({ n: z.number().optional() })).step(needsN).build();

// a schema output that cannot be recorded as JSON
// @expect-error ✖ parameter 'when' is a Date
export const date = pipeline('c').params(z.object({ when: z.coerce.date() }));

// required names must be parameters without a default
// @expect-error Type '"nope"' is not assignable
export const unknownRequired = pipeline('d').params<{ n: number }>({}, { required: ['nope'] });
// @expect-error Type 'string' is not assignable to type 'never'
export const defaultedRequired = pipeline('e').params<{ n?: number }, 'n'>({ n: 1 }, { required: ['n'] });

class Model {
  constructor(readonly trees: number) {}
}
const train = task(({ n }: { n: number }) => ({ model: new Model(n) }), { name: 'train', returns: [pickled('model')] });
const score = task(({ model }: { model: Model }) => ({ accuracy: model.trees / 10 }), { name: 'score', returns: [metric('accuracy')] });
const trained = pipeline('f').params(z.object({ n: z.number().default(3) })).step(train).step(score).build();

export async function readers(): Promise<void> {
  const r = await trained.execute();
  // @expect-error Property 'model_data' does not exist
  void r.values.model_data;
  // @expect-error Type 'number' is not assignable to type 'string'
  const s: string = r.values.accuracy;
  // @expect-error Argument of type '"model_data"' is not assignable
  await r.load('model_data');
  // @expect-error Argument of type '"model_data"' is not assignable
  await trained.load('exp-001', 'model_data');
  // @expect-error "model_data"
  await loadArtifact(trained, 'exp-001', 'model_data');
  // @expect-error Type 'Model' is not assignable to type 'string'
  const wrong: string = await trained.load('exp-001', 'model');
  void [s, wrong];
}
