import * as fs from 'node:fs';
import * as path from 'node:path';
import { Pipeline, PipelineBuilder } from '../sdk/pipeline';
import { UsageError } from './errors';
import { RunnableError } from '../errors';
import { register } from '../loader';
import type { AnyPipeline } from '../types/any';

/** Loads a pipeline file with the TypeScript loader (installed here: the CLI opts in for the user's own files). */
export function loadModule(file: string): Record<string, unknown> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new UsageError(`Pipeline file '${file}' does not exist (looked for ${abs}).`);
  register();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's pipeline file, loaded at run time
    return require(abs) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof RunnableError) throw err; // e.g. a @Task definition error: already says what to do
    const e = err as Error;
    throw new UsageError(`Could not load '${file}': ${e.name}: ${e.message.split('\n')[0]}`, { cause: err });
  }
}

/** The pipeline exported by a module: `exportName`, else the default export, else the only exported pipeline. */
export function findPipeline(mod: Record<string, unknown>, file: string, exportName?: string): { pipeline: AnyPipeline; exportName: string } | undefined {
  if (exportName) {
    const value = mod[exportName];
    if (value instanceof PipelineBuilder) {
      throw new UsageError(`'${file}' exports '${exportName}' as a pipeline that is not built yet: end it with .build().`);
    }
    if (!Pipeline.isPipeline(value)) {
      const found = Object.keys(mod).filter((k) => Pipeline.isPipeline(mod[k]));
      throw new UsageError(
        `'${file}' has no pipeline exported as '${exportName}'. ${found.length ? `Exported pipelines: ${found.join(', ')}.` : 'It exports no pipeline: export one built with pipeline()...build().'}`,
      );
    }
    return { pipeline: value, exportName };
  }
  if (Pipeline.isPipeline(mod.default)) return { pipeline: mod.default, exportName: 'default' };
  const found = Object.keys(mod).filter((k) => Pipeline.isPipeline(mod[k]));
  if (found.length === 1) return { pipeline: mod[found[0]!] as AnyPipeline, exportName: found[0]! };
  if (found.length > 1) throw new UsageError(`'${file}' exports several pipelines (${found.join(', ')}); choose one with --export <name>.`);
  const builders = Object.keys(mod).filter((k) => mod[k] instanceof PipelineBuilder);
  if (builders.length) {
    const name = builders[0] === 'default' ? 'export default' : `export const ${builders[0]} =`;
    throw new UsageError(`'${file}' exports a pipeline that is not built yet (${name} pipeline(...).step(...)): end it with .build(), e.g. ${name} pipeline('name').step(A).build();`);
  }
  return undefined;
}
