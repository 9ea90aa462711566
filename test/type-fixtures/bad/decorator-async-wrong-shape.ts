// async run(): the check looks through the Promise at the awaited object.
import { Task, pickled, metric } from 'runnable-ts';

// @expect-error ✖ run() must return an object with key 'model' (declared in returns)
@Task({ returns: [pickled('model')] })
export class AsyncMissing {
  async run() {
    return { forest: [1] };
  }
}

// @expect-error ✖ metric('accuracy') must be a number
@Task({ returns: [metric('accuracy')] })
export class AsyncMetric {
  async run() {
    return { accuracy: Promise.resolve(0.9) };
  }
}

// @expect-error ✖ run() returns a value but 'returns' is empty
@Task()
export class AsyncEmpty {
  async run() {
    return { x: 1 };
  }
}
