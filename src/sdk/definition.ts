/**
 * The file in which a pipeline was built, read from the call stack of `.build()` (the first frame outside this
 * package), so `execute()` from code can tell an out-of-process executor where to load the pipeline from.
 */
import * as path from 'node:path';

const DEFINED_IN = Symbol.for('runnable-ts.definedIn');
/** This package's code: lib/, and src/ where source maps point stack frames of lib/ files. */
const ROOT = path.resolve(__dirname, '..', '..');
const OWN = [path.join(ROOT, 'lib') + path.sep, path.join(ROOT, 'src') + path.sep];

const FRAME = /\(?((?:file:\/\/)?(?:\/|[A-Za-z]:\\)[^():]+?):\d+:\d+\)?$/;

/** Records where `target` was created: the first stack frame that is not this package's or Node's. */
export function recordDefinition(target: object): void {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const line of stack) {
    const m = FRAME.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? new URL(m[1]!).pathname : m[1]!;
    if (OWN.some((dir) => file.startsWith(dir)) || file.startsWith('node:')) continue;
    Object.defineProperty(target, DEFINED_IN, { value: file, enumerable: false });
    return;
  }
}

export function definedIn(target: object): string | undefined {
  return (target as Record<symbol, string | undefined>)[DEFINED_IN];
}
