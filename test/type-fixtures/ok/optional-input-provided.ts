// An optional input that an earlier step (or a parameter) provides with the right type is accepted,
// and so is one nobody provides.
import { Task, pipeline } from 'runnable-ts';

@Task({ returns: ['test_size'] })
export class ChooseSize {
  run() {
    return { test_size: 0.3 };
  }
}

@Task({ returns: ['cut'] })
export class Cut {
  run({ test_size = 0.2, seed }: { test_size?: number; seed?: number }) {
    return { cut: test_size * (seed ?? 1) };
  }
}

// provided by a step
export const byStep = pipeline().step(ChooseSize).step(Cut).build();
// provided by a parameter
export const byParam = pipeline().params<{ test_size: number }>().step(Cut).build();
// provided by an optional parameter
export const byOptionalParam = pipeline().params<{ test_size?: number }>().step(Cut).build();
// not provided at all
export const notProvided = pipeline().step(Cut).build();
