import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's own folder (src/ or lib/): frames inside it are the SDK's, not the user's. */
const OWN_ROOT = path.resolve(__dirname, '..');

/**
 * The file of the user's module that is calling into the SDK now (the first stack frame outside this package and,
 * unless `nodeModules` is true, outside node_modules): where `@Task`/`task()` is written, or where a pipeline is
 * built. Undefined when no such frame exists (code evaluated from a string, a REPL). Costs a few microseconds: a
 * stack trace is captured with structured call sites.
 */
export function definingFile(opts: { nodeModules?: boolean } = {}): string | undefined {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let sites: NodeJS.CallSite[] = [];
  try {
    Error.stackTraceLimit = 40;
    Error.prepareStackTrace = (_err, s) => s;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, definingFile);
    sites = (holder.stack as NodeJS.CallSite[] | undefined) ?? [];
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  for (const site of sites) {
    let file = site.getFileName?.() ?? undefined;
    if (!file) continue;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (!path.isAbsolute(file)) continue; // node:internal, evalmachine.<anonymous>, ...
    if (file.startsWith(OWN_ROOT + path.sep) || (!opts.nodeModules && file.split(path.sep).includes('node_modules'))) continue;
    return file;
  }
  return undefined;
}
