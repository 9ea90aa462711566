import type { AnyStep, CheckStep, Entry, FromEntries, StepOut, StepTypes, ToEntries } from '../types/steps';
import { getTaskDefinition, pickStepOptions, type StepOptions, type TaskDefinition } from './task';
import { PipelineDefinitionError } from '../errors';
import { currentLaunch } from '../engine/launch';
import { executePipeline, type ExecuteOptions, type RunResult } from '../engine/run';

/** Options of `.step(X, options)`; they override the task's own options for this step. */
export interface StepCallOptions extends StepOptions {
  /** Step name in the run log; defaults to the task's name. Needed when the same task is used twice. */
  name?: string;
}

/** A step as recorded by the builder (runtime shape; the types live in the builder's type parameters). */
export interface TaskStepSpec {
  readonly kind: 'task';
  readonly name: string;
  readonly task: TaskDefinition;
  readonly options: StepOptions;
}
export type StepSpec = TaskStepSpec;

/** Where the pipeline was defined, so that another process can load it again (`file#export`). */
export interface DefinitionRef {
  file: string;
  exportName: string;
}

const PIPELINE_BRAND = Symbol.for('runnable-ts.pipeline');

/**
 * A built pipeline. `P` is the declared parameters type; `C` the union of values in scope at its end.
 * It is itself a step type (inputs P, outputs everything it produced), so pipelines nest as branches.
 */
export class Pipeline<P extends object = {}, C extends Entry = never> implements StepTypes<P, FromEntries<C>> {
  declare readonly __in?: P;
  declare readonly __out?: FromEntries<C>;
  readonly [PIPELINE_BRAND] = true;
  /** Set by the CLI (or found on first execute) so out-of-process executors can load the pipeline again. */
  definition?: DefinitionRef;

  constructor(
    readonly name: string,
    readonly steps: readonly StepSpec[],
    readonly defaults: Readonly<Record<string, unknown>>,
  ) {}

  /**
   * Runs the pipeline with the configured executor (in-process by default). Resolves with the run's result when it
   * succeeds; rejects with ExecutionFailedError (carrying the run id) when it fails.
   */
  async execute(options: ExecuteOptions = {}): Promise<RunResult> {
    const launch = currentLaunch();
    if (!launch) return executePipeline(this, options);
    if (launch.loadOnly) return new Promise<RunResult>(() => undefined);
    let run = launch.runs.get(this);
    if (!run) {
      run = executePipeline(this, { ...options, ...launch.options });
      launch.runs.set(this, run);
      launch.onFirstRun(run);
    }
    return run;
  }

  static isPipeline(value: unknown): value is Pipeline<any, any> {
    return !!value && typeof value === 'object' && (value as Record<symbol, unknown>)[PIPELINE_BRAND] === true;
  }
}

/**
 * The typed pipeline builder. Each `.step(X)` is checked against the values in scope: a missing or
 * incompatible input is a compile error at that `.step(...)`. (Never add a method named `then`: it would make
 * the builder a thenable and `await` on it would hang.)
 */
export class PipelineBuilder<P extends object, C extends Entry> {
  constructor(
    private readonly pipelineName: string,
    private readonly specs: readonly StepSpec[],
    private readonly paramDefaults: Readonly<Record<string, unknown>>,
  ) {}

  /**
   * Declares the pipeline's parameters (type only, plus optional defaults). Parameters come from the
   * parameters file (`--params`), `RUNNABLE_PRM_<name>` environment variables, or these defaults.
   */
  params<NP extends object>(defaults?: { [K in keyof NP]?: NP[K] }): PipelineBuilder<NP, (C extends { k: keyof NP } ? never : C) | ToEntries<NP>> {
    return new PipelineBuilder(this.pipelineName, this.specs, { ...this.paramDefaults, ...(defaults ?? {}) });
  }

  /** Appends a step: a `@Task` class or a `task()` function. Its returns are in scope for every later step. */
  // `S extends unknown ? ... : never` defers the key computation until S is known: written as a plain
  // `keyof StepOut<S>`, TS settles the condition too early and a later return of the same name would not replace
  // the earlier entry's type.
  step<S extends AnyStep>(
    step: CheckStep<C, S>,
    options: StepCallOptions = {},
  ): PipelineBuilder<P, (C extends { k: S extends unknown ? keyof StepOut<S> : never } ? never : C) | ToEntries<StepOut<S>>> {
    const def = getTaskDefinition(step);
    const where = `pipeline '${this.pipelineName}', step #${this.specs.length + 1}`;
    if (!def) {
      const label = typeof step === 'function' ? `class ${(step as Function).name}` : String(step);
      throw new PipelineDefinitionError(
        `${where}: ${label} is not a task. Decorate the class with @Task({ returns: [...] }) or wrap a function with task(fn, { name, returns }).`,
      );
    }
    const name = options.name ?? def.name;
    if (/[.%]/.test(name) || !name) {
      throw new PipelineDefinitionError(`${where}: step name '${name}' is empty or contains '.' or '%'; rename it.`);
    }
    if (name === 'success' || name === 'fail') {
      throw new PipelineDefinitionError(`${where}: '${name}' is reserved for the terminal step; give the step another name with .step(X, { name })`);
    }
    const dup = this.specs.find((s) => s.name === name);
    if (dup) {
      throw new PipelineDefinitionError(
        `${where}: step names should be unique. Found duplicate: '${name}'. Name the second use with .step(X, { name: '${name}_2' }).`,
      );
    }
    const spec: TaskStepSpec = { kind: 'task', name, task: def, options: { ...def.options, ...pickStepOptions(options) } };
    return new PipelineBuilder(this.pipelineName, [...this.specs, spec], this.paramDefaults);
  }

  /** Finishes the pipeline. */
  build(): Pipeline<P, C> {
    if (this.specs.length === 0) {
      throw new PipelineDefinitionError(`pipeline '${this.pipelineName}' has no steps; add at least one with .step(X)`);
    }
    return new Pipeline<P, C>(this.pipelineName, this.specs, this.paramDefaults);
  }
}

/** Starts a pipeline. `name` is recorded in the run log's run_config. */
export function pipeline(name = 'pipeline'): PipelineBuilder<{}, never> {
  return new PipelineBuilder<{}, never>(name, [], {});
}
