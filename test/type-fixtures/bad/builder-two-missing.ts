// Two missing inputs: both are named in the error (a union of the two messages).
import { Task, pipeline } from 'runnable-ts';

@Task({ returns: ['other'] })
export class Start {
  run() {
    return { other: 1 };
  }
}

@Task({ returns: ['text'] })
export class Report {
  run({ accuracy, n_rows }: { accuracy: number; n_rows: number }) {
    return { text: `${accuracy} on ${n_rows}` };
  }
}

export default pipeline()
  .step(Start)
  // @expect-error ✖ missing input 'accuracy'
  // @expect-error ✖ missing input 'n_rows'
  .step(Report)
  .build();
