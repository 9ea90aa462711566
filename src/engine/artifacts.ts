import type { ExecuteOptions } from './run';
import { resolveStores } from './run';
import { ArtifactError, ParameterError } from '../errors';
import { validateRunId } from './run-id';
import { loadValue } from './values';
import { recordedFiles, verifyFile } from './integrity';
import type { RunLog } from '../stores/run-log/types';
import { setArtifactLoader } from '../sdk/runner';
import type { Catalog } from '../stores/catalog/catalog';

export type LoadArtifactOptions = Pick<ExecuteOptions, 'configFile' | 'runLogStore' | 'catalog' | 'env'>;

export type ArtifactSource =
  | { kind: 'parameter'; parameterKind: 'json' | 'metric' | 'object'; catalogPath?: string }
  | { kind: 'file'; catalogPath: string };

/**
 * Finds `name` in a run: a parameter of the run's final scope (pickled values are loaded from the catalog and come
 * back live, a registered class as an instance), else a file in the run's catalog (returned as a Buffer).
 * What is read is checked against the SHA-256 the run log recorded: a changed, truncated or deleted artifact fails
 * with an IntegrityError naming it, the run, and the expected vs found hash.
 */
export async function resolveArtifact(log: RunLog, catalog: Catalog, name: string): Promise<{ value: unknown; source: ArtifactSource }> {
  const p = log.parameters[name];
  if (p) {
    const value = await loadValue({ catalog, runId: log.run_id }, name, p);
    return { value, source: { kind: 'parameter', parameterKind: p.kind, ...(p.catalog_relative_path && { catalogPath: p.catalog_relative_path }) } };
  }
  const rel = name.replace(/^\.\//, '');
  const recorded = recordedFiles(log).get(rel);
  if (recorded) await verifyFile(catalog, log.run_id, rel, recorded.data_hash, ` (catalog file '${rel}')`);
  if (await catalog.exists(log.run_id, rel).catch(() => false)) {
    return { value: await catalog.getObject(log.run_id, rel), source: { kind: 'file', catalogPath: `${log.run_id}/${rel}` } };
  }
  const params = Object.keys(log.parameters);
  throw new ArtifactError(
    `Run ${log.run_id} has no parameter or catalog file named '${name}'. Parameters: ${params.length ? params.join(', ') : '(none)'}. ` +
      `See everything with 'runnable inspect ${log.run_id}'.`,
  );
}

/** The outputs of a built pipeline type (what its steps write). */
type OutputsOf<Pl> = Pl extends { readonly __out?: infer O } ? (O extends object ? O : never) : never;

/**
 * The live value of a run's parameter or artifact, for notebooks, scripts and tests.
 *
 * Typed by the pipeline that made the run: `const model = await loadArtifact(trainPipeline, 'exp-001', 'model_data')`
 * (the name must be one of the pipeline's outputs, so a renamed return breaks the caller at compile time; the value
 * has the type the step returned). Untyped: `await loadArtifact<TrainedModel>('exp-001', 'model_data')`.
 * Import the module that registers a pickled value's class first, so it comes back as an instance. Catalog files
 * come back as Buffers (untyped form only).
 */
// The typed form is the last overload: when no overload fits, TypeScript 7 reports only the last one's error, and
// "'model_data' is not assignable to 'accuracy' | 'model'" is the one a caller needs (TypeScript 5 lists both).
export async function loadArtifact<T = unknown>(runId: string, name: string, options?: LoadArtifactOptions): Promise<T>;
export async function loadArtifact<Pl extends { readonly __out?: object; readonly steps: readonly unknown[] }, N extends keyof OutputsOf<Pl> & string>(
  pipeline: Pl,
  runId: string,
  name: N,
  options?: LoadArtifactOptions,
): Promise<OutputsOf<Pl>[N]>;
export async function loadArtifact(...args: unknown[]): Promise<unknown> {
  const [runId, name, options = {}] = (typeof args[0] === 'string' ? args : args.slice(1)) as [string, string, LoadArtifactOptions | undefined];
  const env = options.env ?? process.env;
  const problem = validateRunId(runId);
  if (problem) throw new ParameterError(`loadArtifact: ${problem}.`);
  const { store, catalog } = resolveStores(options, env);
  const log = await store.get(runId);
  return (await resolveArtifact(log, catalog, name)).value;
}

setArtifactLoader((runId, name, options) => loadArtifact(runId, name, options));
