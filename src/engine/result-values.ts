import { ArtifactError } from '../errors';
import type { Catalog } from '../stores/catalog/catalog';
import type { RunLog } from '../stores/run-log/types';
import { loadValue, loadValueSync } from './values';

/**
 * The final values of a run (its root scope), as `RunResult.values` and `RunResult.load` expose them: JSON values and
 * metrics as plain properties; pickled values as getters that read and deserialize them from the catalog when first
 * read (a catalog without synchronous reads says to use `load`). `load(name)` reads any of them asynchronously.
 */
export function runValues(log: RunLog, catalog: Catalog): { values: Record<string, unknown>; load: (name: string) => Promise<unknown> } {
  const vs = { catalog, runId: log.run_id };
  const values: Record<string, unknown> = {};
  const loaded = new Map<string, unknown>();
  for (const [name, p] of Object.entries(log.parameters)) {
    if (p.kind !== 'object') {
      Object.defineProperty(values, name, { value: p.value, enumerable: true });
      continue;
    }
    Object.defineProperty(values, name, {
      enumerable: true,
      get: () => {
        if (!loaded.has(name)) {
          if (!catalog.getObjectSync) {
            throw new ArtifactError(`'${name}' is a pickled value and catalog '${catalog.type}' cannot read it synchronously: use 'await result.load('${name}')'.`);
          }
          loaded.set(name, loadValueSync(vs, name, p));
        }
        return loaded.get(name);
      },
    });
  }
  Object.freeze(values);
  const load = async (name: string): Promise<unknown> => {
    const p = Object.prototype.hasOwnProperty.call(log.parameters, name) ? log.parameters[name] : undefined;
    if (!p) {
      const names = Object.keys(log.parameters);
      throw new ArtifactError(`Run ${log.run_id} has no value named '${name}'. Its values: ${names.length ? names.join(', ') : '(none)'}.`);
    }
    if (p.kind !== 'object') return p.value;
    if (!loaded.has(name)) loaded.set(name, await loadValue(vs, name, p));
    return loaded.get(name);
  };
  return { values, load };
}
