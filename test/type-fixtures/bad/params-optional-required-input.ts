// A pipeline parameter declared OPTIONAL does not satisfy a step that REQUIRES it: the parameter may be absent at
// run time, so the context holds `n: number | undefined`. tsc reports it as an incompatible type (not as a missing
// input) with `expected: number; provided: number | undefined`. Make the input optional (`n?: number`) or the
// parameter required (`params<{ n: number }>()`).
import { Task, pipeline } from 'runnable-ts';

@Task({ returns: ['doubled'] })
export class Double {
  run({ n }: { n: number }) {
    return { doubled: n * 2 };
  }
}

// @expect-error input 'n' has an incompatible type
export const optionalParam = pipeline().params<{ n?: number }>().step(Double).build();

// the same with a default given to params() but not listed as defaulted (params<P, 'n'>(…), see
// ok/params-defaults.ts): the type still says optional, so it still fails, and the message says how to list it
// @expect-error params<P, 'name'>(defaults)
// @expect-error input 'n' has an incompatible type
export const withDefault = pipeline().params<{ n?: number }>({ n: 3 }).step(Double).build();
