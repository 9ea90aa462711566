// Issue 10, part 4: a composite named by a `string` variable still gets a plain message (no `${string}`
// placeholder, no \u2716 escape): the name is left out instead.
import { pipeline, task } from 'runnable-ts';

const gen = task(() => ({ x: 1, items: [1, 2] }), { name: 'gen', returns: ['x', 'items'] });
const needsQ = pipeline('needs_q').params<{ q: number }>().step(task(({ q }: { q: number }) => ({ w: q }), { name: 'w', returns: ['w'] })).build();
declare const name: string;

export const mapped = pipeline('a')
  .step(gen)
  // @expect-error Type 'Pipeline<{ q: number; }, { w: number; }, Step<"w", { q: number; }, { w: number; }>>' is not assignable to type '"✖ map branch: missing input 'q'
  .map(name, { over: 'items', as: 'item', branch: needsQ })
  .build();

export const looped = pipeline('b')
  .step(gen)
  // @expect-error is not assignable to type '"✖ loop: 'breakOn' must name a boolean the branch returns, but 'w' is a number"'
  // @expect-error '"✖ loop branch: missing input 'q'
  .loop(name, { branch: needsQ, breakOn: 'w', maxIterations: 2 })
  .build();
