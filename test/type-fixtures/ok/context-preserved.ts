// Steps that add nothing to the context do not disturb it: a run() returning nothing, a run() that never returns
// (always throws), and a function task with no returns. Later steps still see everything returned before.
import { Task, task, pipeline } from 'runnable-ts';

@Task({ returns: ['a'] })
export class MakeA {
  run() {
    return { a: 1 };
  }
}

@Task()
export class LogOnly {
  run({ a }: { a: number }) {
    console.log(a);
  }
}

@Task()
export class AlwaysFails {
  run(): never {
    throw new Error('boom');
  }
}

const noop = task(async () => {}, { name: 'noop' });
const useA = task(({ a, seed }: { a: number; seed: string }) => ({ b: `${seed}${a}` }), { name: 'use_a', returns: ['b'] });

export default pipeline().params<{ seed: string }>().step(MakeA).step(LogOnly).step(AlwaysFails).step(noop).step(useA).build();
