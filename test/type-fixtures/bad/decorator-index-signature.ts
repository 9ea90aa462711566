// A run() typed with an index signature cannot prove which names it returns.
import { Task } from 'runnable-ts';

// @expect-error not an index signature such as Record<string, ...>
@Task({ returns: ['a'] })
export class IndexSignature {
  run(): Record<string, number> {
    return { a: 1 };
  }
}
