// How a step's inputs and outputs are read from run(): the shapes InputOfFn and OutputOfFn handle without
// inferring the whole parameter list or using Awaited (docs/type-safety.md, "Where an editor request's time goes").
import { Task, task, pipeline } from 'runnable-ts';

@Task({ returns: ['n'] })
export class Start {
  run() {
    return { n: 2 };
  }
}

// the whole input optional: its names are still read (undefined left out)
@Task({ returns: ['doubled'] })
export class OptionalInput {
  run(input?: { n: number }) {
    return { doubled: (input?.n ?? 0) * 2 };
  }
}

// not async, but returns a Promise: the outputs are what it resolves to
@Task({ returns: ['label'] })
export class ReturnsPromise {
  run({ doubled }: { doubled: number }): Promise<{ label: string }> {
    return Promise.resolve({ label: `n=${doubled}` });
  }
}

// an async generator: its outputs are what it returns (not what it yields)
@Task({ returns: ['length'] })
export class Streams {
  async *run({ label }: { label: string }) {
    yield label;
    return { length: label.length };
  }
}

// a promise of a union of shapes is resolved member by member
const pick = task(async ({ length }: { length: number }): Promise<{ kind: 'short' | 'long' }> => ({ kind: length > 3 ? 'long' : 'short' }), {
  name: 'pick',
  returns: ['kind'],
});

const report = task(({ label, length, kind }: { label: string; length: number; kind: 'short' | 'long' }) => ({ line: `${label} ${length} ${kind}` }), {
  name: 'report',
  returns: ['line'],
});

export default pipeline('shapes').step(Start).step(OptionalInput).step(ReturnsPromise).step(Streams).step(pick).step(report).build();
