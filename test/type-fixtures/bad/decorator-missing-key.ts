// run() does not return a declared key (the tutorial's rename, seen from the decorator's side).
import { Task, pickled } from 'runnable-ts';

// @expect-error ✖ run() must return an object with key 'df' (declared in returns)
@Task({ returns: [pickled('df')] })
export class BadName {
  run() {
    return { dataframe: [1, 2, 3] };
  }
}

// one of two declared keys missing
// @expect-error must return an object with key 'count'
@Task({ returns: ['count', pickled('rows')] })
export class BadPartial {
  run() {
    return { rows: [1, 2, 3] };
  }
}
