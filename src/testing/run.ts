import { executePipeline, type ExecuteOptions } from '../engine/run';
import { SilentReporter, type Reporter } from '../engine/reporter';
import { loadValue } from '../engine/values';
import { ExecutionFailedError, RunnableError } from '../errors';
import { LocalExecutor } from '../executors/local';
import { MockedExecutor, type StepPatch } from '../executors/mocked';
import type { Pipeline } from '../sdk/pipeline';
import type { Catalog } from '../stores/catalog/catalog';
import { MemoryCatalog } from '../stores/catalog/memory';
import { walkSteps } from '../stores/run-log/document';
import { MemoryRunLogStore } from '../stores/run-log/memory';
import type { RunLogStore } from '../stores/run-log/store';
import type { Parameter, RunLog, RunStatus, StepAttempt, StepLog, StepType } from '../stores/run-log/types';
import { EnvSecretsManager, type SecretsManager } from '../stores/secrets/secrets';
import type { StepEntry } from '../types/steps';
import type { AnyInput, AnySteps } from '../types/any';

/** A replacement for the step `E`: called with the step's inputs, returns (or resolves to) the step's outputs. */
export type StepMock<E extends StepEntry> = (input: E['i']) => E['o'] | Promise<E['o']>;

/** What may replace step `E`: a function, the outputs themselves, or a failure with a message. */
export type TypedStepPatch<E extends StepEntry> = StepMock<E> | { outputs: E['o'] } | { fail: string };

/** Step names the compiler knows (function, shell and stub steps, and steps given `{ name }` in `.step()`). */
export type KnownStepName<S extends StepEntry> = S extends { n: infer N extends string } ? (string extends N ? never : N) : never;

type HasUnnamed<S extends StepEntry> = true extends (S extends { n: infer N } ? (string extends N ? true : never) : never) ? true : false;

/**
 * The `mock` option of runPipeline: step name → replacement, each checked against the step it replaces.
 * A name no step has is an error, and so is a replacement whose inputs or outputs do not fit the step's.
 * `@Task` classes added without `{ name }` have names the compiler cannot see: while a pipeline has such steps,
 * other names are accepted if their replacement returns the outputs of one of the pipeline's steps, and the name
 * is checked when the run starts (MockError).
 */
export type Mocks<S extends StepEntry> = 0 extends 1 & S
  ? Record<string, StepPatch>
  : { [K in KnownStepName<S>]?: TypedStepPatch<Extract<S, { n: K }>> } & (HasUnnamed<S> extends true
      ? Record<string, ((input: AnyInput) => S['o'] | Promise<S['o']>) | { outputs: S['o'] } | { fail: string }>
      : {});

export interface RunPipelineOptions<P extends object, S extends StepEntry> {
  /** Initial parameters (checked against the pipeline's `.params<P>()`); they override the declared defaults. */
  params?: Partial<P>;
  /**
   * Steps to replace, by name (a name inside a branch matches in every branch and iteration): a function called with
   * the step's inputs, `{ outputs: {...} }`, or `{ fail: 'message' }`. Replaced steps run without their catalog files
   * and secrets and are marked `mock: true` in the run log; every other step runs its own code.
   */
  mock?: Mocks<S>;
  /**
   * A dry run with the mocked executor: steps that are not in `mock` do not run at all; each records a successful
   * attempt that returned nothing (`mock: true`).
   */
  dryRun?: boolean;
  /** Secrets the steps may ask for (default: none, so a test never reads the real environment's secrets). */
  secrets?: Record<string, string> | SecretsManager;
  /** Environment for `RUNNABLE_*` variables (default: empty, so the test does not depend on the shell). */
  env?: NodeJS.ProcessEnv;
  /** Progress output (default: silent). `new ConsoleReporter()` prints what `runnable run` prints. */
  reporter?: Reporter;
  runId?: string;
  tag?: string;
  /** Stores to use instead of fresh in-memory ones (e.g. a store of your own under test). */
  runLogStore?: RunLogStore;
  catalog?: Catalog;
}

/** One executed step: its status, the values its last attempt returned (pickled ones loaded), and its attempts. */
export interface StepResult<O = Record<string, unknown>> {
  /** The step's name as declared. */
  name: string;
  /** Its dot path in the run log (`map_step.3.train` inside a map). */
  internalName: string;
  type: StepType;
  status: RunStatus;
  /** True when a mock replaced the step (or, in a dry run, when it was faked). */
  mock: boolean;
  /** What the last attempt returned; empty when it failed (composite steps return through their branches). */
  outputs: Partial<O>;
  attempts: StepAttempt[];
  /** The failure message, when the step failed. */
  error?: string;
  /** The step log as stored. */
  log: StepLog;
}

type OutputsOf<S extends StepEntry, K extends string> = [Extract<S, { n: K }>] extends [never] ? Record<string, unknown> : Extract<S, { n: K }>['o'];

/** The outcome of runPipeline. */
export interface PipelineRun<O extends object, S extends StepEntry> {
  runId: string;
  status: RunStatus;
  /** Every value in scope when the pipeline ended (parameters included), pickled values loaded live. */
  outputs: O;
  /** Every step that ran, branches and iterations included, by dot path, in the order they started. */
  steps: Record<string, StepResult>;
  /** The step with this dot path, or with this name when only one step has it; throws when there is none. */
  step<K extends string>(name: K): StepResult<OutputsOf<S, K>>;
  /** The complete run log. */
  runLog: RunLog;
}

/**
 * runPipeline's rejection when a step fails: an ExecutionFailedError (message naming the failed step and its error)
 * carrying the failed step and the whole run.
 */
export class PipelineFailedError extends ExecutionFailedError {
  constructor(
    readonly run: PipelineRun<Record<string, unknown>, AnySteps>,
    /** The first task step that failed (at any depth), or the failed composite step. */
    readonly failedStep: StepResult | undefined,
    cause: ExecutionFailedError,
  ) {
    super(cause.runId, cause.failedSteps, cause.runLog);
  }
}

async function loadAll(catalog: Catalog, runId: string, params: Record<string, Parameter>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(params)) out[name] = await loadValue({ catalog, runId }, name, p);
  return out;
}

async function toRun(runLog: RunLog, catalog: Catalog): Promise<PipelineRun<Record<string, unknown>, AnySteps>> {
  const steps: Record<string, StepResult> = {};
  const logs: StepLog[] = [];
  walkSteps(runLog.steps, (s) => {
    if (s.step_type !== 'success' && s.step_type !== 'fail') logs.push(s);
  });
  for (const s of logs) {
    const last = s.attempts.at(-1);
    steps[s.internal_name] = {
      name: s.name,
      internalName: s.internal_name,
      type: s.step_type,
      status: s.status,
      mock: s.mock,
      outputs: last?.status === 'SUCCESS' ? await loadAll(catalog, runLog.run_id, last.output_parameters) : {},
      attempts: s.attempts,
      ...(s.status === 'FAIL' && { error: s.message || last?.message || '' }),
      log: s,
    };
  }
  const step = (name: string): StepResult => {
    if (steps[name]) return steps[name]!;
    const named = Object.values(steps).filter((s) => s.name === name);
    if (named.length === 1) return named[0]!;
    const all = Object.keys(steps).join(', ') || '(none)';
    throw new RunnableError(
      named.length
        ? `Several steps are named '${name}' (${named.map((s) => s.internalName).join(', ')}); ask for one by its dot path.`
        : `No step '${name}' ran in run ${runLog.run_id}. Steps that ran: ${all}.`,
    );
  };
  return {
    runId: runLog.run_id,
    status: runLog.status,
    outputs: await loadAll(catalog, runLog.run_id, runLog.parameters),
    steps,
    step: step as PipelineRun<Record<string, unknown>, AnySteps>['step'],
    runLog,
  };
}

/**
 * Runs a pipeline in this process with in-memory stores (no run log or catalog files are written), for tests:
 *
 *   const run = await runPipeline(trainingPipeline, { params: { n_estimators: 10 }, mock: { train: () => ({ model: tiny }) } });
 *   expect(run.outputs.accuracy).toBeGreaterThan(0.5);
 *
 * Resolves with the typed outputs, the per-step results and the run log when the run succeeds; rejects with
 * PipelineFailedError (carrying the failed step and the run) when a step fails, and with the usual typed errors
 * (MockError, ParameterError, ...) when the run cannot start.
 */
export async function runPipeline<P extends object, O extends object, S extends StepEntry>(
  pipeline: Pipeline<P, O, S>,
  options: NoInfer<RunPipelineOptions<P, S>> = {},
): Promise<PipelineRun<Omit<P, keyof O> & O, S>> {
  const o = options as RunPipelineOptions<P, S>;
  const catalog = o.catalog ?? new MemoryCatalog();
  const mocks = (o.mock ?? {}) as Record<string, StepPatch>;
  const executor =
    o.dryRun || Object.keys(mocks).length
      ? new MockedExecutor({ patches: mocks, unpatched: o.dryRun ? 'fake' : 'run', source: 'runPipeline mock' })
      : new LocalExecutor();
  const secrets = o.secrets && typeof (o.secrets as SecretsManager).get === 'function' ? (o.secrets as SecretsManager) : new EnvSecretsManager({ ...(o.secrets as Record<string, string> | undefined) });
  const exec: ExecuteOptions = {
    runLogStore: o.runLogStore ?? new MemoryRunLogStore(),
    catalog,
    secrets,
    executor,
    reporter: o.reporter ?? new SilentReporter(),
    env: o.env ?? {},
    ...(o.params && { params: o.params as Record<string, unknown> }),
    ...(o.runId !== undefined && { runId: o.runId }),
    ...(o.tag !== undefined && { tag: o.tag }),
  };
  try {
    const result = await executePipeline(pipeline, exec);
    return (await toRun(result.runLog, catalog)) as PipelineRun<Omit<P, keyof O> & O, S>;
  } catch (err) {
    if (!(err instanceof ExecutionFailedError) || !err.runLog) throw err;
    const run = await toRun(err.runLog, catalog);
    const failed = Object.values(run.steps).filter((s) => s.status === 'FAIL');
    const failedStep = failed.find((s) => s.type === 'task' || s.type === 'stub') ?? failed[0];
    throw new PipelineFailedError(run, failedStep, err);
  }
}
