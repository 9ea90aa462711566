import type { ExecuteOptions, RunResult } from './run';
import type { AnyPipeline } from '../types/any';

/**
 * When the `runnable` CLI loads a pipeline file, it owns the run: options from the command line apply to the
 * pipeline's execute() even when the file calls it itself, and every execute() of the same pipeline during the
 * launch shares one run (the file's own call and the CLI's never start two runs).
 */
export interface Launch {
  options: ExecuteOptions;
  runs: Map<AnyPipeline, Promise<RunResult>>;
  /** Resolved with the first run started during the launch. */
  onFirstRun: (p: Promise<RunResult>) => void;
  /** The CLI only loads the file (to register classes): execute() calls start nothing and never settle. */
  loadOnly?: boolean;
}

let current: Launch | undefined;

export function setLaunch(l: Launch | undefined): void {
  current = l;
}

export function currentLaunch(): Launch | undefined {
  return current;
}

/** Runs the pipeline, within the CLI's launch when there is one: what `Pipeline.execute()` does. */
export function executeInLaunch(pipeline: AnyPipeline, options: ExecuteOptions, execute: (p: AnyPipeline, o: ExecuteOptions) => Promise<RunResult>): Promise<RunResult> {
  const launch = current;
  if (!launch) return execute(pipeline, options);
  if (launch.loadOnly) return new Promise<RunResult>(() => undefined);
  let run = launch.runs.get(pipeline);
  if (!run) {
    run = execute(pipeline, { ...options, ...launch.options });
    launch.runs.set(pipeline, run);
    launch.onFirstRun(run);
  }
  return run;
}
