// run() returns the value itself instead of an object keyed by the declared names.
import { Task, pickled } from 'runnable-ts';

class DataFrame {
  constructor(readonly rows: number[]) {}
}

// an object value without the key: reported as the missing key
// @expect-error ✖ run() must return an object with key 'df' (declared in returns)
@Task({ returns: [pickled('df')] })
export class BadBare {
  run() {
    return new DataFrame([1]);
  }
}

// a primitive value
// @expect-error ✖ run() must return an object keyed by the declared returns { n: ... }
@Task({ returns: ['n'] })
export class BadPrimitive {
  run() {
    return 3;
  }
}

// an array (tuple) value
// @expect-error ✖ run() must return an object keyed by the declared returns, not an array
@Task({ returns: ['a', 'b'] })
export class BadTuple {
  run() {
    return [1, 'x'] as const;
  }
}
