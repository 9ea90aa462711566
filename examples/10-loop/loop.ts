/**
 * Loop (do-while): the branch runs until the boolean it returns as `breakOn` is true, at most `maxIterations`
 * times. Each iteration sees its index (`indexAs`) and the values of the previous iteration; the last
 * iteration's values are in scope after the loop.
 *
 *   npx runnable run examples/10-loop/loop.ts
 */
import 'reflect-metadata';
import { pipeline, task } from 'runnable-ts';

const improve = task(
  ({ counter, best = 0 }: { counter: number; best?: number }) => {
    const best_next = best + 0.25;
    return { best: best_next, should_stop: best_next >= 0.75, iterations: counter + 1 };
  },
  { name: 'improve', returns: ['best', 'should_stop', 'iterations'] },
);

const branch = pipeline('iteration').params<{ counter: number; best?: number }>().step(improve).build();

const validate = task(({ best, iterations }: { best: number; iterations: number }) => ({ final: `${iterations} iterations, best ${best}` }), {
  name: 'validate',
  returns: ['final'],
});

export default pipeline('loop')
  .loop('counter_loop', { branch, breakOn: 'should_stop', maxIterations: 5, indexAs: 'counter' })
  .step(validate)
  .build();
