import { container as rootContainer } from 'tsyringe';
import { buildGraph, dagHash, dumpGraph } from '../graph/graph';
import type { Pipeline } from '../sdk/pipeline';
import type { Catalog } from '../stores/catalog/catalog';
import { FileSystemCatalog } from '../stores/catalog/file-system';
import type { RunLogStore } from '../stores/run-log/store';
import { FileSystemRunLogStore } from '../stores/run-log/file-system';
import type { RunLog, RunStatus, StepLog } from '../stores/run-log/types';
import { ExecutionFailedError, ParameterError, RunLogExistsError } from '../errors';
import { LocalExecutor } from '../executors/local';
import type { Executor } from '../executors/executor';
import { gitCodeIdentity } from './code-identity';
import { CATALOG, RUN_LOG_STORE, Scope, type RunContext } from './context';
import { initialParameters, jsonParameter, type ParameterSource } from './params';
import { ConsoleReporter, SilentReporter, type Reporter } from './reporter';
import { generateRunId, validateRunId } from './run-id';
import { executeGraph } from './traverse';
import { PACKAGE_VERSION } from '../version';

export interface ExecuteOptions {
  /** Run id to use; must not exist yet. Default: `RUNNABLE_RUN_ID`, else a generated one. */
  runId?: string;
  /** Free-text tag recorded in the run log (e.g. an experiment name). */
  tag?: string;
  /** YAML/JSON file of initial parameters. Default: `RUNNABLE_PARAMETERS_FILE`. */
  parametersFile?: string;
  /** Initial parameters given in code; they override the file and the environment. */
  params?: Record<string, unknown>;
  /** Environment to read `RUNNABLE_*` variables from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  runLogStore?: RunLogStore;
  catalog?: Catalog;
  executor?: Executor;
  /** Progress output. Default: console lines; `quiet: true` prints nothing. */
  reporter?: Reporter;
  quiet?: boolean;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  /** The complete run log as stored. */
  runLog: RunLog;
  /** Where the run log is (a path for file stores). */
  runLogLocation: string;
  /** Where the run's artifacts are. */
  catalogLocation: string;
}

/** Failed steps at any depth, with the message of their last attempt. */
export function failedSteps(runLog: RunLog): { name: string; message: string }[] {
  const out: { name: string; message: string }[] = [];
  const visit = (steps: Record<string, StepLog>) => {
    for (const s of Object.values(steps)) {
      const nested = Object.values(s.branches);
      if (s.status === 'FAIL' && nested.length === 0) out.push({ name: s.internal_name, message: s.attempts.at(-1)?.message || s.message });
      for (const b of nested) visit(b.steps);
    }
  };
  visit(runLog.steps);
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

/** Executes a pipeline: creates the run log, walks the graph, and returns (or rejects with) the outcome. */
export async function executePipeline(pipeline: Pipeline<any, any>, options: ExecuteOptions = {}): Promise<RunResult> {
  const env = options.env ?? process.env;
  const graph = buildGraph(pipeline);
  const store = options.runLogStore ?? new FileSystemRunLogStore();
  const catalog = options.catalog ?? new FileSystemCatalog();
  const executor = options.executor ?? new LocalExecutor();
  const reporter = options.reporter ?? (options.quiet ? new SilentReporter() : new ConsoleReporter());
  const tag = options.tag ?? env.RUNNABLE_RUN_TAG ?? '';

  const { params, sources } = initialParameters({
    defaults: pipeline.defaults,
    parametersFile: options.parametersFile ?? env.RUNNABLE_PARAMETERS_FILE,
    env,
  });
  const allSources: Record<string, ParameterSource | 'api'> = sources;
  for (const [k, v] of Object.entries(options.params ?? {})) {
    params[k] = jsonParameter(v);
    allSources[k] = 'api';
  }

  const hash = dagHash(graph);
  const codeIdentities = [gitCodeIdentity()];
  let { runId, generated } = resolveRunId(options, env);
  const runConfig = (id: string): Record<string, unknown> => ({
    execution_mode: 'typescript',
    run_id: id,
    tag,
    pipeline_name: pipeline.name,
    pipeline_executor: executor.config(),
    run_log_store: store.config(),
    catalog: catalog.config(),
    secrets: { service_name: 'env-secrets', service_type: 'secrets' },
    pickler: { service_name: 'superjson', service_type: 'pickler' },
    pipeline_definition_file: pipeline.definition ? `${pipeline.definition.file}#${pipeline.definition.exportName}` : '',
    parameter_sources: allSources,
    retry_indicator: env.RUNNABLE_RETRY_INDICATOR ?? '',
    is_retry: false,
    runnable_ts_version: PACKAGE_VERSION,
    node_version: process.version,
    dag: dumpGraph(graph),
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

  const container = rootContainer.createChildContainer();
  container.register(CATALOG, { useValue: catalog });
  container.register(RUN_LOG_STORE, { useValue: store });
  const ctx: RunContext = {
    runId,
    tag,
    pipeline,
    graph,
    store,
    catalog,
    reporter,
    executor,
    container,
    codeIdentities,
    retryIndicator: env.RUNNABLE_RETRY_INDICATOR ?? '',
    isRetry: false,
  };

  const t0 = performance.now();
  reporter.runStarted({ runId, pipeline: pipeline.name, isRetry: false });
  let status: RunStatus;
  try {
    status = await executeGraph(ctx, graph, new Scope(undefined, { ...params }));
  } catch (err) {
    // An engine or store failure: never leave the run PROCESSING.
    await store.apply(runId, [{ op: 'status', status: 'FAIL' }]).catch(() => undefined);
    await store.close(runId).catch(() => undefined);
    throw err;
  }
  await store.close(runId);
  const runLog = await store.get(runId);
  const failed = failedSteps(runLog);
  const result: RunResult = { runId, status, runLog, runLogLocation: store.describe(runId), catalogLocation: catalog.describe(runId) };
  reporter.runFinished({
    runId,
    status: status === 'SUCCESS' ? 'SUCCESS' : 'FAIL',
    seconds: (performance.now() - t0) / 1000,
    runLogLocation: result.runLogLocation,
    catalogLocation: result.catalogLocation,
    failedSteps: failed,
  });
  if (status !== 'SUCCESS') throw new ExecutionFailedError(runId, failed, runLog);
  return result;
}
