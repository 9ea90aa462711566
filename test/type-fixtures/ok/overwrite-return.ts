// A later step returning a name that is already in scope overwrites it, and the NEW type is what later steps see
// (type-design.md §3: "A later step that returns an existing name overwrites it, and the new type wins").
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

// a step may also overwrite a pipeline parameter; the other parameters stay in scope
const useBoth = task(({ value, keep }: { value: string; keep: boolean }) => ({ both: keep ? value : '' }), { name: 'use_both', returns: ['both'] });
export const overParam = pipeline().params<{ value: number; keep: boolean }>().step(Second).step(useBoth).build();
