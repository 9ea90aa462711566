// Issue 10, part 3: @Task/task() refuse run() signatures and return shapes that the pipeline cannot prove.
import { Task, task } from 'runnable-ts';

// @expect-error ✖ run() may leave out 'b' (it is optional in the return type
@Task({ returns: ['a', 'b'] })
export class OptionalReturnKey {
  run(): { a: number; b?: number } {
    return { a: 1 };
  }
}

// @expect-error ✖ run() may leave out 'b'
@Task({ returns: ['a', 'b'] })
export class ConditionalShape {
  run({ big }: { big: boolean }) {
    return big ? { a: 1, b: 2 } : { a: 1 };
  }
}

// @expect-error ✖ run() may leave out 'b'
export const conditionalFn = task(({ big }: { big: boolean }) => (big ? { a: 1, b: 2 } : { a: 1 }), { name: 'cond', returns: ['a', 'b'] });

// @expect-error ✖ run() is overloaded: the pipeline can check only one signature
@Task({ returns: ['a'] })
export class Overloaded {
  run(input: { x: number }): { a: number };
  run(input: { x: string }): { a: number };
  run(input: { x: number | string }) {
    return { a: Number(input.x) };
  }
}

// @expect-error ✖ run() has a second required parameter, which the engine never passes
@Task({ returns: ['a'] })
export class SecondParameter {
  run({ x }: { x: number }, scale: number) {
    return { a: x * scale };
  }
}
