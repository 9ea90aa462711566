// `df` is in scope as a string, the step expects a Frame.
import { Task, pipeline, pickled } from 'runnable-ts';

interface Frame {
  labels: number[];
}

@Task({ returns: ['df'] })
export class LoadText {
  run() {
    return { df: 'a,b,c' };
  }
}

@Task({ returns: [pickled('n')] })
export class Count {
  run({ df }: { df: Frame }) {
    return { n: df.labels.length };
  }
}

export default pipeline()
  .step(LoadText)
  // @expect-error input 'df' has an incompatible type
  .step(Count)
  .build();
