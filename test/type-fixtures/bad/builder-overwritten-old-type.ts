// After a later step overwrites `value` with a string, a step that wants the OLD number type is rejected.
import { Task, task, pipeline } from 'runnable-ts';

@Task({ returns: ['value'] })
export class First {
  run() {
    return { value: 42 };
  }
}

@Task({ returns: ['value'] })
export class Second {
  run({ value }: { value: number }) {
    return { value: `was ${value}` };
  }
}

const useNumber = task(({ value }: { value: number }) => ({ doubled: value * 2 }), { name: 'use_number', returns: ['doubled'] });

export default pipeline()
  .step(First)
  .step(Second)
  // @expect-error input 'value' has an incompatible type
  .step(useNumber)
  .build();
