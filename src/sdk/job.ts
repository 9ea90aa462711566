/**
 * Jobs: a single task run on its own, without a pipeline (the Python original's PythonJob / ShellJob).
 *
 * A job is a one-step pipeline to the engine (same run log, catalog, executors, retry, inspect), marked as a job in
 * the run log (`run_config.kind: "job"`). Its parameters are the task's inputs, so `execute({ params })` is typed.
 */
import type { AnyStep, RequiredKeys, StepIn, StepOut } from '../types/steps';
import type { ParamsProblem } from '../types/params';
import type { InferSchemaInput, InferSchemaOutput, ObjectSchema, StandardSchemaV1 } from '../types/standard-schema';
import { getTaskDefinition, pickStepOptions, type StepOptions } from './task';
import { isStandardSchema, Pipeline, type ParamSpec, type TaskStepSpec } from './pipeline';
import { recordDefinition } from './definition';
import { PipelineDefinitionError } from '../errors';
import type { ExecuteOptions, RunResult } from '../engine/run';

const JOB_BRAND = Symbol.for('runnable-ts.job');

/** Options of `job(X, options)`; they override the task's own options (catalog, secrets, retry, timeout, overrides). */
export interface JobOptions<P> extends StepOptions {
  /** The job's name (`run_config.pipeline_name`, the Kubernetes CronJob's name). Default: the task's name. */
  name?: string;
  /** Values of the task's inputs used when neither the parameters file, `RUNNABLE_PRM_<name>` nor `execute({ params })` gives one. */
  defaults?: { [K in keyof P]?: P[K] };
  /**
   * A Standard Schema (zod, valibot, arktype, ...) of the job's parameters: every run validates and coerces the
   * given values with it before the task runs, as `.params(schema)` does for a pipeline (docs/parameters.md). Its
   * output type must give the task its inputs; defaults then belong in the schema.
   */
  params?: StandardSchemaV1;
}


/** `job(X, { params: schema })`: the schema, when its output gives the task its inputs, else the reason. */
export type JobSchemaCheck<Sch extends ObjectSchema, In> = [InferSchemaOutput<Sch>] extends [In]
  ? Sch
  : NoInfer<`✖ job(): the params schema's output does not give the task its inputs: each input needs a property of the same name and a type it accepts (${[Exclude<RequiredKeys<In>, keyof InferSchemaOutput<Sch>>] extends [never] ? 'a type differs' : `missing: ${Exclude<RequiredKeys<In>, keyof InferSchemaOutput<Sch>> & string}`})`>;

/** `execute()` options of a job: `params` are checked against the task's inputs. */
export type JobExecuteOptions<P> = Omit<ExecuteOptions, 'params'> & {
  /** Values of the task's inputs; they override the parameters file and the environment. */
  params?: { [K in keyof P]?: P[K] };
};

/**
 * A task run on its own. `P` is the task's input type (the job's parameters), `Out` what it returns. It is a
 * `Pipeline` of one step, so everything that runs a pipeline runs a job (`runnable job`, `runnable retry`, every
 * executor); the run log records `run_config.kind: "job"`.
 */
export class Job<P extends object = {}, Out extends object = {}> extends Pipeline<P, Out> {
  readonly [JOB_BRAND] = true;
  readonly kind = 'job' as const;
  /** The task step's name in the run log (`steps.<stepName>`). */
  readonly stepName: string;

  constructor(name: string, step: TaskStepSpec, defaults: Readonly<Record<string, unknown>>, paramSpec: ParamSpec = {}) {
    super(name, [step], defaults, paramSpec);
    this.stepName = step.name;
  }

  /**
   * Runs the job with the configured executor. Resolves with the run's result when the task succeeds; rejects with
   * ExecutionFailedError (carrying the run id) when it fails (after its `retry` attempts).
   */
  override execute(options: JobExecuteOptions<P> = {}): Promise<RunResult<Out>> {
    return super.execute(options as ExecuteOptions);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- users' editors show this signature: an alias from src/types/any.ts would show a name the package does not export
  static isJob(value: unknown): value is Job<any, any> {
    return Pipeline.isPipeline(value) && (value as unknown as Record<symbol, unknown>)[JOB_BRAND] === true;
  }
}

/** The job of a task: its parameters are the schema's input when it has one, else the task's inputs. */
type JobOf<S, Sch extends ObjectSchema> = Job<[Sch] extends [never] ? JobParams<S> : InferSchemaInput<Sch> extends infer I extends object ? I : {}, StepOut<S>>;

/** What a pipeline value is to the engine and the CLI: a job (`job(X)`) or a pipeline. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any pipeline (see isJob)
export function pipelineKind(p: Pipeline<any, any, any>): 'job' | 'pipeline' {
  return Job.isJob(p) ? 'job' : 'pipeline';
}

/** A job's parameters: its task's inputs. */
type JobParams<S> = StepIn<S> extends infer I extends object ? I : {};

/** The argument of `job()`: a task whose inputs can all be parameters (JSON-like), else the reason it cannot. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shown in users' editors (see isJob)
export type JobStepCheck<S> = [S] extends [Pipeline<any, any, any>]
  ? NoInfer<`✖ job() takes one task (a @Task class, task(), shell() or stub()), not a pipeline: run a pipeline with 'runnable run'`>
  : [ParamsProblem<StepIn<S>>] extends [never]
    ? S
    : NoInfer<`${ParamsProblem<StepIn<S>>}. A job's inputs are its parameters`>;

/**
 * Makes a job of one task: `export default job(Train)` is run by `runnable job train.ts`, and
 * `job(Train).execute({ params: { n_estimators: 50 } })` runs it from code (params typed as Train's inputs).
 * Every input of the task is a parameter of the job, so its type must be JSON-like. `catalog.put` stores the files
 * the task writes; `catalog.get` is refused (nothing ran before the job in its run to put a file there).
 */
export function job<S extends AnyStep, Sch extends ObjectSchema = never>(
  step: JobStepCheck<S>,
  options: Omit<JobOptions<StepIn<S>>, 'params'> & { params?: JobSchemaCheck<Sch, StepIn<S>> } = {},
): JobOf<S, Sch> {
  const def = getTaskDefinition(step);
  if (!def) {
    const label = Pipeline.isPipeline(step) ? `pipeline '${step.name}'` : typeof step === 'function' ? `class ${(step as Function).name}` : String(step);
    const hint = Pipeline.isPipeline(step)
      ? "A job is one task; run a pipeline with 'runnable run'."
      : 'Decorate the class with @Task({ returns: [...] }) or wrap a function with task(fn, { name, returns }).';
    throw new PipelineDefinitionError(`job(): ${label} is not a task. ${hint}`);
  }
  const name = options.name ?? def.name;
  if (typeof name !== 'string' || !name) throw new PipelineDefinitionError(`job '${def.name}': the name is empty; give it one with job(X, { name: 'train' })`);
  const stepOptions = { ...def.options, ...pickStepOptions(options) };
  if (stepOptions.catalog?.get?.length) {
    throw new PipelineDefinitionError(
      `job '${name}': catalog get is not supported for jobs (got get: ${JSON.stringify(stepOptions.catalog.get)}). A job is the only step of its run, so no earlier step put a file in the run's catalog to get: read the file from the working folder, or make a pipeline whose first step puts it.`,
    );
  }
  const schema: unknown = options.params;
  if (schema !== undefined && !isStandardSchema(schema)) {
    throw new PipelineDefinitionError(`job '${name}': params must be a Standard Schema (a zod, valibot or arktype object schema), got ${typeof schema}. Without a schema, give defaults with job(X, { defaults: { ... } }).`);
  }
  if (schema && options.defaults && Object.keys(options.defaults).length) {
    throw new PipelineDefinitionError(`job '${name}': give defaults in the params schema (e.g. z.number().default(50)), not in defaults, when the job has one: the schema decides what a missing value becomes.`);
  }
  const spec: TaskStepSpec = { kind: 'task', name: def.name, task: def, options: stepOptions };
  const built = new Job(name, spec, { ...(options.defaults ?? {}) }, schema ? { schema } : {}) as JobOf<S, Sch>;
  recordDefinition(built);
  return built;
}
