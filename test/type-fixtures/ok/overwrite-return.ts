// A later step returning a name that is already in scope overwrites it, and the NEW type is what later steps see
// (type-design.md §3: "A later step that returns an existing name overwrites it, and the new type wins").
//
// @known-bug src/types/steps.ts AsRecord + src/sdk/pipeline.ts step(): the overwritten entry is NOT removed from the context, so `value` is `string | number` after Second and the last .step fails with "input 'value' has an incompatible type". The harness runs this fixture as it.failing until src is fixed; then delete this marker.
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

// needs the string written by Second; a number would be rejected (see bad/builder-overwritten-old-type.ts)
const useString = task(({ value }: { value: string }) => ({ length: value.length }), { name: 'use_string', returns: ['length'] });

export default pipeline().step(First).step(Second).step(useString).build();
