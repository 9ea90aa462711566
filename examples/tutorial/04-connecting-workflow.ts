/**
 * Chapter 4 of the tutorial: connecting the workflow.
 *
 * The monolithic "load → preprocess → train → evaluate" function becomes four steps. Each step reads its inputs
 * by name from what earlier steps returned (or from the pipeline parameters), and the compiler checks that
 * wiring: rename `df` in LoadData's returns and `tsc` fails at `.step(Preprocess)`.
 *
 *   npx runnable run examples/tutorial/04-connecting-workflow.ts
 *   RUNNABLE_PRM_test_size=0.3 npx runnable run examples/tutorial/04-connecting-workflow.ts
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import { RandomForestClassifier } from 'ml-random-forest';
import { Task, task, pipeline, pickled, metric, Serializable, registerSerializer, StepContext } from 'runnable-ts';
import { classificationReport, deserializeForest, makeDataset, serializeForest, trainForest, trainTestSplit, type Frame, type Split } from './ml';

// The forest is a third-party class: tell the serializer how to store it (the library's own toJSON/load).
registerSerializer(RandomForestClassifier, { serialize: serializeForest, deserialize: deserializeForest }, 'ml-random-forest.RandomForestClassifier');

/** The trained model as an artifact: comes back from the catalog as a TrainedModel instance, methods included. */
@Serializable()
export class TrainedModel {
  constructor(
    readonly forest: RandomForestClassifier,
    readonly nEstimators: number,
    readonly trainedRows: number,
  ) {}
  predict(rows: number[][]): number[] {
    return this.forest.predict(rows);
  }
}

@Task({ name: 'load_data', returns: [pickled('df')] })
export class LoadData {
  run() {
    return { df: makeDataset({ nSamples: 600, seed: 42 }) };
  }
}

@Task({ name: 'preprocess', returns: [pickled('preprocessed_data')] })
export class Preprocess {
  constructor(private readonly ctx: StepContext) {}

  run({ df, test_size = 0.2 }: { df: Frame; test_size?: number }) {
    const preprocessed_data: Split = trainTestSplit(df, test_size);
    this.ctx.logger.info(`split ${df.labels.length} rows: ${preprocessed_data.yTrain.length} train / ${preprocessed_data.yTest.length} test`);
    return { preprocessed_data };
  }
}

/** Besides the pickled model, train writes a file; `catalog.put` copies it into the run's catalog. */
@Task({ name: 'train', returns: [pickled('model_data')], catalog: { put: ['reports/training-summary.json'] } })
export class Train {
  async run({ preprocessed_data, n_estimators = 50 }: { preprocessed_data: Split; n_estimators?: number }) {
    const started = Date.now();
    const forest = trainForest(preprocessed_data, n_estimators);
    fs.mkdirSync('reports', { recursive: true });
    const summary = { n_estimators, train_rows: preprocessed_data.yTrain.length, train_ms: Date.now() - started };
    fs.writeFileSync('reports/training-summary.json', JSON.stringify(summary, null, 2));
    return { model_data: new TrainedModel(forest, n_estimators, preprocessed_data.yTrain.length) };
  }
}

/**
 * A plain function works too: wrap it with task(). `catalog.get` brings train's summary file back from the
 * catalog before the step runs (even on another machine); the model report it writes goes into the catalog.
 */
function evaluateModel({ model_data, preprocessed_data }: { model_data: TrainedModel; preprocessed_data: Split }) {
  const report = classificationReport(model_data.forest, preprocessed_data);
  const training = JSON.parse(fs.readFileSync('reports/training-summary.json', 'utf8')) as { n_estimators: number; train_rows: number };
  const { tp, fp, tn, fn } = report.confusion;
  fs.writeFileSync(
    'reports/model-report.md',
    [
      '# Model report',
      '',
      `Random forest, ${training.n_estimators} trees, trained on ${training.train_rows} rows.`,
      '',
      `Accuracy on ${report.nTest} held-out rows: ${(report.accuracy * 100).toFixed(1)}%`,
      '',
      '| | predicted 1 | predicted 0 |',
      '|---|---|---|',
      `| actual 1 | ${tp} | ${fn} |`,
      `| actual 0 | ${fp} | ${tn} |`,
      '',
    ].join('\n'),
  );
  return { accuracy: report.accuracy, report };
}
const evaluate = task(evaluateModel, {
  name: 'evaluate',
  returns: [metric('accuracy'), 'report'],
  catalog: { get: ['reports/training-summary.json'], put: ['reports/model-report.md'] },
});

export default pipeline('connecting-workflow')
  .params<{ test_size?: number; n_estimators?: number }>()
  .step(LoadData)
  .step(Preprocess)
  .step(Train)
  .step(evaluate)
  .build();
