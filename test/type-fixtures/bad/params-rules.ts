// Issue 10, part 2: parameters are declared once, directly on pipeline(), before any step, with types that a
// parameters file, an environment variable or a default can provide.
import { pipeline, task } from 'runnable-ts';

const gen = task(() => ({ x: 1 }), { name: 'gen', returns: ['x'] });
const needsN = task(({ n }: { n: number }) => ({ doubled: n * 2 }), { name: 'needs_n', returns: ['doubled'] });

// after a step, params() would re-type a produced value
// @expect-error Property '[params_only_directly_after_pipeline_once_before_any_step]' is missing
export const afterStep = pipeline('a').step(gen).params<{ x: string }>();

// a second params() would replace the first
// @expect-error Property '[params_only_directly_after_pipeline_once_before_any_step]' is missing
export const twice = pipeline('b').params<{ n: number }>().params<{ m: number }>();

// types that cannot come from JSON/YAML/env
// @expect-error ✖ parameter 'when' is a Date (use an ISO date string)
export const date = pipeline('c').params<{ when: Date }>();
// @expect-error ✖ parameter 'lookup' is a Map or Set
export const map = pipeline('d').params<{ lookup: Map<string, number> }>();
// @expect-error ✖ parameter 'callback' is a function
export const fn = pipeline('e').params<{ n: number; callback?: (x: number) => void }>();
class Model {
  predict(x: number): number {
    return x;
  }
}
// @expect-error ✖ parameter 'model' is a class instance or an object with methods
export const instance = pipeline('f').params<{ model: Model }>();

// a default given but not listed as a default: the parameter stays optional, and the message says how to list it
export const unlisted = pipeline('g')
  .params<{ n?: number }>({ n: 3 })
  // @expect-error params<P, 'name'>(defaults)
  .step(needsN)
  .build();

// a listed default must be given (the failed params() call then leaves 'n' out of scope for the step)
// @expect-error Property 'n' is missing
// @expect-error ✖ missing input 'n'
export const listedNotGiven = pipeline('h').params<{ n?: number }, 'n'>({}).step(needsN).build();
