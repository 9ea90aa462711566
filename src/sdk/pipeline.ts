import type { AnyStep, CheckStep, Entry, FromEntries, StepOut, StepTypes, ToEntries } from '../types/steps';
import type { BranchesEntries, CommonOut, ConditionalOnCheck, ElementOf, LoopBreakCheck, MapOut, MapOverCheck, Reducers, WithEntry } from '../types/composites';
import { getTaskDefinition, pickStepOptions, type StepOptions, type TaskDefinition } from './task';
import { PipelineDefinitionError } from '../errors';
import { currentLaunch } from '../engine/launch';
import { executePipeline, type ExecuteOptions, type RunResult } from '../engine/run';

/** What happens around a step: a recovery pipeline when it fails, or ending the pipeline after it. */
export interface FlowOptions {
  /**
   * Run this pipeline (in the same scope) when the step fails. When it completes, the pipeline ends with success
   * (or failure, if its last step has `terminate: 'failure'`); the steps after the failed one do not run.
   */
  onFailure?: Pipeline<any, any>;
  /** End the pipeline after this step succeeds, with this status. Nothing may follow the step. */
  terminate?: 'success' | 'failure';
}

/** FlowOptions whose on-failure pipeline is checked against the values in scope (C) before the step. */
export type TypedFlowOptions<C extends Entry, OF> = { onFailure?: CheckStep<C, OF, 'onFailure: '>; terminate?: 'success' | 'failure' };

/** Options of `.step(X, options)`; they override the task's own options for this step. */
export interface StepCallOptions extends StepOptions, FlowOptions {
  /** Step name in the run log; defaults to the task's name. Needed when the same task is used twice. */
  name?: string;
}

/** A step as recorded by the builder (runtime shape; the types live in the builder's type parameters). */
export interface TaskStepSpec extends FlowOptions {
  readonly kind: 'task';
  readonly name: string;
  readonly task: TaskDefinition;
  readonly options: StepOptions;
}
export interface ParallelStepSpec extends FlowOptions {
  readonly kind: 'parallel';
  readonly name: string;
  readonly branches: Readonly<Record<string, Pipeline<any, any>>>;
}
export interface MapStepSpec extends FlowOptions {
  readonly kind: 'map';
  readonly name: string;
  readonly over: string;
  readonly as: string;
  readonly branch: Pipeline<any, any>;
  readonly reducer?: Readonly<Record<string, (values: any[]) => unknown>>;
  readonly concurrency?: number;
}
export interface ConditionalStepSpec extends FlowOptions {
  readonly kind: 'conditional';
  readonly name: string;
  readonly on: string;
  readonly branches: Readonly<Record<string, Pipeline<any, any>>>;
}
export interface LoopStepSpec extends FlowOptions {
  readonly kind: 'loop';
  readonly name: string;
  readonly branch: Pipeline<any, any>;
  readonly breakOn: string;
  readonly maxIterations: number;
  readonly indexAs?: string;
}
export type StepSpec = TaskStepSpec | ParallelStepSpec | MapStepSpec | ConditionalStepSpec | LoopStepSpec;

/** Where the pipeline was defined, so that another process can load it again (`file#export`). */
export interface DefinitionRef {
  file: string;
  exportName: string;
}

/** Entries of C that are not just the pipeline's own parameters passed through (same name and exactly the same type). */
type Produced<C extends Entry, P> = C extends { k: infer K; v: infer V }
  ? K extends keyof P
    ? [V] extends [P[K]]
      ? [P[K]] extends [V]
        ? never
        : C
      : C
    : C
  : never;

const PIPELINE_BRAND = Symbol.for('runnable-ts.pipeline');

/**
 * A built pipeline. `P` is the declared parameters type; `C` the union of values in scope at its end.
 * It is itself a step type (inputs P, outputs everything it produced), so pipelines nest as branches.
 */
export class Pipeline<P extends object = {}, C extends Entry = never> implements StepTypes<P, FromEntries<Produced<C, P>>> {
  declare readonly __in?: P;
  /** What the pipeline produces (its parameters excluded): what a branch adds to its parent's scope. */
  declare readonly __out?: FromEntries<Produced<C, P>>;
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

  private where(): string {
    return `pipeline '${this.pipelineName}', step #${this.specs.length + 1}`;
  }

  private checkName(name: string): void {
    const where = this.where();
    if (typeof name !== 'string' || !name || /[.%]/.test(name)) {
      throw new PipelineDefinitionError(`${where}: step name '${name}' is empty or contains '.' or '%'; rename it.`);
    }
    if (/[/\\]/.test(name)) {
      throw new PipelineDefinitionError(`${where}: step name '${name}' contains '/' or '\\'; step names become file names in the run log and catalog. Rename it (e.g. '${name.replace(/[/\\]/g, '_')}').`);
    }
    if (name === 'success' || name === 'fail') {
      throw new PipelineDefinitionError(`${where}: '${name}' is reserved for the terminal step; give the step another name with .step(X, { name })`);
    }
    if (this.specs.some((s) => s.name === name)) {
      throw new PipelineDefinitionError(`${where}: step names should be unique. Found duplicate: '${name}'. Name the second use with .step(X, { name: '${name}_2' }).`);
    }
    const last = this.specs.at(-1);
    if (last?.terminate) {
      throw new PipelineDefinitionError(`${where}: step '${name}' follows '${last.name}', which ends the pipeline (terminate: '${last.terminate}'); it could never run.`);
    }
  }

  private checkPipeline(p: unknown, what: string): Pipeline<any, any> {
    if (!Pipeline.isPipeline(p)) throw new PipelineDefinitionError(`${this.where()}: ${what} must be a built pipeline (pipeline(...)...build())`);
    return p;
  }

  private flow(o: FlowOptions): FlowOptions {
    const out: { onFailure?: Pipeline<any, any>; terminate?: 'success' | 'failure' } = {};
    if (o.onFailure !== undefined) out.onFailure = this.checkPipeline(o.onFailure, 'onFailure');
    if (o.terminate !== undefined) {
      if (o.terminate !== 'success' && o.terminate !== 'failure') throw new PipelineDefinitionError(`${this.where()}: terminate must be 'success' or 'failure'`);
      out.terminate = o.terminate;
    }
    return out;
  }

  private add<NC extends Entry>(spec: StepSpec): PipelineBuilder<P, NC> {
    return new PipelineBuilder<P, NC>(this.pipelineName, [...this.specs, spec], this.paramDefaults);
  }

  /** Appends a step: a `@Task` class, a `task()` function, `shell()` or `stub()`. Its returns are in scope for every later step. */
  // `S extends unknown ? ... : never` defers the key computation until S is known: written as a plain
  // `keyof StepOut<S>`, TS settles the condition too early and a later return of the same name would not replace
  // the earlier entry's type.
  step<S extends AnyStep, OF extends Pipeline<any, any> = never>(
    step: CheckStep<C, S>,
    // the on-failure pipeline runs with the values in scope before the step: its inputs are checked against them
    options: Omit<StepCallOptions, 'onFailure'> & { onFailure?: CheckStep<C, OF, 'onFailure: '> } = {},
  ): PipelineBuilder<
    P,
    // The guard skips the per-entry scan when the step adds only new names (the common case): half the
    // instantiations of a 500-step pipeline.
    | ([C['k'] & (S extends unknown ? keyof StepOut<S> : never)] extends [never] ? C : C extends { k: S extends unknown ? keyof StepOut<S> : never } ? never : C)
    | ToEntries<StepOut<S>>
  > {
    const def = getTaskDefinition(step);
    if (!def) {
      const label = Pipeline.isPipeline(step)
        ? `pipeline '${step.name}'`
        : typeof step === 'function'
          ? `class ${(step as Function).name}`
          : String(step);
      const hint = Pipeline.isPipeline(step)
        ? 'To nest a pipeline, make it a branch: .parallel(name, { main: thatPipeline }).'
        : 'Decorate the class with @Task({ returns: [...] }) or wrap a function with task(fn, { name, returns }).';
      throw new PipelineDefinitionError(`${this.where()}: ${label} is not a task. ${hint}`);
    }
    const name = options.name ?? def.name;
    this.checkName(name);
    return this.add({ kind: 'task', name, task: def, options: { ...def.options, ...pickStepOptions(options) }, ...this.flow(options as FlowOptions) });
  }

  /**
   * Runs several pipelines side by side (concurrently). Each branch sees the values in scope here; what the
   * branches return is merged back in declaration order (the last branch wins a name clash; the type of a name
   * returned by several branches is the union of their types).
   */
  parallel<const B extends Record<string, Pipeline<any, any>>, OF extends Pipeline<any, any> = never>(
    name: string,
    branches: { [K in keyof B]: CheckStep<C, B[K], `branch '${K & string}': `> },
    options: TypedFlowOptions<C, OF> = {},
  ): PipelineBuilder<P, (C extends { k: B extends unknown ? BranchKeys<B> : never } ? never : C) | BranchesEntries<B>> {
    this.checkName(name);
    const entries = Object.entries(branches as Record<string, unknown>);
    if (!entries.length) throw new PipelineDefinitionError(`${this.where()}: parallel '${name}' has no branches`);
    const out: Record<string, Pipeline<any, any>> = {};
    for (const [k, v] of entries) {
      checkBranchKey(k, `parallel '${name}'`, this.where());
      out[k] = this.checkPipeline(v, `branch '${k}' of parallel '${name}'`);
    }
    return this.add({ kind: 'parallel', name, branches: out, ...this.flow(options as FlowOptions) });
  }

  /**
   * Runs `branch` once per item of the array `over`, the item visible to the branch as `as` (typed as the element).
   * Each value the branch returns becomes, in scope after the map, the array of the iterations' values in item
   * order, or what its reducer makes of that array. Iterations run concurrently, at most `concurrency` at a time.
   */
  map<const N extends string, const O extends string, const As extends string, Br extends Pipeline<any, any>, R = {}, OF extends Pipeline<any, any> = never>(
    name: N,
    opts: {
      over: MapOverCheck<C, O, N>;
      as: As;
      branch: CheckStep<WithEntry<C, As, ElementOf<C, O>>, Br, `map '${N}' branch: `>;
      reducer?: R & Reducers<StepOut<Br>>;
      /** How many iterations run at the same time. Default 8. */
      concurrency?: number;
    } & TypedFlowOptions<C, OF>,
  ): PipelineBuilder<P, (C extends { k: Br extends unknown ? keyof StepOut<Br> : never } ? never : C) | ToEntries<MapOut<StepOut<Br>, R>>> {
    this.checkName(name);
    const where = this.where();
    const o = opts as unknown as { over: string; as: string; branch: unknown; reducer?: Record<string, unknown>; concurrency?: number } & FlowOptions;
    if (typeof o.over !== 'string' || !o.over) throw new PipelineDefinitionError(`${where}: map '${name}' needs 'over', the name of an array in scope`);
    if (typeof o.as !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(o.as)) throw new PipelineDefinitionError(`${where}: map '${name}': 'as' must be a valid name, got '${o.as}'`);
    if (o.as === '__proto__' || o.as === 'constructor' || o.as === 'prototype') throw new PipelineDefinitionError(`${where}: map '${name}': 'as' cannot be '${o.as}' (reserved by JavaScript objects); rename it.`);
    if (o.concurrency !== undefined && (!Number.isInteger(o.concurrency) || o.concurrency < 1)) {
      throw new PipelineDefinitionError(`${where}: map '${name}': concurrency must be a whole number ≥ 1, got ${o.concurrency}`);
    }
    for (const [k, f] of Object.entries(o.reducer ?? {})) {
      if (typeof f !== 'function') throw new PipelineDefinitionError(`${where}: map '${name}': the reducer of '${k}' is not a function`);
    }
    const spec: MapStepSpec = {
      kind: 'map',
      name,
      over: o.over,
      as: o.as,
      branch: this.checkPipeline(o.branch, `the branch of map '${name}'`),
      ...(o.reducer && { reducer: o.reducer as Record<string, (v: any[]) => unknown> }),
      ...(o.concurrency !== undefined && { concurrency: o.concurrency }),
      ...this.flow(o),
    };
    return this.add(spec);
  }

  /**
   * Runs the branch whose key equals the value of `on` (compared as a string). Only values that every branch
   * returns are in scope after it. A value that matches no branch fails the step, listing the branch names.
   */
  conditional<const N extends string, const On extends string, const B extends Record<string, Pipeline<any, any>>, OF extends Pipeline<any, any> = never>(
    name: N,
    opts: {
      on: ConditionalOnCheck<C, On, keyof B & string, N>;
      branches: { [K in keyof B]: CheckStep<C, B[K], `branch '${K & string}': `> };
    } & TypedFlowOptions<C, OF>,
  ): PipelineBuilder<P, (C extends { k: B extends unknown ? keyof CommonOut<B> : never } ? never : C) | ToEntries<CommonOut<B>>> {
    this.checkName(name);
    const o = opts as unknown as { on: string; branches: Record<string, unknown> } & FlowOptions;
    if (typeof o.on !== 'string' || !o.on) throw new PipelineDefinitionError(`${this.where()}: conditional '${name}' needs 'on', the name of a value in scope`);
    const entries = Object.entries(o.branches ?? {});
    if (!entries.length) throw new PipelineDefinitionError(`${this.where()}: conditional '${name}' has no branches`);
    const branches: Record<string, Pipeline<any, any>> = {};
    for (const [k, v] of entries) {
      checkBranchKey(k, `conditional '${name}'`, this.where());
      branches[k] = this.checkPipeline(v, `branch '${k}' of conditional '${name}'`);
    }
    return this.add({ kind: 'conditional', name, on: o.on, branches, ...this.flow(o) });
  }

  /**
   * Runs `branch` repeatedly (do-while) until the boolean it returns as `breakOn` is true, at most
   * `maxIterations` times (reaching the limit is not a failure). Each iteration sees the values of the previous one
   * and, as `indexAs`, its 0-based index. What the last iteration returned is in scope after the loop.
   */
  loop<const N extends string, Br extends Pipeline<any, any>, const Brk extends string, const Idx extends string = never, OF extends Pipeline<any, any> = never>(
    name: N,
    opts: {
      branch: CheckStep<[Idx] extends [never] ? C : WithEntry<C, Idx, number>, Br, `loop '${N}' branch: `>;
      breakOn: LoopBreakCheck<StepOut<Br>, Brk, N>;
      maxIterations: number;
      indexAs?: Idx;
    } & TypedFlowOptions<C, OF>,
  ): PipelineBuilder<P, (C extends { k: Br extends unknown ? keyof StepOut<Br> : never } ? never : C) | ToEntries<StepOut<Br>>> {
    this.checkName(name);
    const where = this.where();
    const o = opts as unknown as { branch: unknown; breakOn: string; maxIterations: number; indexAs?: string } & FlowOptions;
    if (!Number.isInteger(o.maxIterations) || o.maxIterations < 1) {
      throw new PipelineDefinitionError(`${where}: loop '${name}': maxIterations must be a whole number ≥ 1, got ${o.maxIterations}`);
    }
    if (typeof o.breakOn !== 'string' || !o.breakOn) throw new PipelineDefinitionError(`${where}: loop '${name}' needs 'breakOn', a boolean the branch returns`);
    if (o.indexAs !== undefined && !/^[A-Za-z_$][\w$]*$/.test(o.indexAs)) throw new PipelineDefinitionError(`${where}: loop '${name}': 'indexAs' must be a valid name`);
    const spec: LoopStepSpec = {
      kind: 'loop',
      name,
      branch: this.checkPipeline(o.branch, `the branch of loop '${name}'`),
      breakOn: o.breakOn,
      maxIterations: o.maxIterations,
      ...(o.indexAs !== undefined && { indexAs: o.indexAs }),
      ...this.flow(o),
    };
    return this.add(spec);
  }

  /** Finishes the pipeline. */
  build(): Pipeline<P, C> {
    if (this.specs.length === 0) {
      throw new PipelineDefinitionError(`pipeline '${this.pipelineName}' has no steps; add at least one with .step(X)`);
    }
    return new Pipeline<P, C>(this.pipelineName, this.specs, this.paramDefaults);
  }
}

type BranchKeys<B> = { [K in keyof B]: keyof StepOut<B[K]> }[keyof B];

function checkBranchKey(key: string, what: string, where: string): void {
  if (!key || /[.%/\\]/.test(key)) throw new PipelineDefinitionError(`${where}: ${what}: branch name '${key}' is empty or contains '.', '%', '/' or '\\'`);
}

/** Starts a pipeline. `name` is recorded in the run log's run_config. */
export function pipeline(name = 'pipeline'): PipelineBuilder<{}, never> {
  return new PipelineBuilder<{}, never>(name, [], {});
}
