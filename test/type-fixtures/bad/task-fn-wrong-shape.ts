// task() applies the same check as @Task; the error is on the function argument.
import { task, pickled, metric } from 'runnable-ts';

// @expect-error ✖ run() must return an object with key 'df' (declared in returns)
export const load = task(async () => ({ dataframe: [1, 2] }), { name: 'load', returns: [pickled('df')] });

// @expect-error ✖ run() returns 'extra' which is not declared in returns
export const extra = task(() => ({ a: 1, extra: 2 }), { name: 'extra', returns: ['a'] });

// @expect-error ✖ metric('score') must be a number
export const score = task(() => ({ score: 'high' }), { name: 'score', returns: [metric('score')] });

function bare({ x }: { x: number }) {
  return x * 2;
}
// @expect-error ✖ run() must return an object keyed by the declared returns { doubled: ... }
export const doubled = task(bare, { name: 'doubled', returns: ['doubled'] });
