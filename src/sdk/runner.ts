import type { ExecuteOptions, RunResult } from '../engine/run';
import type { LoadArtifactOptions } from '../engine/artifacts';
import { RunnableError } from '../errors';
import type { AnyPipeline } from '../types/any';

/**
 * How `Pipeline.execute()` reaches the engine. The sdk sits below the engine (the engine reads the sdk's pipeline
 * definitions), so it cannot import it; the engine's run module registers itself here when it loads, and
 * `runnable-ts` (src/index.ts) loads it.
 */
export type PipelineRunner = (pipeline: AnyPipeline, options: ExecuteOptions) => Promise<RunResult>;

/** A function the engine registers when it loads; asking for it before is an error that says what to import. */
function engineHook<F>(): { set(f: F): void; get(): F } {
  let fn: F | undefined;
  return {
    set: (f) => void (fn = f),
    get: () => {
      if (!fn) throw new RunnableError("The runnable engine is not loaded: import the pipeline API from 'runnable-ts', which loads it.");
      return fn;
    },
  };
}

const runner = engineHook<PipelineRunner>();
export const setPipelineRunner = runner.set;
export const pipelineRunner = runner.get;

/** How `Pipeline.load()` reads a value of an earlier run: registered by the engine's artifacts module when it loads. */
export type ArtifactLoader = (runId: string, name: string, options: LoadArtifactOptions) => Promise<unknown>;

const loader = engineHook<ArtifactLoader>();
export const setArtifactLoader = loader.set;
export const artifactLoader = loader.get;
