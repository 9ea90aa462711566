/**
 * Chapter 2 of the tutorial: making it reproducible.
 *
 * The same training function as chapter 1, unchanged, run as a tracked job: every run gets its own id and its
 * own run log, and the files the function writes are copied into that run's catalog, so the next run cannot
 * overwrite them.
 *
 *   npx runnable job examples/tutorial/02-making-it-reproducible.ts
 */
import { task, job } from 'runnable-ts';
import { trainMlModel } from './01-starting-point';

const train = task(trainMlModel, {
  name: 'train',
  returns: ['accuracy', 'report'],
  catalog: { put: ['results/model.json', 'results/metrics.json'] },
});

export default job(train, { name: 'making-it-reproducible' });
