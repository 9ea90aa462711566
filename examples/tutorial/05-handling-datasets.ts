/**
 * Chapter 5 of the tutorial: handling large datasets.
 *
 * In chapter 4 the dataset and the split travelled between steps as pickled values: each one serialized whole
 * into the catalog and read whole by the next step. Here they travel as files instead: a step writes a CSV file
 * and `catalog: { put }` copies it into the run's catalog; a later step asks for it with `catalog: { get }` and
 * reads it row by row. Only small facts (row counts) and the model are return values. `load_data` and `preprocess`
 * are cached (`cache: true`): a later run on the same data reuses their files instead of writing them again.
 *
 *   npx runnable run examples/tutorial/05-handling-datasets.ts
 *   RUNNABLE_PRM_n_samples=200000 npx runnable run examples/tutorial/05-handling-datasets.ts
 */
import { task, pipeline, pickled, metric } from 'runnable-ts';
import { forEachCsvBatch, readCsv, splitCsv, writeDatasetCsv } from './csv';
import { trainForest, type Confusion } from './ml';
import { TrainedModel } from './04-connecting-workflow';

/** The dataset goes to a file, written row by row; only its row count is a return value. */
const loadData = task(
  async ({ n_samples = 5000 }: { n_samples?: number }) => {
    const rows = await writeDatasetCsv('data/dataset.csv', { nSamples: n_samples, seed: 42 });
    return { rows };
  },
  { name: 'load_data', returns: ['rows'], catalog: { put: ['data/dataset.csv'] }, cache: true },
);

/** Reads the dataset file from the catalog and splits it, in one pass, into two files. */
const preprocess = task(
  async ({ test_size = 0.2 }: { test_size?: number }) => {
    const { trainRows, testRows } = await splitCsv('data/dataset.csv', 'data/train.csv', 'data/test.csv', test_size);
    return { train_rows: trainRows, test_rows: testRows };
  },
  { name: 'preprocess', returns: ['train_rows', 'test_rows'], catalog: { get: ['data/dataset.csv'], put: ['data/train.csv', 'data/test.csv'] }, cache: true },
);

/** Gets only the training file, and reads only the rows it trains on. */
const train = task(
  async ({ n_estimators = 20, max_train_rows = 1000 }: { n_estimators?: number; max_train_rows?: number }) => {
    const df = await readCsv('data/train.csv', max_train_rows);
    const forest = trainForest({ xTrain: df.features, yTrain: df.labels, xTest: [], yTest: [] }, n_estimators);
    return { model_data: new TrainedModel(forest, n_estimators, df.labels.length) };
  },
  { name: 'train', returns: [pickled('model_data')], catalog: { get: ['data/train.csv'] } },
);

/** Scores the whole test file in batches of 10,000 rows: one batch in memory at a time. */
const evaluate = task(
  async ({ model_data }: { model_data: TrainedModel }) => {
    const confusion: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
    await forEachCsvBatch('data/test.csv', 10_000, (rows, labels) => {
      const predicted = model_data.predict(rows);
      labels.forEach((actual, i) => {
        if (predicted[i] === 1) confusion[actual === 1 ? 'tp' : 'fp']++;
        else confusion[actual === 1 ? 'fn' : 'tn']++;
      });
    });
    const nTest = confusion.tp + confusion.fp + confusion.tn + confusion.fn;
    return { accuracy: (confusion.tp + confusion.tn) / nTest, confusion };
  },
  { name: 'evaluate', returns: [metric('accuracy'), 'confusion'], catalog: { get: ['data/test.csv'] } },
);

export default pipeline('handling-datasets')
  .params<{ n_samples?: number; test_size?: number; n_estimators?: number; max_train_rows?: number }>({ n_samples: 5000, test_size: 0.2, n_estimators: 20, max_train_rows: 1000 })
  .step(loadData)
  .step(preprocess)
  .step(train)
  .step(evaluate)
  .build();
