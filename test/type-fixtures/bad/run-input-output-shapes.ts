// The shapes of test/type-fixtures/ok/run-input-output-shapes.ts still checked: an optional whole input's names
// are required inputs, and a Promise's or an async generator's resolved outputs keep their types.
import { Task, pipeline } from 'runnable-ts';

@Task({ returns: ['n'] })
export class Start {
  run() {
    return { n: 2 };
  }
}

@Task({ returns: ['doubled'] })
export class OptionalInput {
  run(input?: { m: number }) {
    return { doubled: (input?.m ?? 0) * 2 };
  }
}

@Task({ returns: ['label'] })
export class ReturnsPromise {
  run({ n }: { n: number }): Promise<{ label: number }> {
    return Promise.resolve({ label: n });
  }
}

@Task({ returns: ['length'] })
export class Streams {
  async *run({ label }: { label: string }) {
    yield label;
    return { length: label.length };
  }
}

@Task({ returns: ['done'] })
export class NeedsText {
  run({ length }: { length: string }) {
    return { done: length.length > 0 };
  }
}

export default pipeline('shapes-bad')
  .step(Start)
  // @expect-error ✖ missing input 'm'
  .step(OptionalInput)
  .step(ReturnsPromise)
  // @expect-error ✖ input 'label' has an incompatible type: expected string, got number
  .step(Streams)
  // @expect-error ✖ input 'length' has an incompatible type: expected string, got number
  .step(NeedsText)
  .build();
