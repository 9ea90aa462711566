/**
 * The file in which a pipeline was built, read from the call stack of `.build()` (the first frame outside this
 * package), so `execute()` from code can tell an out-of-process executor where to load the pipeline from.
 */
import { definingFile } from './source';

const DEFINED_IN = Symbol.for('runnable-ts.definedIn');

/** Records where `target` was created: the first stack frame that is not this package's or Node's. */
export function recordDefinition(target: object): void {
  const file = definingFile({ nodeModules: true });
  if (file) Object.defineProperty(target, DEFINED_IN, { value: file, enumerable: false });
}

export function definedIn(target: object): string | undefined {
  return (target as Record<symbol, string | undefined>)[DEFINED_IN];
}
