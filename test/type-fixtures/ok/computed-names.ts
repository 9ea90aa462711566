// Tasks made in a loop or a factory have names computed at run time (`train_${string}`): the compiler cannot see
// them, so it neither checks their returns against run() nor compares their step names; the engine does both when
// the file is loaded and when the step returns (test/engine/computed-names.test.ts).
import { pipeline, task } from 'runnable-ts';

function trainer(dataset: string) {
  return task(({ rows }: { rows: number }) => ({ [`model_${dataset}`]: rows * dataset.length }), {
    name: `train_${dataset}`,
    returns: [`model_${dataset}`],
  });
}

const load = task(() => ({ rows: 10 }), { name: 'load', returns: ['rows'] });
const report = task(({ model_iris, model_wine }: { model_iris: number; model_wine: number }) => ({ total: model_iris + model_wine }), {
  name: 'report',
  returns: ['total'],
});

export const byDataset = pipeline('by-dataset').step(load).step(trainer('iris')).step(trainer('wine')).step(report).build();
