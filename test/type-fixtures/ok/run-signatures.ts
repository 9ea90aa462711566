// Issue 10, part 3: run() shapes that stay accepted.
import { Task, pipeline, task } from 'runnable-ts';

// an optional second parameter is never passed, which is fine
@Task({ returns: ['a'] })
export class OptionalSecond {
  run({ x }: { x: number }, scale = 2) {
    return { a: x * scale };
  }
}

// a value that may be "empty" is returned as null on every path
@Task({ returns: ['a', 'b'] })
export class NullableValue {
  run({ x }: { x: number }) {
    return x > 1 ? { a: x, b: x * 2 } : { a: x, b: null };
  }
}

// an input with a default, declared optional
@Task({ returns: ['split'] })
export class Split {
  run({ t = 0.2 }: { t?: number }) {
    return { split: t };
  }
}

const gen = task(() => ({ x: 3 }), { name: 'gen', returns: ['x'] });
export default pipeline('ok').step(gen).step(OptionalSecond).step(NullableValue).step(Split).step(gen, { name: 'gen_again', terminate: 'success' }).build();

// the same task twice, the second named apart
export const renamed = pipeline('renamed').step(gen).step(gen, { name: 'gen_2' }).step(Split).step(Split, { name: 'split_2' }).build();
