/**
 * Chapter 3 of the tutorial: adding flexibility.
 *
 * The values chapter 1 wrote into the code become parameters of the function, with defaults. The pipeline declares
 * them with a zod schema (types, limits and defaults, recorded in the run log), so an experiment is chosen when you
 * start a run, never by editing the code, and a bad value is refused before anything runs:
 *
 *   npx runnable run examples/tutorial/03-adding-flexibility.ts
 *   RUNNABLE_PRM_n_estimators=200 npx runnable run examples/tutorial/03-adding-flexibility.ts
 *   npx runnable run examples/tutorial/03-adding-flexibility.ts --params examples/tutorial/experiments/large_forest.yaml
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { task, pipeline } from 'runnable-ts';
import { classificationReport, makeDataset, serializeForest, trainForest, trainTestSplit } from './ml';

export function trainMlModelFlexible({ test_size = 0.2, n_estimators = 50, seed = 42 }: { test_size?: number; n_estimators?: number; seed?: number }) {
  console.log('Loading data...');
  const df = makeDataset({ nSamples: 600, seed });

  console.log('Preprocessing...');
  const split = trainTestSplit(df, test_size, seed);

  console.log(`Training model with ${n_estimators} trees...`);
  const forest = trainForest(split, n_estimators, seed);

  console.log('Evaluating...');
  const report = classificationReport(forest, split);
  console.log(`Accuracy: ${report.accuracy.toFixed(4)}`);

  fs.mkdirSync('results', { recursive: true });
  fs.writeFileSync('results/model.json', JSON.stringify(serializeForest(forest)));
  fs.writeFileSync('results/metrics.json', JSON.stringify(report, null, 2));

  return { accuracy: report.accuracy, report };
}

const train = task(trainMlModelFlexible, {
  name: 'train',
  returns: ['accuracy', 'report'],
  catalog: { put: ['results/model.json', 'results/metrics.json'] },
});

export const Params = z.object({
  test_size: z.number().gt(0).lt(1).default(0.2),
  n_estimators: z.number().int().min(1).default(50),
  seed: z.number().int().default(42),
});

export default pipeline('adding-flexibility').params(Params).step(train).build();
