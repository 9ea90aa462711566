// run() returns a key that `returns` does not declare.
import { Task, pickled } from 'runnable-ts';

// @expect-error ✖ run() returns 'rows' which is not declared in returns
@Task({ returns: [pickled('df')] })
export class BadExtra {
  run() {
    return { df: [1, 2, 3], rows: 3 };
  }
}
