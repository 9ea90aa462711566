/**
 * Chapter 6 of the tutorial: sharing results.
 *
 * Chapter 4's pipeline, with results meant to outlive the run: the trained model as a file anyone can load
 * (`models/model.json`) next to the pickled `model_data`, four metrics recorded in the run log (so runs can be
 * listed, compared and charted), and a metrics file for people who do not use runnable-ts.
 *
 *   RUNNABLE_PRM_n_estimators=5 npx runnable run examples/tutorial/06-sharing-results.ts --run-id trees-5 --tag trees
 *   npx runnable runs compare trees-5 trees-20
 *   node -r runnable-ts/register examples/tutorial/06-load-teammate-model.ts trees-20
 */
import * as fs from 'node:fs';
import { task, pipeline, pickled, metric } from 'runnable-ts';
import { classificationReport, serializeForest, trainForest, type Split } from './ml';
import { LoadData, Preprocess, TrainedModel } from './04-connecting-workflow';

/** The model twice: pickled for later steps and loadArtifact, and as the library's own JSON in the catalog. */
const train = task(
  ({ preprocessed_data, n_estimators = 50 }: { preprocessed_data: Split; n_estimators?: number }) => {
    const forest = trainForest(preprocessed_data, n_estimators);
    fs.mkdirSync('models', { recursive: true });
    fs.writeFileSync('models/model.json', JSON.stringify(serializeForest(forest)));
    return { model_data: new TrainedModel(forest, n_estimators, preprocessed_data.yTrain.length) };
  },
  { name: 'train', returns: [pickled('model_data')], catalog: { put: ['models/model.json'] } },
);

/** Four metrics, recorded in the run log, and the same figures in a file. */
const evaluate = task(
  ({ model_data, preprocessed_data }: { model_data: TrainedModel; preprocessed_data: Split }) => {
    const { accuracy, confusion } = classificationReport(model_data.forest, preprocessed_data);
    const { tp, fp, fn } = confusion;
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    const f1 = (2 * precision * recall) / (precision + recall);
    fs.mkdirSync('metrics', { recursive: true });
    fs.writeFileSync('metrics/evaluation.json', JSON.stringify({ accuracy, precision, recall, f1, confusion }, null, 2));
    return { accuracy, precision, recall, f1 };
  },
  { name: 'evaluate', returns: [metric('accuracy'), metric('precision'), metric('recall'), metric('f1')], catalog: { put: ['metrics/evaluation.json'] } },
);

export default pipeline('sharing-results')
  .params<{ test_size?: number; n_estimators?: number }>({ test_size: 0.2, n_estimators: 50 })
  .step(LoadData, { cache: true })
  .step(Preprocess, { cache: true })
  .step(train)
  .step(evaluate)
  .build();
