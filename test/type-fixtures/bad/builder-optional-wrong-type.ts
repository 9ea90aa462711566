// An optional input is still type-checked when something provides it: here test_size comes in as a string.
import { Task, pipeline } from 'runnable-ts';

@Task({ returns: ['cut'] })
export class Cut {
  run({ test_size = 0.2 }: { test_size?: number }) {
    return { cut: test_size };
  }
}

@Task({ returns: ['test_size'] })
export class ChooseSize {
  run() {
    return { test_size: '0.3' };
  }
}

// provided by a parameter of the wrong type
// @expect-error input 'test_size' has an incompatible type
export const byParam = pipeline().params<{ test_size: string }>().step(Cut).build();

// provided by an earlier step with the wrong type
export const byStep = pipeline()
  .step(ChooseSize)
  // @expect-error input 'test_size' has an incompatible type
  .step(Cut)
  .build();
