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

let runner: PipelineRunner | undefined;

export function setPipelineRunner(r: PipelineRunner): void {
  runner = r;
}

export function pipelineRunner(): PipelineRunner {
  if (!runner) throw new RunnableError("The runnable engine is not loaded: import the pipeline API from 'runnable-ts', which loads it.");
  return runner;
}

/** How `Pipeline.load()` reads a value of an earlier run: registered by the engine's artifacts module when it loads. */
export type ArtifactLoader = (runId: string, name: string, options: LoadArtifactOptions) => Promise<unknown>;

let loader: ArtifactLoader | undefined;

export function setArtifactLoader(l: ArtifactLoader): void {
  loader = l;
}

export function artifactLoader(): ArtifactLoader {
  if (!loader) throw new RunnableError("The runnable engine is not loaded: import the pipeline API from 'runnable-ts', which loads it.");
  return loader;
}
