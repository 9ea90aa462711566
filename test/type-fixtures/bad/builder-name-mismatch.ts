// The tutorial's mistake: LoadData returns `dataframe` but Preprocess reads `df`.
// The error lands on `.step(Preprocess)`.
import { Task, task, pipeline, pickled, metric } from 'runnable-ts';

interface Frame {
  features: number[][];
  labels: number[];
}

@Task({ name: 'load_data', returns: [pickled('dataframe')] })
export class LoadData {
  run() {
    const dataframe: Frame = { features: [[1, 2]], labels: [0] };
    return { dataframe };
  }
}

@Task({ name: 'preprocess', returns: [pickled('preprocessed_data')] })
export class Preprocess {
  run({ df, test_size = 0.2 }: { df: Frame; test_size?: number }) {
    return { preprocessed_data: { rows: df.labels.length, test_size } };
  }
}

const evaluate = task(({ preprocessed_data }: { preprocessed_data: { rows: number } }) => ({ accuracy: preprocessed_data.rows }), {
  name: 'evaluate',
  returns: [metric('accuracy')],
});

export default pipeline('connecting-workflow')
  .params<{ test_size?: number; n_estimators?: number }>()
  .step(LoadData)
  // @expect-error ✖ missing input 'df': no earlier step returns it and it is not a pipeline parameter
  .step(Preprocess)
  .step(evaluate) // checking continues after the error: Preprocess's outputs are still in scope
  .build();
