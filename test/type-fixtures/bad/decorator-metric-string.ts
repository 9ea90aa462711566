// metric() returns must be numbers.
import { Task, metric } from 'runnable-ts';

// @expect-error ✖ metric('accuracy') must be a number
@Task({ returns: [metric('accuracy')] })
export class BadMetric {
  run() {
    return { accuracy: '93%' };
  }
}
