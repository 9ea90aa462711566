import type { RunContext, Scope } from '../engine/context';
import type { Graph, TaskNode } from '../graph/graph';
import type { StepLog } from '../stores/run-log/types';

/** Where a pipeline is defined: enough for another process (a child, a container, a pod) to load it again. */
export interface PipelineRef {
  /** The pipeline file, relative to `cwd` of the invocation (or absolute). */
  file: string;
  /** The export that holds the built pipeline (`default` for `export default`). */
  exportName: string;
}

/**
 * One attempt of one task step, described by recorded state only: a plain, serialisable value. Whatever runs it
 * (a child process, a container, an Argo pod) loads the pipeline from `pipeline`, reads the step's inputs from the
 * run log and catalog of `runId`, and records the attempt there; the engine then reads the outcome from the store.
 */
export interface StepInvocation {
  runId: string;
  /** The step's dot path in the run log: `train`, `map_state.3.train`, `par.left.loop.0.step`. */
  step: string;
  pipeline: PipelineRef;
  /** The attempt number this invocation records (1, 2, ...: retries within the run, and `runnable retry`). */
  attempt: number;
  /** The configuration file the run uses (undefined: the embedded defaults or the one found from `cwd`). */
  configFile?: string;
  /** The values of the iteration variables of the enclosing map and loop branches (also in their branch logs). */
  iteration: Record<string, unknown>;
  /** The working folder of the run: the pipeline file, catalog patterns and the configuration are relative to it. */
  cwd: string;
  /** Name of the step's `overrides` block for this executor (`.step(X, { overrides: { emulator: 'big' } })`). */
  overrides?: string;
}

/** What an out-of-process executor reports about one invocation. */
export interface StepOutcome {
  /** FAIL also when the step's process could not start or died before recording its attempt. */
  status: 'SUCCESS' | 'FAIL';
  /** Why, when the process itself failed (exit code, signal, container error): recorded if the step could not. */
  message?: string;
}

/** Passed to `runStep` by the engine. */
export interface StepIO {
  /** Show what the step printed (verbose console); called with chunks as they arrive. */
  output?(text: string, stream: 'stdout' | 'stderr'): void;
  /** Local folders the step's process needs to see (working folder, project, run-log store, catalog, dotenv file). */
  folders?: readonly string[];
  /** Names of the secrets the step declared: the only ones to pass to its process. */
  secrets?: readonly string[];
}

/**
 * Extension point: WHERE a task step runs. WHAT a step means (inputs, returns, statuses, attempts) is engine/'s job.
 *
 * - In-process executors (`local`, `mocked`) implement `executeTask` and get live objects.
 * - Out-of-process executors (`emulator`, `local-container`) implement `runStep`: the engine hands them one
 *   `StepInvocation` per attempt and reads the step's log and outputs back from the run-log store, as any other
 *   process would. Attempts live in the engine: one invocation is one attempt, and the engine decides whether to
 *   try again (so a transpiler can give the same decision to Argo's retryStrategy: each pod run is one attempt).
 * - Transpiling executors (`argo`) take the whole graph instead of running it.
 */
export interface Executor {
  readonly type: string;
  config(): Record<string, unknown>;
  /** In-process: executes a task node (all its attempts) and resolves with its step log. */
  executeTask?(ctx: RunContext, node: TaskNode, scope: Scope): Promise<StepLog>;
  /** Out-of-process: runs one attempt of a step from recorded state. */
  runStep?(invocation: StepInvocation, io: StepIO): Promise<StepOutcome>;
  /** Stops everything it started (Ctrl-C, SIGTERM): children are killed, not orphaned. */
  abort?(): Promise<void>;
  /** Checks the executor's settings against the pipeline before the run starts (e.g. step names it refers to). Throws a typed error. */
  validate?(graph: Graph): void;
}
