import type { ExecuteOptions, RunResult } from '../engine/run';
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
