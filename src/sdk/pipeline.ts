import type { AnyStep, CheckStep, Entry, ParamEntries, Produced, StepEntry, StepIn, StepNameOf as VisibleStepName, StepOut, StepTypes, ToEntries } from '../types/steps';
import type { AllOutKeys, Named, BranchesEntries, ConditionalNewEntries, ConditionalOnCheck, ElementOf, LoopBranchCheck, LoopBreakCheck, MapOut, MapOverCheck, Reducers, WithEntry } from '../types/composites';
import type { ParamsCheck, ParamsIn, TaskStepCheck } from '../types/params';
import type { InferSchemaInput, InferSchemaOutput, ObjectSchema, StandardSchemaV1 } from '../types/standard-schema';
import { getTaskDefinition, pickStepOptions, type StepOptions, type TaskDefinition } from './task';
import { recordDefinition } from './definition';
import type { PipelineEvent } from '../engine/events';
import { PipelineDefinitionError } from '../errors';
import type { ExecuteOptions, RunResult } from '../engine/run';
import type { LoadArtifactOptions } from '../engine/artifacts';
import { artifactLoader, pipelineRunner } from './runner';
import type { AnyArgs, AnySteps, PipelineOfSteps } from '../types/any';

/* eslint-disable @typescript-eslint/no-explicit-any -- the builder's signatures are what users read in their editor:
   they show `Pipeline<any, any, any>` (test/types/editor.test.ts), where an alias from src/types/any.ts would show a
   name the package does not export. */

/**
 * How a pipeline's parameters are checked before a run: a Standard Schema (`.params(schema)`), or the names that
 * must be given when there is no schema (`.params<P>(defaults, { required })`).
 */
export interface ParamSpec {
  readonly schema?: StandardSchemaV1;
  readonly required?: readonly string[];
}

/** Options of `.params<P>(defaults, options)`. */
export interface ParamsOptions<R extends PropertyKey = string> {
  /**
   * Parameters that have no default and must be given (parameters file, `RUNNABLE_PRM_<name>` or
   * `execute({ params })`): a run without one of them stops before any step runs, naming it.
   */
  required?: readonly (R & string)[];
}

/** What a pipeline with a schema reads from outside: the schema's input (names with a schema default optional). */
type SchemaIn<S extends ObjectSchema> = InferSchemaInput<S> extends object ? InferSchemaInput<S> : {};

/** Whether a value implements Standard Schema v1 (zod, valibot and arktype schemas do; arktype's are functions). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if (!value || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const std = (value as { '~standard'?: { version?: unknown; validate?: unknown } })['~standard'];
  return !!std && typeof std === 'object' && std.version === 1 && typeof std.validate === 'function';
}

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

/**
 * FlowOptions whose on-failure pipeline is checked against the values in scope (C) before the step. (Until a
 * pipeline is given, OF is never and the option reads as a plain `Pipeline`: no error type in signature help.)
 */
export type TypedFlowOptions<C extends Entry, OF> = { onFailure?: OnFailureArg<C, OF>; terminate?: 'success' | 'failure' };
type OnFailureArg<C extends Entry, OF, C2 extends Entry = never> = [OF] extends [never] ? Pipeline<any, any> : CheckStep<C | C2, OF, 'onFailure: '>;

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
  readonly reducer?: Readonly<Record<string, (values: AnyArgs) => unknown>>;
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

const PIPELINE_BRAND = Symbol.for('runnable-ts.pipeline');

/**
 * A built pipeline. `P` is what it reads from outside (its parameters; those with a default are optional);
 * `Out` what its steps write (parameters no step re-wrote excluded); `S` the union of its steps (name, inputs,
 * outputs; branches included), which `runnable-ts/testing` uses to type-check mocks. It is itself a step type
 * (inputs P, outputs Out), so pipelines nest as branches.
 */
export class Pipeline<P extends object = {}, Out extends object = {}, S extends StepEntry = AnySteps> implements StepTypes<P, Out> {
  declare readonly __in?: P;
  /** The pipeline's steps at the type level (no runtime value). */
  declare readonly __steps?: S;
  /** What the pipeline's steps write: what a branch adds to its parent's scope. */
  declare readonly __out?: Out;
  readonly [PIPELINE_BRAND] = true;
  /** Set by the CLI (or found on first execute) so out-of-process executors can load the pipeline again. */
  definition?: DefinitionRef;

  constructor(
    readonly name: string,
    readonly steps: readonly StepSpec[],
    readonly defaults: Readonly<Record<string, unknown>>,
    /** The parameter schema or required names, checked before a run starts. */
    readonly paramSpec: ParamSpec = {},
  ) {}

  /**
   * Runs the pipeline with the configured executor (in-process by default). Resolves with the run's result when it
   * succeeds; rejects with ExecutionFailedError (carrying the run id) when it fails. The result's `values` are the
   * values the steps wrote, typed by the pipeline (`result.values.accuracy: number`); pickled ones are loaded from
   * the catalog when first read, or with `await result.load('model')`.
   */
  async execute(options: ExecuteOptions = {}): Promise<RunResult<Out>> {
    return pipelineRunner()(this, options) as Promise<RunResult<Out>>;
  }

  /**
   * The value a step of this pipeline wrote in an earlier run (`await trainPipeline.load('exp-001', 'model_data')`),
   * typed by the pipeline: the name must be one of its steps' returns, so renaming a return breaks the caller at
   * compile time. Pickled values come back live (import the module that registers their class first).
   */
  load<N extends keyof Out & string>(runId: string, name: N, options: LoadArtifactOptions = {}): Promise<Out[N]> {
    return artifactLoader()(runId, name, options) as Promise<Out[N]>;
  }

  /**
   * Runs the pipeline and yields its events as they happen (see {@link PipelineEvent}), ending with `run_finished`.
   * When the run fails, the iteration throws ExecutionFailedError after the last event, as `execute()` rejects.
   *
   *   for await (const e of pipeline.stream()) if (e.type === 'task_event') process.stdout.write(String(e.event));
   */
  stream(options: Omit<ExecuteOptions, 'onEvent'> = {}): AsyncIterable<PipelineEvent> {
    const self = this;
    return {
      [Symbol.asyncIterator](): AsyncIterator<PipelineEvent> {
        const queue: PipelineEvent[] = [];
        let wake: (() => void) | undefined;
        let settled = false;
        let failure: unknown;
        const run = self.execute({ ...options, onEvent: (e) => (queue.push(e), wake?.()) });
        run.then(
          () => (settled = true),
          (err: unknown) => ((settled = true), (failure = err)),
        ).finally(() => wake?.());
        return {
          async next(): Promise<IteratorResult<PipelineEvent>> {
            for (;;) {
              if (queue.length) return { value: queue.shift()!, done: false };
              if (settled) {
                if (failure !== undefined) {
                  const err = failure;
                  failure = undefined;
                  throw err;
                }
                return { value: undefined, done: true };
              }
              await new Promise<void>((resolve) => (wake = resolve));
              wake = undefined;
            }
          },
          async return(): Promise<IteratorResult<PipelineEvent>> {
            // the consumer stopped early: the run goes on; its failure (if any) must not become an unhandled rejection
            run.catch(() => undefined);
            return { value: undefined, done: true };
          },
        };
      },
    };
  }

  static isPipeline(value: unknown): value is Pipeline<any, any> {
    return !!value && typeof value === 'object' && (value as Record<symbol, unknown>)[PIPELINE_BRAND] === true;
  }
}

/**
 * The typed pipeline builder. Each `.step(X)` is checked against the values in scope: a missing or
 * incompatible input is a compile error at that `.step(...)`. (Never add a method named `then`: it would make
 * the builder a thenable and `await` on it would hang.)
 *
 * Type parameters: P, what the pipeline reads from outside; then the scope, kept in two parts so that a `.step()`
 * does not rebuild a union of every name in scope (which made a long chain's editor requests grow quadratically):
 * C/K/Names/St, the entries, names in scope, literal step names and step list up to the last seal, and
 * C2/K2/Names2/St2, what the steps since then added; Fill counts those steps, and at {@link FillLimit} the second
 * part is merged into the first. Composite steps and `build()` see the whole scope (`C | C2`, ...).
 */
export class PipelineBuilder<
  P extends object,
  C extends Entry,
  K extends PropertyKey = C['k'],
  Names extends string = never,
  St extends StepEntry = never,
  C2 extends Entry = never,
  K2 extends PropertyKey = never,
  Names2 extends string = never,
  St2 extends StepEntry = never,
  Fill extends number = 0,
> {
  constructor(
    private readonly pipelineName: string,
    private readonly specs: readonly StepSpec[],
    private readonly paramDefaults: Readonly<Record<string, unknown>>,
    private readonly paramsDeclared = false,
    private readonly paramSpec: ParamSpec = {},
  ) {}

  /**
   * Declares the pipeline's parameters: once, directly on `pipeline(...)`, before any step. Parameters come from
   * the parameters file (`--params`), `RUNNABLE_PRM_<name>` environment variables, `execute({ params })` or
   * defaults.
   *
   * With a schema (any Standard Schema: zod, valibot, arktype, ...), `.params(z.object({ test_size: z.number().default(0.2) }))`,
   * the parameter types are the schema's output type (names with a schema default are always present for later
   * steps), and every run validates and coerces the given values with it before any step runs.
   *
   * Without a schema, `params<{ n?: number; name: string }, 'n'>({ n: 3 }, { required: ['name'] })`: list the names
   * that have a default as the second type argument: they are then always present for later steps (typed
   * `number`, not `number | undefined`), and optional for a parent pipeline that uses this one as a branch.
   * `required` names the parameters a run must be given (checked before any step runs). Parameter types must be
   * JSON-like (they are read from JSON, YAML or the environment).
   */
  params<S extends ObjectSchema>(
    this: ParamsSlot & ParamsCheck<InferSchemaOutput<S>>,
    schema: S,
  ): PipelineBuilder<SchemaIn<S>, ParamEntries<InferSchemaOutput<S>>, keyof InferSchemaOutput<S>>;
  params<NP extends object, D extends keyof NP = never>(
    this: ParamsSlot & ParamsCheck<NP>,
    defaults?: { [K in D]-?: Exclude<NP[K], undefined> } & { [K in keyof NP]?: NP[K] },
    options?: ParamsOptions<Exclude<keyof NP, D>>,
  ): PipelineBuilder<ParamsIn<NP, D>, ParamEntries<Omit<NP, D> & { [K in D]-?: Exclude<NP[K], undefined> }>, keyof NP>;
  params(defaultsOrSchema?: object, options?: ParamsOptions): unknown {
    const self = this as unknown as PipelineBuilder<{}, never>;
    if (self.paramsDeclared || self.specs.length) {
      throw new PipelineDefinitionError(
        `pipeline '${self.pipelineName}': params() must come directly after pipeline(...), once, before any step (${self.paramsDeclared ? 'it is called a second time' : `it follows step '${self.specs.at(-1)!.name}'`}). Declare every parameter in one params<...>() call.`,
      );
    }
    if (isStandardSchema(defaultsOrSchema)) {
      return new PipelineBuilder(self.pipelineName, self.specs, self.paramDefaults, true, { schema: defaultsOrSchema });
    }
    const required = options?.required ?? [];
    if (!Array.isArray(required) || required.some((n) => typeof n !== 'string' || !n)) {
      throw new PipelineDefinitionError(`pipeline '${self.pipelineName}': params(defaults, { required }) takes an array of parameter names, got ${JSON.stringify(required)}`);
    }
    const defaulted = required.filter((n) => (defaultsOrSchema as Record<string, unknown> | undefined)?.[n] !== undefined);
    if (defaulted.length) {
      throw new PipelineDefinitionError(`pipeline '${self.pipelineName}': params(): ${defaulted.map((n) => `'${n}'`).join(', ')} ${defaulted.length > 1 ? 'have' : 'has'} a default, so ${defaulted.length > 1 ? 'they are' : 'it is'} never missing; remove ${defaulted.length > 1 ? 'them' : 'it'} from 'required'.`);
    }
    return new PipelineBuilder(self.pipelineName, self.specs, { ...self.paramDefaults, ...(defaultsOrSchema ?? {}) }, true, required.length ? { required: [...required] } : {});
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

  /** The builder with one more step (typed by the calling method's signature). */
  private add(spec: StepSpec): never {
    return new PipelineBuilder(this.pipelineName, [...this.specs, spec], this.paramDefaults, false, this.paramSpec) as never;
  }

  /** Appends a step: a `@Task` class, a `task()` function, `shell()` or `stub()`. Its returns are in scope for every later step. */
  // `S extends unknown ? ... : never` defers the key computation until S is known: written as a plain
  // `keyof StepOut<S>`, TS settles the condition too early and a later return of the same name would not replace
  // the earlier entry's type.
  step<
    S extends AnyStep,
    OF extends Pipeline<any, any> = never,
    const T extends 'success' | 'failure' | undefined = 'success' | 'failure' | undefined,
    const Nm extends string = never,
  >(
    // Names: the literal step names used so far (task() names, { name } options); a repeated one is refused
    step: DuplicateNameCheck<StepNameOf<S, Nm>, Names, Names2> extends true ? TaskStepCheck<C, S, K, C2, K2> : NoInfer<DuplicateNameCheck<StepNameOf<S, Nm>, Names, Names2>>,
    // the on-failure pipeline runs with the values in scope before the step: its inputs are checked against them
    options: Omit<StepCallOptions, 'onFailure' | 'terminate' | 'name'> & { onFailure?: OnFailureArg<C, OF, C2>; terminate?: T; name?: Nm } = {},
    // (NoInfer: T and Nm come from the options only. Inside an argument of a generic call, e.g. `expect(() => pipeline()
    // .step(A))`, TypeScript 7 also infers them from the return type expected there, which made a name 'used twice')
  ): [NoInfer<T>] extends ['success' | 'failure']
    ? TerminatedBuilder<P, C | C2, St | St2 | StepEntryOf<S, NoInfer<Nm>> | StepsOf<OF>>
    : Fill extends FillLimit
      ? PipelineBuilder<
          P,
          AfterStep<C, K, S> | AfterStep<C2, K2, S> | ToEntries<StepOut<S>>,
          K | K2 | NewNames<S>,
          Names | Names2 | StepNameOf<S, NoInfer<Nm>>,
          St | St2 | StepEntryOf<S, NoInfer<Nm>> | StepsOf<OF>
        >
      : PipelineBuilder<
          P,
          AfterStep<C, K, S>,
          K,
          Names,
          St,
          AfterStep<C2, K2, S> | ToEntries<StepOut<S>>,
          K2 | NewNames<S>,
          Names2 | StepNameOf<S, NoInfer<Nm>>,
          St2 | StepEntryOf<S, NoInfer<Nm>> | StepsOf<OF>,
          NextFill[Fill]
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
    return this.add({ kind: 'task', name, task: def, options: { ...def.options, ...pickStepOptions(options) }, ...this.flow(options as FlowOptions) }) as never;
  }

  /**
   * Runs several pipelines side by side (concurrently). Each branch sees the values in scope here; what the
   * branches return is merged back in declaration order (the last branch wins a name clash; the type of a name
   * returned by several branches is the union of their types).
   */
  parallel<const B extends Record<string, Pipeline<any, any>>, OF extends Pipeline<any, any> = never>(
    name: string,
    branches: { [K in keyof B]: CheckStep<C | C2, B[K], `branch '${K & string}': `> },
    options: TypedFlowOptions<C | C2, OF> = {},
  ): PipelineBuilder<P, Without<C | C2, B extends unknown ? BranchKeys<B> : never> | BranchesEntries<B>, K | K2 | (B extends unknown ? BranchKeys<B> : never), Names | Names2, St | St2 | StepsOf<B[keyof B]> | StepsOf<OF>> {
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
      over: MapOverCheck<C | C2, O, N>;
      as: As;
      branch: CheckStep<WithEntry<C | C2, As, ElementOf<C | C2, O>>, Br, `${Named<'map', N>} branch: `>;
      reducer?: R & Reducers<StepOut<Br>>;
      /** How many iterations run at the same time. Default 8. */
      concurrency?: number;
    } & TypedFlowOptions<C | C2, OF>,
  ): PipelineBuilder<P, Without<C | C2, NewNames<Br>> | ToEntries<MapOut<StepOut<Br>, R>>, K | K2 | NewNames<Br>, Names | Names2, St | St2 | StepsOf<Br> | StepsOf<OF>> {
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
      ...(o.reducer && { reducer: o.reducer as Record<string, (v: AnyArgs) => unknown> }),
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
      on: ConditionalOnCheck<C | C2, On, keyof B & string, N>;
      branches: { [K in keyof B]: CheckStep<C | C2, B[K], `branch '${K & string}': `> };
    } & TypedFlowOptions<C | C2, OF>,
    // after it: a name every branch writes has the union of their types; a name only some branches write keeps its
    // old value when another branch runs, so it is old | new (new | undefined when it had no value before)
  ): PipelineBuilder<P, Without<C | C2, B extends unknown ? AllOutKeys<B> : never> | ConditionalNewEntries<C | C2, B>, K | K2 | (B extends unknown ? AllOutKeys<B> : never), Names | Names2, St | St2 | StepsOf<B[keyof B]> | StepsOf<OF>> {
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
      // checked twice: against the scope before the loop (iteration 1) and against that scope updated with what
      // the branch returns (iteration 2 onwards receives what the previous iteration returned)
      branch: LoopBranchCheck<[Idx] extends [never] ? C | C2 : WithEntry<C | C2, Idx, number>, Br, N>;
      breakOn: LoopBreakCheck<StepOut<Br>, Brk, N>;
      maxIterations: number;
      indexAs?: Idx;
    } & TypedFlowOptions<C | C2, OF>,
  ): PipelineBuilder<P, Without<C | C2, NewNames<Br>> | ToEntries<StepOut<Br>>, K | K2 | NewNames<Br>, Names | Names2, St | St2 | StepsOf<Br> | StepsOf<OF>> {
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
  build(): Pipeline<P, { [E in Produced<C | C2> as E['k']]: E['v'] }, St | St2> {
    if (this.specs.length === 0) {
      throw new PipelineDefinitionError(`pipeline '${this.pipelineName}' has no steps; add at least one with .step(X)`);
    }
    const built = new Pipeline<P, { [E in Produced<C | C2> as E['k']]: E['v'] }, St | St2>(this.pipelineName, this.specs, this.paramDefaults, this.paramSpec);
    recordDefinition(built);
    return built;
  }
}

declare const params_only_directly_after_pipeline_once_before_any_step: unique symbol;
/**
 * Marks the builder returned by `pipeline(...)`, the only one on which `params()` may be called. Calling it
 * elsewhere is a compile error naming this rule: "Property '[params_only_directly_after_pipeline_once_before_any_step]'
 * is missing".
 */
export interface ParamsSlot {
  readonly [params_only_directly_after_pipeline_once_before_any_step]: true;
}

/** The literal name of a step: its `{ name }` option, else a task()'s name; never when not a literal (classes). */
// Only literal names are compared: `train_${string}` (a name computed at run time, as for tasks made in a loop) is
// not known here, and the engine refuses a duplicate when the file is loaded.
type StepNameOf<S, Nm extends string> = [Nm] extends [never] ? (S extends { readonly name: infer N extends string; readonly __task: unknown } ? ({} extends Record<N, 1> ? never : N) : never) : {} extends Record<Nm, 1> ? never : Nm;
type DuplicateNameCheck<N extends string, Names extends string, Names2 extends string = never> = [N] extends [never]
  ? true
  : N extends Names | Names2
    ? `✖ step name '${N}' is already used in this pipeline: name this use with .step(X, { name: '${N}_2' })`
    : true;

type AfterTerminate = '✖ nothing may follow a step with terminate: it could never run. Remove the step, or the terminate option';
/** The builder after a step with `terminate`: only build() is left. */
export interface TerminatedBuilder<P extends object, C extends Entry, St extends StepEntry = AnySteps> {
  build(): Pipeline<P, { [E in Produced<C> as E['k']]: E['v'] }, St>;
  step(this: AfterTerminate, ...args: unknown[]): TerminatedBuilder<P, C, St>;
  parallel(this: AfterTerminate, ...args: unknown[]): TerminatedBuilder<P, C, St>;
  map(this: AfterTerminate, ...args: unknown[]): TerminatedBuilder<P, C, St>;
  conditional(this: AfterTerminate, ...args: unknown[]): TerminatedBuilder<P, C, St>;
  loop(this: AfterTerminate, ...args: unknown[]): TerminatedBuilder<P, C, St>;
}

/** The step entries of a pipeline type (never for never: no on-failure pipeline). */
export type StepsOf<Pl> = Pl extends PipelineOfSteps<infer S> ? S : never;
/**
 * One step's entry for runnable-ts/testing: its name (`{ name }` option, else what the compiler sees), inputs,
 * outputs. A step whose name the compiler cannot see (a `@Task` class without `{ name }`) keeps only its outputs,
 * the only part its mocks are checked against; built from the output type alone, its entry is a type TypeScript
 * knows to be closed, so it is not re-instantiated at every later `.step()` call (the step list was the one
 * quadratic term of an editor request on a long chain: docs/type-safety.md).
 */
type StepEntryOf<S, Nm extends string> = EntryOf<[Nm] extends [never] ? VisibleStepName<S> : Nm, S>;
type EntryOf<N extends string, S> = string extends N ? Step<string, unknown, StepOut<S>> : Step<N, StepIn<S>, StepOut<S>>;
/** How a built pipeline's hover shows each of its steps: `Step<"train", { rows: number[] }, { model: Model }>`. */
type Step<N extends string, I, O> = { n: N; i: I; o: O };

type BranchKeys<B> = { [K in keyof B]: keyof StepOut<B[K]> }[keyof B];

/** The entries of C except those named Keys. */
type Without<C extends Entry, Keys> = C extends { k: Keys } ? never : C;
/** How many `.step()` calls the second part of the builder's scope takes before it is merged into the first. */
type FillLimit = 31;
type NextFill = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 0];
/**
 * The names a step returns. `S extends unknown ? ... : never` defers the key computation until S is known: written
 * as a plain `keyof StepOut<S>`, TS settles the conditions that use it too early and a later return of the same name
 * would not replace the earlier entry's type.
 */
type NewNames<S> = S extends unknown ? keyof StepOut<S> : never;
/**
 * One part (entries C, names K) of the scope after a step: without the entries the step re-writes. The guard skips
 * the per-entry scan when the step adds only new names (the common case): K, the union of the part's names, is
 * carried along so that this question (and "is this input there") is a binary search in a union of literals.
 */
type AfterStep<C extends Entry, K, S> = [Extract<NewNames<S>, K>] extends [never] ? C : Without<C, NewNames<S>>;

function checkBranchKey(key: string, what: string, where: string): void {
  if (!key || /[.%/\\]/.test(key)) throw new PipelineDefinitionError(`${where}: ${what}: branch name '${key}' is empty or contains '.', '%', '/' or '\\'`);
}

/** Starts a pipeline. `name` is recorded in the run log's run_config. */
export function pipeline(name = 'pipeline'): PipelineBuilder<{}, never> & ParamsSlot {
  return new PipelineBuilder<{}, never>(name, [], {}) as PipelineBuilder<{}, never> & ParamsSlot;
}
