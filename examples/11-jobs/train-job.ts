/**
 * A job: one task run on its own, without a pipeline (docs/jobs.md).
 *
 * The task's inputs are the job's parameters (from --params, RUNNABLE_PRM_<name>, or the defaults below); the
 * model file it writes goes into the run's catalog (`catalog.put`) and its accuracy is recorded as a metric.
 *
 *   npx runnable job examples/11-jobs/train-job.ts
 *   RUNNABLE_PRM_n_estimators=20 npx runnable job examples/11-jobs/train-job.ts --run-id train-001
 *   npx runnable job examples/11-jobs/train-job.ts -c examples/argo/k8s-job.config.ts   # writes a Kubernetes Job
 *
 * From code, the same job is typed by its task: `trainJob.execute({ params: { n_estimators: '20' } })` does not
 * compile (n_estimators is a number).
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import { Task, job, metric, StepContext } from 'runnable-ts';
import { accuracy, makeDataset, serializeForest, trainForest, trainTestSplit } from '../tutorial/ml';

@Task({ name: 'train', returns: [metric('accuracy'), 'train_rows'], catalog: { put: ['models/forest.json'] } })
export class Train {
  constructor(private readonly ctx: StepContext) {}

  run({ n_estimators, test_size = 0.2, n_samples = 400 }: { n_estimators: number; test_size?: number; n_samples?: number }) {
    const split = trainTestSplit(makeDataset({ nSamples: n_samples, seed: 7 }), test_size);
    const forest = trainForest(split, n_estimators);
    fs.mkdirSync('models', { recursive: true });
    fs.writeFileSync('models/forest.json', JSON.stringify(serializeForest(forest)));
    const score = accuracy(forest, split.xTest, split.yTest);
    this.ctx.logger.info(`${n_estimators} trees on ${split.yTrain.length} rows: accuracy ${score.toFixed(3)}`);
    return { accuracy: score, train_rows: split.yTrain.length };
  }
}

export default job(Train, { name: 'train-forest', defaults: { n_estimators: 10 } });
