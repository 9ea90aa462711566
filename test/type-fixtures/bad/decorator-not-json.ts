// A plain name (JSON, kept in the run log) must be JSON-serialisable.
import { Task, json } from 'runnable-ts';

class DataFrame {
  constructor(readonly rows: number[]) {}
  head(): number[] {
    return this.rows.slice(0, 5);
  }
}

// a class instance with methods
// @expect-error ✖ return 'df' is not JSON-serialisable: declare it as pickled('df')
@Task({ returns: ['df'] })
export class BadJson {
  run() {
    return { df: new DataFrame([1]) };
  }
}

// a Date nested inside a plain object, declared with json()
// @expect-error ✖ return 'meta' is not JSON-serialisable: declare it as pickled('meta')
@Task({ returns: [json('meta')] })
export class BadNestedDate {
  run() {
    return { meta: { created: { at: new Date() } } };
  }
}

// a Map
// @expect-error is not JSON-serialisable: declare it as pickled('index')
@Task({ returns: ['index'] })
export class BadMap {
  run() {
    return { index: new Map<string, number>() };
  }
}
