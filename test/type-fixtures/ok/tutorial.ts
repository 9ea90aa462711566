// The tutorial's shape (examples/tutorial/04-connecting-workflow.ts): three @Task classes and a task() function,
// optional pipeline parameters that feed optional inputs, an injected StepContext, an async run().
import { Task, task, pipeline, pickled, metric, StepContext } from 'runnable-ts';

interface Frame {
  features: number[][];
  labels: number[];
}
interface Split {
  xTrain: number[][];
  yTrain: number[];
  xTest: number[][];
  yTest: number[];
}
class TrainedModel {
  constructor(readonly nEstimators: number) {}
  predict(rows: number[][]): number[] {
    return rows.map(() => 0);
  }
}

@Task({ name: 'load_data', returns: [pickled('df')] })
export class LoadData {
  run() {
    const df: Frame = { features: [[1, 2]], labels: [0] };
    return { df };
  }
}

@Task({ name: 'preprocess', returns: [pickled('preprocessed_data')] })
export class Preprocess {
  constructor(private readonly ctx: StepContext) {}

  run({ df, test_size = 0.2 }: { df: Frame; test_size?: number }) {
    this.ctx.logger.info(`split ${df.labels.length} rows at ${test_size}`);
    const preprocessed_data: Split = { xTrain: df.features, yTrain: df.labels, xTest: [], yTest: [] };
    return { preprocessed_data };
  }
}

@Task({ name: 'train', returns: [pickled('model_data')] })
export class Train {
  async run({ preprocessed_data, n_estimators = 50 }: { preprocessed_data: Split; n_estimators?: number }) {
    return { model_data: new TrainedModel(n_estimators + preprocessed_data.yTrain.length * 0) };
  }
}

function evaluateModel({ model_data, preprocessed_data }: { model_data: TrainedModel; preprocessed_data: Split }) {
  const predicted = model_data.predict(preprocessed_data.xTest);
  const accuracy = predicted.filter((p, i) => p === preprocessed_data.yTest[i]).length / Math.max(1, predicted.length);
  return { accuracy, report: { accuracy, support: predicted.length, labels: ['a', 'b'] } };
}
const evaluate = task(evaluateModel, { name: 'evaluate', returns: [metric('accuracy'), 'report'] });

export default pipeline('connecting-workflow')
  .params<{ test_size?: number; n_estimators?: number }>()
  .step(LoadData)
  .step(Preprocess)
  .step(Train)
  .step(evaluate)
  .build();
