/**
 * Chapter 1 of the tutorial: the starting point.
 *
 * One big training function, plain TypeScript: no runnable-ts at all. It works, but its parameters are written
 * into the code, nothing records when it ran or with what, and every run overwrites the files of the last one.
 *
 *   node -r runnable-ts/register examples/tutorial/01-starting-point.ts
 */
import * as fs from 'node:fs';
import { classificationReport, makeDataset, serializeForest, trainForest, trainTestSplit } from './ml';

export function trainMlModel() {
  console.log('Loading data...');
  const df = makeDataset({ nSamples: 600, seed: 42 });

  console.log('Preprocessing...');
  const split = trainTestSplit(df, 0.2, 42);

  console.log('Training model...');
  const forest = trainForest(split, 50, 42);

  console.log('Evaluating...');
  const report = classificationReport(forest, split);
  console.log(`Accuracy: ${report.accuracy.toFixed(4)}`);

  // Save everything (overwritten on every run!)
  fs.mkdirSync('results', { recursive: true });
  fs.writeFileSync('results/model.json', JSON.stringify(serializeForest(forest)));
  fs.writeFileSync('results/metrics.json', JSON.stringify(report, null, 2));

  return { accuracy: report.accuracy, report };
}

// Run it when this file is started, not when another file imports trainMlModel.
if (require.main === module) trainMlModel();
