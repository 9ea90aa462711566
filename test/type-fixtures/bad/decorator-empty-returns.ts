// No `returns` declared, but run() returns a value.
import { Task } from 'runnable-ts';

// @expect-error ✖ run() returns a value but 'returns' is empty: declare the names it returns
@Task()
export class BadEmpty {
  run() {
    return { df: 1 };
  }
}

// the same with an explicit empty list
// @expect-error 'returns' is empty
@Task({ name: 'bad_empty_2', returns: [] })
export class BadEmptyList {
  run() {
    return 1;
  }
}

// returning nothing with no returns is fine (not marked)
@Task()
export class Fine {
  run() {
    console.log('side effect');
  }
}
