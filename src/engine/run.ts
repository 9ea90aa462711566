import * as path from 'node:path';
import { tsyringe } from '../util/di';
import type { DependencyContainer } from 'tsyringe';
import { buildGraph, dumpGraph, hashDump, isTaskNode, taskNodes, type Graph, type TaskNode } from '../graph/graph';
import type { Catalog } from '../stores/catalog/catalog';
import type { RunLogStore } from '../stores/run-log/store';
import type { SecretsManager } from '../stores/secrets/secrets';
import { ConfigError, createService, loadConfig, type LoadedConfig } from '../config/load';
import type { RunLog, RunStatus, StepLog } from '../stores/run-log/types';
import { ExecutionFailedError, MockError, ParameterError, RunLogExistsError, RunnableError } from '../errors';
import type { Executor } from '../executors/executor';
import { pipelineRef } from './definition';
import { ExecutorSetupError } from './remote';
import { containerCodeIdentity, gitCodeIdentity } from './code-identity';
import { CATALOG, RUN_LOG_STORE, SECRETS, Scope, type RunContext } from './context';
import { parametersFromEnv } from './params';
import { resolveRunParameters, retryParameterProblems } from './param-check';
import { ConsoleReporter, SilentReporter, type Reporter } from './reporter';
import { EventReporter, type PipelineEvent } from './events';
import { generateRunId, validateRunId } from './run-id';
import { executeGraph } from './traverse';
import { PACKAGE_VERSION } from '../version';
import { findBranch, findStep, walkSteps } from '../stores/run-log/document';
import { executeTaskNode } from './task-node';
import { checkRefresh, executeWithCache, flushStepCache, type CacheSettings } from './step-cache';
import { timestamp } from '../util/time';
import { abortAllAttempts, enterRun, takeOrphanFaults } from './guard';
import { knownSecretForms, redactAll } from './redaction';
import { recordedFiles } from './integrity';
import { runValues } from './result-values';
import { OWNER_TOKEN_ENV, acquireRun, describeOwner, type Ownership } from './ownership';
import { executeInLaunch } from './launch';
import { locateNode } from './node-path';
import { setPipelineRunner } from '../sdk/runner';
import { pipelineKind } from '../sdk/job';
import type { AnyPipeline } from '../types/any';

export interface ExecuteOptions {
  /** Run id to use; must not exist yet. Default: `RUNNABLE_RUN_ID`, else a generated one. */
  runId?: string;
  /**
   * Resume this failed run instead of starting a new one (default: `RUNNABLE_RETRY_RUN_ID`): steps that succeeded
   * are skipped and their outputs reused, the failed step and everything after it run again with the current code.
   */
  retryRunId?: string;
  /** Free-text tag recorded in the run log (e.g. an experiment name). */
  tag?: string;
  /** YAML/JSON file of initial parameters. Default: `RUNNABLE_PARAMETERS_FILE`. */
  parametersFile?: string;
  /** Initial parameters given in code; they override the file and the environment. */
  params?: Record<string, unknown>;
  /** Environment to read `RUNNABLE_*` variables from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Configuration file (runnable.config.ts, .runnablerc.yaml, ...). Default: `RUNNABLE_CONFIGURATION_FILE`, else the
   * first config file found from the working folder up, else the embedded defaults.
   */
  configFile?: string;
  /** Services given in code override the configuration (tests use the in-memory ones). */
  runLogStore?: RunLogStore;
  catalog?: Catalog;
  secrets?: SecretsManager;
  executor?: Executor;
  /**
   * The step cache (docs/caching.md). `true`: on for every task step (except those with `cache: false`), as
   * `--cache`; `false`: nothing is reused, every step executes (fingerprints are still recorded), as `--no-cache`.
   * Default: `cache: { enabled }` of the configuration, else only the steps marked `cache: true`.
   */
  cache?: boolean;
  /** Steps (names or dot paths) executed even when the step cache has their outputs (`--refresh <step>`). */
  refresh?: readonly string[];
  /** Progress output. Default: console lines; `quiet: true` prints nothing. */
  reporter?: Reporter;
  quiet?: boolean;
  /**
   * Called with a typed event as the run progresses: run and step started, succeeded (with outputs), failed,
   * skipped, retrying; values an async-generator task yields; run finished. Errors it throws are ignored (warned).
   */
  onEvent?: (event: PipelineEvent) => void;
}

/**
 * What a successful run resolves with. `Out` is the pipeline's outputs (what its steps write), so that
 * `result.values.accuracy` is typed by the pipeline.
 */
export interface RunResult<Out extends object = Record<string, unknown>> {
  runId: string;
  status: RunStatus;
  /** The complete run log as stored. */
  runLog: RunLog;
  /** Where the run log is (a path for file stores). */
  runLogLocation: string;
  /** Where the run's artifacts are. */
  catalogLocation: string;
  /**
   * The run's final values (its root scope: every step's returns, and the parameters), typed by the pipeline's
   * outputs. JSON values and metrics are plain properties; a pickled value is read from the catalog and deserialized
   * when the property is first read (with a catalog that only reads asynchronously, use `load`).
   */
  readonly values: Readonly<Out>;
  /** One final value, read asynchronously (pickled values from the catalog, deserialized): `await result.load('model')`. */
  load<N extends keyof Out & string>(name: N): Promise<Out[N]>;
}

/** A retry that cannot go ahead: the pipeline's structure or parameters changed since the run, or its executor cannot run here. */
export class RetryValidationError extends RunnableError {
  override readonly code = 'RETRY_VALIDATION';
}

/** Failed steps at any depth, with the message of their last attempt. */
export function failedSteps(runLog: RunLog): { name: string; message: string }[] {
  const out: { name: string; message: string }[] = [];
  walkSteps(runLog.steps, (s) => {
    if (s.status === 'FAIL' && Object.keys(s.branches).length === 0) out.push({ name: s.internal_name, message: s.attempts.at(-1)?.message || s.message });
  });
  return out;
}

function resolveRunId(options: ExecuteOptions, env: NodeJS.ProcessEnv): { runId: string; generated: boolean } {
  const given = options.runId ?? env.RUNNABLE_RUN_ID;
  if (given) {
    const problem = validateRunId(given);
    if (problem) throw new ParameterError(problem);
    return { runId: given, generated: false };
  }
  return { runId: generateRunId(), generated: true };
}

interface Services {
  store: RunLogStore;
  catalog: Catalog;
  secrets: SecretsManager;
  executor: Executor;
  reporter: Reporter;
  configFile: string | undefined;
  cache: CacheSettings;
}

/** The configuration, loaded on first use only (services given in code need none). */
function lazyConfig(options: Pick<ExecuteOptions, 'configFile'>, env: NodeJS.ProcessEnv): { get: () => LoadedConfig; name: () => string } {
  let loaded: LoadedConfig | undefined;
  const get = () => (loaded ??= loadConfig({ configFile: options.configFile, env }));
  return { get, name: () => get().file ?? 'embedded defaults' };
}

/** The run-log store and catalog of a configuration (for reading runs: inspect, runs, loadArtifact). */
export function resolveStores(
  options: Pick<ExecuteOptions, 'configFile' | 'runLogStore' | 'catalog'>,
  env: NodeJS.ProcessEnv,
  cfg = lazyConfig(options, env),
): { store: RunLogStore; catalog: Catalog } {
  return {
    store: options.runLogStore ?? createService('runLogStore', cfg.get().config, cfg.name()),
    catalog: options.catalog ?? createService('catalog', cfg.get().config, cfg.name()),
  };
}

/** The reporter, also turning progress into typed events when the caller listens (`onEvent`). */
function withEvents(reporter: Reporter, options: ExecuteOptions): Reporter {
  return options.onEvent ? new EventReporter(reporter, options.onEvent) : reporter;
}

/** The run's services: given in code, else from the configuration file, else the embedded defaults. */
/** Whether OpenTelemetry may be in use: a tracer provider was registered (the API's global), or an env switch asks for one. */
function telemetryWanted(env: NodeJS.ProcessEnv): boolean {
  return tracerRegistered() || !!env.RUNNABLE_TELEMETRY_CONSOLE || !!env.OTEL_EXPORTER_OTLP_ENDPOINT;
}
/** @opentelemetry/api registers its globals under this symbol when anything (an SDK) is set up. */
function tracerRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')] !== undefined;
}
/** The telemetry module (and @opentelemetry/api) load only when spans can go somewhere. */
function loadTelemetry(): typeof import('../telemetry/otel') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../telemetry/otel') as typeof import('../telemetry/otel');
}

export function resolveServices(options: ExecuteOptions, env: NodeJS.ProcessEnv): Services {
  const cfg = lazyConfig(options, env);
  const { store, catalog } = resolveStores(options, env, cfg);
  const executor = options.executor ?? createService('executor', cfg.get().config, cfg.name());
  const reporter = options.reporter ?? (options.quiet ? new SilentReporter() : new ConsoleReporter());
  const telemetry = telemetryWanted(env) ? loadTelemetry() : undefined;
  telemetry?.configureTelemetryFromEnv(env, (m) => reporter.warn(m));
  const allGiven = !!(options.runLogStore && options.catalog && options.secrets && options.executor);
  return {
    store,
    catalog,
    secrets: options.secrets ?? createService('secrets', cfg.get().config, cfg.name()),
    executor,
    // OpenTelemetry spans (a no-op unless an SDK is registered), then typed events for onEvent
    reporter: withEvents(telemetry && tracerRegistered() ? new telemetry.TelemetryReporter(reporter, executor.type) : reporter, options),
    configFile: allGiven ? undefined : cfg.get().file,
    cache: cacheSettings(options, cfg, allGiven),
  };
}

/** `cache` / `refresh` of the options, else `cache: { enabled }` of the configuration (read only when one is in use). */
function cacheSettings(options: ExecuteOptions, cfg: ReturnType<typeof lazyConfig>, allGiven: boolean): CacheSettings {
  const fromConfig = options.cache === undefined && (!allGiven || options.configFile !== undefined) ? cfg.get().config.cache?.enabled : undefined;
  return { all: options.cache === true || fromConfig === true, off: options.cache === false, refresh: new Set(options.refresh ?? []) };
}

/** The executor's own check of its settings against the pipeline; an executor from a config file is named with it. */
function validateExecutor(s: Services, options: ExecuteOptions, graph: Graph): void {
  try {
    s.executor.validate?.(graph);
  } catch (err) {
    if (options.executor || !s.configFile || !(err instanceof MockError)) throw err;
    throw new MockError(`${s.configFile}: ${err.message}`, { cause: err });
  }
}

export function makeContext(
  pipeline: AnyPipeline,
  graph: Graph,
  s: Services,
  runId: string,
  tag: string,
  env: NodeJS.ProcessEnv,
  original?: RunLog,
): RunContext {
  const definition = pipelineRef(pipeline, process.cwd());
  // tsyringe is loaded by the first @Task class step that runs, not by every run (start-up of a run of functions)
  let container: DependencyContainer | undefined;
  const runContainer = (): DependencyContainer => {
    if (container) return container;
    container = tsyringe().container.createChildContainer();
    container.register(CATALOG, { useValue: s.catalog });
    container.register(RUN_LOG_STORE, { useValue: s.store });
    container.register(SECRETS, { useValue: s.secrets });
    return container;
  };
  const secretNames = declaredSecrets(graph);
  return {
    runId,
    tag,
    pipeline,
    graph,
    store: s.store,
    catalog: s.catalog,
    secrets: s.secrets,
    computeFolder: path.resolve(String(s.catalog.config().compute_data_folder ?? '.')),
    reporter: s.reporter,
    executor: s.executor,
    get container() {
      return runContainer();
    },
    codeIdentities: gitCodeIdentity().then((id) => {
      const image = containerCodeIdentity(env);
      return image ? [id, image] : [id];
    }),
    retryIndicator: env.RUNNABLE_RETRY_INDICATOR ?? '',
    running: new Map(),
    cache: s.cache,
    workingDirectory: process.cwd(),
    ...(s.configFile !== undefined && { configFile: s.configFile }),
    ...(definition && { definition }),
    secretNames,
    secretForms: knownSecretForms(s.secrets, secretNames),
    fileHashes: new Map(original ? [...recordedFiles(original).values()].map((e) => [e.name, e.data_hash]) : []),
    ...(original && { original }),
  };
}

/** An out-of-process executor needs a pipeline file to load and a run-log store other processes can write to. */
function checkExecutorCanRun(s: Services, pipeline: AnyPipeline): void {
  if (!s.executor.runStep) return;
  const definition = pipelineRef(pipeline, process.cwd());
  const where = s.configFile ? ` (${s.configFile})` : '';
  if (!s.store.capabilities.crossProcess || !s.store.capabilities.concurrentWriters) {
    throw new ExecutorSetupError(
      `The '${s.executor.type}' executor runs steps in other processes, which write the run log themselves, but the '${s.store.type}' run-log store ` +
        `keeps each run in one process. Use the 'chunked-fs' store in your configuration${where}: runLogStore: { type: 'chunked-fs' }.`,
    );
  }
  if (!definition) {
    throw new ExecutorSetupError(
      `The '${s.executor.type}' executor loads pipeline '${pipeline.name}' again in each step's process, but where it is defined is unknown: ` +
        `run it with 'runnable run <file>', or export the pipeline from the module that builds it.`,
    );
  }
}

/** Names of the secrets declared by any step of the graph, its branches and on-failure pipelines. */
function declaredSecrets(graph: Graph): Set<string> {
  return new Set(taskNodes(graph).flatMap((n) => n.options.secrets ?? []));
}

const activeRuns = new Set<RunContext>();
/** The ownership each run in progress in this process holds (released when the run ends or is aborted). */
const ownerships = new Map<RunContext, Ownership>();

/**
 * Marks a run FAIL and releases its store, so no run is ever left PROCESSING. Steps still running get a failed
 * attempt saying why (`runnable retry` runs them again).
 */
async function failRun(ctx: RunContext, why: string, errorType: string): Promise<void> {
  const now = timestamp();
  const codeIdentities = await ctx.codeIdentities;
  const ops: Parameters<RunLogStore['apply']>[1][number][] = [];
  for (const running of ctx.running.values()) {
    const { step, started } = running;
    // The attempt in progress gets this failure under its own number; its own outcome, if it comes, is not recorded.
    running.closed = true;
    const number = running.attempt ?? step.attempts.length + 1;
    if (step.attempts.some((a) => a.attempt_number === number)) continue;
    step.attempts.push({
      attempt_number: number,
      start_time: started,
      end_time: now,
      status: 'FAIL',
      message: redactAll(why, ctx.secretForms),
      input_parameters: {},
      output_parameters: {},
      user_defined_metrics: {},
      retry_indicator: ctx.retryIndicator,
      code_identities: codeIdentities,
      error_type: errorType,
    });
    step.status = 'FAIL';
    ops.push({ op: 'step', step });
  }
  ops.push({ op: 'status', status: 'FAIL' });
  await ctx.store.apply(ctx.runId, ops).catch(() => undefined);
  await ctx.store.close(ctx.runId).catch(() => undefined);
  await ownerships.get(ctx)?.release();
}

/** Marks every run in progress in this process FAIL (on Ctrl-C / SIGTERM). Returns their run ids. */
export async function abortActiveRuns(): Promise<string[]> {
  const runs = [...activeRuns];
  activeRuns.clear();
  abortAllAttempts('the run was interrupted');
  for (const ctx of runs) {
    await ctx.executor.abort?.();
    await failRun(ctx, 'Interrupted: the run was stopped (Ctrl-C or SIGTERM) while this step was running', 'Interrupted');
  }
  return runs.map((ctx) => ctx.runId);
}

/** Walks the graph and turns the outcome into a result or an ExecutionFailedError. Never leaves the run PROCESSING. */
async function finishRun(ctx: RunContext, params: RunLog['parameters'], ownership: Ownership): Promise<RunResult> {
  activeRuns.add(ctx);
  const leave = enterRun();
  ownerships.set(ctx, ownership);
  try {
    return await walk(ctx, params);
  } finally {
    leave();
    activeRuns.delete(ctx);
    ownerships.delete(ctx);
    await ownership.release();
  }
}

async function walk(ctx: RunContext, params: RunLog['parameters']): Promise<RunResult> {
  const t0 = performance.now();
  ctx.reporter.runStarted({ runId: ctx.runId, pipeline: ctx.pipeline.name, isRetry: !!ctx.original, ...(pipelineKind(ctx.pipeline) === 'job' && { kind: 'job' as const }) });
  let status: RunStatus;
  try {
    status = await executeGraph(ctx, ctx.graph, new Scope(undefined, { ...params }));
  } catch (err) {
    // An engine or store failure, not a step's.
    await failRun(ctx, `The run stopped on an internal error: ${(err as Error).message}`, 'InternalError');
    throw err;
  }
  // Errors thrown from callbacks after the last step ended, when no step was left to fail with them.
  const late = takeOrphanFaults();
  if (late.length) {
    const why = late.map((f) => `${f.error instanceof Error ? `${f.error.name}: ${f.error.message}` : String(f.error)} ${f.note ?? ''}`).join('; ');
    ctx.reporter.warn(redactAll(`The run is marked FAIL: ${why}`, ctx.secretForms));
    await ctx.store.apply(ctx.runId, [{ op: 'status', status: 'FAIL' }]);
    status = 'FAIL';
  }
  await flushStepCache(ctx);
  const runLog = await ctx.store.get(ctx.runId);
  await ctx.store.close(ctx.runId);
  const failed = failedSteps(runLog);
  for (const f of late) failed.push({ name: '(after the last step)', message: redactAll(f.error instanceof Error ? f.error.message : String(f.error), ctx.secretForms) });
  const { values, load } = runValues(runLog, ctx.catalog);
  const result: RunResult = {
    runId: ctx.runId,
    status,
    runLog,
    runLogLocation: ctx.store.describe(ctx.runId),
    catalogLocation: ctx.catalog.describe(ctx.runId),
    values,
    load: load as RunResult['load'],
  };
  ctx.reporter.runFinished({
    runId: ctx.runId,
    status: status === 'SUCCESS' ? 'SUCCESS' : 'FAIL',
    seconds: (performance.now() - t0) / 1000,
    runLogLocation: result.runLogLocation,
    catalogLocation: result.catalogLocation,
    failedSteps: failed,
    runLog,
  });
  if (status !== 'SUCCESS') throw new ExecutionFailedError(ctx.runId, failed, runLog);
  return result;
}

/** How the pipeline's structure differs from the one a run recorded, in words; undefined when it does not. */
function dagChange(original: RunLog, graph: Graph): string | undefined {
  const dag = dumpGraph(graph);
  if (!original.dag_hash || original.dag_hash === hashDump(dag)) return undefined;
  return describeDagChange(original.run_config.dag as Record<string, unknown> | undefined, dag);
}

/** What changed between two DAG dumps, in words. */
export function describeDagChange(before: Record<string, unknown> | undefined, after: Record<string, unknown>): string {
  const a = (before?.steps ?? {}) as Record<string, Record<string, unknown>>;
  const b = (after.steps ?? {}) as Record<string, Record<string, unknown>>;
  const changes: string[] = [];
  for (const name of Object.keys(a)) if (!(name in b)) changes.push(`step '${name}' was removed`);
  for (const name of Object.keys(b)) if (!(name in a)) changes.push(`step '${name}' was added`);
  for (const name of Object.keys(b)) {
    if (!(name in a)) continue;
    const fields = [...new Set([...Object.keys(a[name]!), ...Object.keys(b[name]!)])].filter(
      (f) => JSON.stringify(a[name]![f]) !== JSON.stringify(b[name]![f]),
    );
    for (const f of fields) changes.push(`step '${name}': ${f} changed from ${JSON.stringify(a[name]![f])} to ${JSON.stringify(b[name]![f])}`);
  }
  if (before?.start_at !== after.start_at) changes.push(`the first step changed from '${String(before?.start_at)}' to '${String(after.start_at)}'`);
  return changes.length ? changes.join('; ') : 'the structure differs';
}

async function retryPipeline(pipeline: AnyPipeline, retryRunId: string, options: ExecuteOptions, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const services = resolveServices(options, env);
  const refusal = refusesInProcess(services.executor);
  if (refusal) throw new ConfigError(refusal);
  await checkRetry(services, pipeline, retryRunId);
  // Take the run before reading it: a live owner refuses the retry; what a gone owner wrote is read after it.
  const ownership = await acquireRun(services.store, retryRunId, 'retry', env, (m) => services.reporter.warn(m));
  try {
    const reopened = await reopenOwned(pipeline, retryRunId, options, env, services, ownership);
    return 'done' in reopened ? reopened.done : await finishRun(reopened.ctx, reopened.params, ownership);
  } finally {
    await ownership.release(); // no-op when finishRun released it already
  }
}

/** Refuses a retry whose run id is invalid, whose executor cannot run here, or whose run does not exist. */
async function checkRetry(services: Services, pipeline: AnyPipeline, retryRunId: string): Promise<void> {
  const problem = validateRunId(retryRunId);
  if (problem) throw new ParameterError(`Cannot retry: ${problem}.`);
  checkExecutorCanRun(services, pipeline);
  if (!(await services.store.exists(retryRunId))) {
    throw new RetryValidationError(
      `Original run log not found for run_id: ${retryRunId} in ${services.store.describe(retryRunId)}. Cannot retry a run that doesn't exist; list the runs with 'runnable runs'.`,
    );
  }
}

/**
 * Validates a retry and marks the run PROCESSING again (without walking it): what the first pod of an Argo
 * resubmission does (Argo's Workflow owns the run there, so no owner record is taken). Resolves with `done` when the
 * run already succeeded.
 */
export async function reopenRun(
  pipeline: AnyPipeline,
  retryRunId: string,
  options: ExecuteOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ done: RunResult } | { ctx: RunContext; params: RunLog['parameters'] }> {
  const services = resolveServices(options, env);
  await checkRetry(services, pipeline, retryRunId);
  return reopenOwned(pipeline, retryRunId, options, env, services, undefined);
}

async function reopenOwned(
  pipeline: AnyPipeline,
  retryRunId: string,
  options: ExecuteOptions,
  env: NodeJS.ProcessEnv,
  services: Services,
  ownership: Ownership | undefined,
): Promise<{ done: RunResult } | { ctx: RunContext; params: RunLog['parameters'] }> {
  const { store, reporter } = services;
  const original = await store.get(retryRunId);
  const graph = buildGraph(pipeline);
  validateExecutor(services, options, graph);
  checkRefresh(graph, services.cache.refresh);
  const change = dagChange(original, graph);
  if (change) {
    throw new RetryValidationError(
      `DAG structure has changed since original run ${retryRunId} (${change}). Retry is not allowed when the pipeline's structure changes: ` +
        `undo the change, or start a new run.`,
    );
  }
  if (original.status === 'SUCCESS') {
    reporter.warn(`Run ${retryRunId} already succeeded: nothing to retry.`);
    const { values, load } = runValues(original, services.catalog);
    return { done: { runId: retryRunId, status: 'SUCCESS', runLog: original, runLogLocation: store.describe(retryRunId), catalogLocation: services.catalog.describe(retryRunId), values, load: load as RunResult['load'] } };
  }
  const initial = original.run_config.initial_parameters;
  if (initial && typeof initial === 'object' && !Array.isArray(initial)) {
    const problems = await retryParameterProblems(pipeline, initial as Record<string, unknown>);
    if (problems.length) {
      throw new RetryValidationError(
        `The parameters of run ${retryRunId} no longer fit pipeline '${pipeline.name}': ${problems.join('; ')}. A retry keeps the original run's parameters, ` +
          `so its steps would not get what a new run gets: start a new run, or undo the parameter change.`,
      );
    }
  }
  const ignored = [
    ...parametersFromEnv(env).map((p) => p.variable),
    ...(options.parametersFile ?? env.RUNNABLE_PARAMETERS_FILE ? [`parameters file ${options.parametersFile ?? env.RUNNABLE_PARAMETERS_FILE}`] : []),
    ...Object.keys(options.params ?? {}).map((k) => `params.${k}`),
  ];
  if (ignored.length) reporter.warn(`Ignored on retry: ${ignored.join(', ')}. A retry keeps the original run's parameters.`);
  if (ownership?.tookOver) {
    const { owner, reason } = ownership.tookOver;
    reporter.warn(`Run ${retryRunId} was owned by ${describeOwner(owner)}, which is gone (${reason}); taking it over.`);
  } else if (original.status === 'PROCESSING') reporter.warn(`Run ${retryRunId} is marked PROCESSING but has no owner (its process crashed); retrying it.`);

  // Temp files of catalog writes the previous owner was killed in: nobody else writes this run now.
  const leftovers = await services.catalog.removeLeftovers?.(retryRunId);
  if (leftovers) reporter.warn(`Removed ${leftovers} temp file${leftovers > 1 ? 's' : ''} left in the catalog of run ${retryRunId} by an interrupted write.`);
  const ctx = makeContext(pipeline, graph, services, retryRunId, original.tag, env, original);
  const retries = Array.isArray(original.run_config.retries) ? (original.run_config.retries as unknown[]) : [];
  await store.apply(retryRunId, [
    { op: 'status', status: 'PROCESSING' },
    {
      op: 'run_config',
      run_config: {
        ...original.run_config,
        is_retry: true,
        retries: [...retries, { started_at: timestamp(), code_identity: (await ctx.codeIdentities)[0], runnable_ts_version: PACKAGE_VERSION }],
      },
    },
  ]);
  return { ctx, params: original.parameters };
}

/** An executor that only transpiles (argo) says why a run cannot be walked in this process. */
function refusesInProcess(executor: Executor): string | undefined {
  return (executor as { refusesInProcessRuns?: () => string | undefined }).refusesInProcessRuns?.();
}

/** Executes a pipeline: creates the run log, walks the graph, and returns (or rejects with) the outcome. */
export async function executePipeline(pipeline: AnyPipeline, options: ExecuteOptions = {}): Promise<RunResult> {
  const env = options.env ?? process.env;
  const retryRunId = options.retryRunId ?? env.RUNNABLE_RETRY_RUN_ID;
  if (retryRunId) return retryPipeline(pipeline, retryRunId, options, env);
  const { ctx, params } = await createRun(pipeline, options, { inProcess: true });
  const ownership = await acquireRun(ctx.store, ctx.runId, 'run', env, (m) => ctx.reporter.warn(m));
  return finishRun(ctx, params, ownership);
}

/**
 * Creates a run's log (PROCESSING, initial parameters, run config) without walking the graph: the first half of
 * executePipeline, and what `runnable fan <run_id> . <file> out` does for executors that run steps elsewhere.
 */
export async function createRun(
  pipeline: AnyPipeline,
  options: ExecuteOptions = {},
  mode: { inProcess?: boolean } = {},
): Promise<{ ctx: RunContext; params: RunLog['parameters'] }> {
  const env = options.env ?? process.env;
  const graph = buildGraph(pipeline);
  const services = resolveServices(options, env);
  checkExecutorCanRun(services, pipeline);
  const { store, catalog, secrets, executor } = services;
  validateExecutor(services, options, graph);
  checkRefresh(graph, services.cache.refresh);
  const refusal = mode.inProcess ? refusesInProcess(executor) : undefined;
  if (refusal) throw new ConfigError(refusal);
  const tag = options.tag ?? env.RUNNABLE_RUN_TAG ?? '';

  // checked before the run log exists: a run with invalid parameters leaves nothing behind
  const kind = pipelineKind(pipeline);
  const { params, sources: allSources } = await resolveRunParameters({
    pipelineName: pipeline.name,
    kind,
    defaults: pipeline.defaults,
    spec: pipeline.paramSpec ?? {},
    parametersFile: options.parametersFile ?? env.RUNNABLE_PARAMETERS_FILE,
    env,
    ...(options.params && { api: options.params }),
    warn: (m) => services.reporter.warn(m),
  });

  const dag = dumpGraph(graph);
  const hash = hashDump(dag);
  let { runId, generated } = resolveRunId(options, env);
  const definitionFile = pipeline.definition ? `${pipeline.definition.file}#${pipeline.definition.exportName}` : '';
  const runConfig = (id: string): Record<string, unknown> => ({
    execution_mode: 'typescript',
    run_id: id,
    tag,
    // a job (`job(X)`, `runnable job`) is a one-step pipeline to the engine; readers tell them apart by this
    kind,
    pipeline_name: pipeline.name,
    pipeline_executor: executor.config(),
    run_log_store: store.config(),
    catalog: catalog.config(),
    secrets: secrets.config(),
    config_file: services.configFile ?? null,
    pickler: { service_name: 'superjson', service_type: 'pickler' },
    pipeline_definition_file: definitionFile,
    ...(kind === 'job' && { job_definition_file: definitionFile }),
    working_directory: process.cwd(),
    parameter_sources: allSources,
    initial_parameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.value])),
    retry_indicator: env.RUNNABLE_RETRY_INDICATOR ?? '',
    is_retry: false,
    runnable_ts_version: PACKAGE_VERSION,
    node_version: process.version,
    dag,
    dag_hash: hash,
  });

  for (let tries = 0; ; tries++) {
    const runLog: RunLog = { run_id: runId, dag_hash: hash, tag, status: 'PROCESSING', steps: {}, job: null, parameters: params, run_config: runConfig(runId) };
    try {
      await store.create(runLog);
      break;
    } catch (err) {
      if (!(err instanceof RunLogExistsError) || !generated || tries >= 5) throw err;
      runId = generateRunId();
    }
  }
  return { ctx: makeContext(pipeline, graph, services, runId, tag, env), params };
}

/** Finds the task node of a dot path (`step`, `map.3.step`, `par.b.loop.0.step`) and the branches on the way. */
export function resolveNodePath(graph: Graph, internalName: string): { node: TaskNode; branches: string[] } {
  const { node, branches } = locateNode(graph, internalName, { terminals: false });
  if (!isTaskNode(node)) throw new ParameterError(`'${internalName}' is a ${node.type} step; execute one of the task steps inside its branches (e.g. '${internalName}.<branch>.<step>').`);
  return { node, branches };
}

/**
 * Executes exactly one task step of an existing run, reading its inputs from that run's log and catalog and
 * appending its attempt to the run log: what `runnable execute-single-node` (and out-of-process executors) run.
 * `stepName` is the step's dot path in the run log, so steps inside branches work too (`map_state.2.train`).
 * The run's status is not changed. Resolves with the step log.
 */
export async function executeSingleNode(
  pipeline: AnyPipeline,
  runId: string,
  stepName: string,
  options: ExecuteOptions & {
    /**
     * Run exactly one attempt (numbered after the recorded ones) whatever the step's `retry` says: the caller owns
     * retries (Argo's retryStrategy starts a new pod per attempt).
     */
    oneAttempt?: boolean;
    /**
     * Consult the step cache before running (and record the step for later runs): for pods of an Argo Workflow,
     * where no orchestrating process does it. Executors that dispatch from a runnable process leave it off: their
     * parent already looked the step up.
     */
    cacheLookup?: boolean;
  } = {},
): Promise<StepLog> {
  const env = options.env ?? process.env;
  const problem = validateRunId(runId);
  if (problem) throw new ParameterError(`Cannot execute a step: ${problem}.`);
  const services = resolveServices(options, env);
  const graph = buildGraph(pipeline);
  const { node, branches } = resolveNodePath(graph, stepName);
  // A process an executor starts for the run's owner carries the owner's token; anyone else takes the run.
  const token = env[OWNER_TOKEN_ENV];
  const onBehalfOfOwner = !!token && (await services.store.getOwner(runId))?.token === token;
  // --one-attempt comes from an orchestrator that owns the run (an executor's parent process, or an Argo Workflow,
  // whose concurrent pods must not refuse each other): it does not take the owner record.
  const ownership = onBehalfOfOwner || options.oneAttempt ? undefined : await acquireRun(services.store, runId, 'execute-single-node', env, (m) => services.reporter.warn(m));
  if (ownership?.tookOver) {
    const { owner, reason } = ownership.tookOver;
    services.reporter.warn(`Run ${runId} was owned by ${describeOwner(owner)}, which is gone (${reason}); taking it over to execute '${stepName}'.`);
  }
  try {
    return await executeOwnedNode(pipeline, runId, stepName, services, graph, node, branches, env, !!options.oneAttempt, !!options.cacheLookup);
  } finally {
    await ownership?.release();
  }
}

async function executeOwnedNode(
  pipeline: AnyPipeline,
  runId: string,
  stepName: string,
  services: Services,
  graph: Graph,
  node: TaskNode,
  branches: string[],
  env: NodeJS.ProcessEnv,
  oneAttempt: boolean,
  cacheLookup: boolean,
): Promise<StepLog> {
  const original = await services.store.get(runId);
  const change = dagChange(original, graph);
  if (change) services.reporter.warn(`The pipeline's structure differs from run ${runId}'s (${change}); executing '${stepName}' anyway.`);
  // The step's scope: the run's values, then each enclosing branch's own values (iteration value included).
  let scope = new Scope(undefined, { ...original.parameters });
  for (const b of branches) {
    const log = findBranch(original, b);
    if (!log) throw new ParameterError(`Branch '${b}' never ran in run ${runId}, so '${stepName}' has no inputs to read. Run the composite first (runnable retry ${runId}).`);
    scope = new Scope(b, { ...log.parameters }, scope);
  }
  const ctx = makeContext(pipeline, graph, services, runId, original.tag, env, original);
  if (!oneAttempt && !findStep(original, stepName)) services.reporter.warn(`Step '${stepName}' never ran in ${runId}; it gets its first attempt.`);
  const leave = enterRun();
  try {
    const run = () => executeTaskNode(ctx, node, scope, oneAttempt ? { maxAttempts: 1 } : {});
    if (!cacheLookup) return await run();
    try {
      return await executeWithCache(ctx, node, scope, run);
    } finally {
      await flushStepCache(ctx);
    }
  } finally {
    leave();
    await services.store.close(runId);
  }
}

// Pipeline.execute() (in the sdk, which cannot import the engine) runs through this.
setPipelineRunner((pipeline, options) => executeInLaunch(pipeline, options, executePipeline));
