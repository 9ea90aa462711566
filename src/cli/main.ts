import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ArtifactError, ExecutionFailedError, IntegrityError, RunLogNotFoundError, RunnableError } from '../errors';
import { validateRunId } from '../engine/run-id';
import { loadRawPickle, pickledTypeIds } from '../engine/values';
import { currentLaunch, setLaunch, type Launch } from '../engine/launch';
import type { RunResult } from '../engine/run';
import { PACKAGE_VERSION } from '../version';
import { findPipeline, loadModule } from './load';
import { UsageError } from './errors';
import { ConsoleReporter, StepOutputReporter } from '../engine/reporter';
import { abortActiveRuns, executeSingleNode, resolveStores, type ExecuteOptions } from '../engine/run';
import { resolveArtifact } from '../engine/artifacts';
import { listRuns, otherLayoutNote, summarizeRun } from '../engine/runs';
import { buildGraph } from '../graph/graph';
import { abandonedAttempts, interruptNote, runInProgress } from '../engine/guard';
import type { RunLog, RunStatus } from '../stores/run-log/types';
import { findStep } from '../stores/run-log/document';
import { loadConfig } from '../config/load';
import '../executors/builtins';

/*
 * What only some commands need (reports, exports, fan-out/in) is loaded by the command: `runnable run` and
 * `runnable --version` start without it.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const inspectModule = () => require('../report/inspect') as typeof import('../report/inspect');
const timelineModule = () => require('../report/timeline') as typeof import('../report/timeline');
const sizesModule = () => require('../report/sizes') as typeof import('../report/sizes');
const graphModelModule = () => require('../report/graph-model') as typeof import('../report/graph-model');
const graphRenderModule = () => require('../report/graph-render') as typeof import('../report/graph-render');
const reportModule = () => require('../report/report') as typeof import('../report/report');
const verifyModule = () => require('./verify') as typeof import('./verify');
const fanModule = () => require('../engine/fan') as typeof import('../engine/fan');
const argoModule = () => require('../executors/argo') as typeof import('../executors/argo');
const k8sJobModule = () => require('../executors/k8s-job') as typeof import('../executors/k8s-job');
/* eslint-enable @typescript-eslint/no-require-imports */
import type { AnyPipeline } from '../types/any';
import { Job, pipelineKind } from '../sdk/job';

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_USAGE = 2;

interface RunFlags {
  retry?: string;
  runId?: string;
  params?: string;
  tag?: string;
  export?: string;
  quiet?: boolean;
  config?: string;
  /** `runnable job`: the file must export a job (job(X)), not a pipeline. */
  job?: boolean;
  /** --cache (true) / --no-cache (false): the step cache for every step, or for none. */
  cache?: boolean;
  /** --refresh <step>, repeatable. */
  refresh?: string[];
}

let verbose = false;

/**
 * `check` is the only command that needs the TypeScript compiler (~0.6 s to load): load it only then. TypeScript 7+
 * (the project's `typescript`, as its tsc finds it from the files' folder) has no compiler API: its binary checks.
 */
async function checkFiles(files: string[]): Promise<import('./check-report').CheckResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const native = require('./check-native') as typeof import('./check-native');
  const projectTs = native.typescriptFrom(path.dirname(path.resolve(files[0]!)));
  if (projectTs && projectTs.major >= 7) return native.checkFilesNative(files, projectTs);
  let checker: typeof import('./check');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    checker = require('./check') as typeof import('./check');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /'typescript'/.test((err as Error).message)) {
      throw new UsageError("'runnable check' needs the TypeScript compiler in your project: npm install --save-dev typescript");
    }
    throw err;
  }
  if (checker.compilerApiVersion()) return checker.checkFiles(files);
  // the `typescript` found from this package's folder is 7+ (no compiler API): use its binary
  const ownTs = native.typescriptFrom(__dirname);
  if (ownTs && ownTs.major >= 7) return native.checkFilesNative(files, ownTs);
  throw new UsageError("'runnable check' needs the TypeScript compiler in your project (5.4 or later): npm install --save-dev typescript");
}

/** A path relative to the working folder when it is inside it, else absolute. */
function shortPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Refuses a run id that is not one `run` would create (it is used in file paths: `../x` must never reach them). */
function checkRunId(runId: string): string {
  const problem = validateRunId(runId);
  if (problem) throw new UsageError(`${problem}.`);
  return runId;
}

/**
 * The pipeline file and export a run recorded (`run_config.pipeline_definition_file`, relative to the folder the run
 * was started from), so retry and inspect find it from any folder.
 */
function recordedDefinition(log: RunLog): { file: string; exportName?: string } | undefined {
  const def = String(log.run_config.pipeline_definition_file ?? '');
  if (!def) return undefined;
  const [file, exportName] = def.split('#');
  return { file: path.resolve(String(log.run_config.working_directory ?? process.cwd()), file!), ...(exportName && { exportName }) };
}

/** One readable paragraph; the stack only with --verbose. */
function report(err: unknown): void {
  if (verbose && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
    if (err.cause instanceof Error && err.cause.stack) process.stderr.write(`caused by: ${err.cause.stack}\n`);
    return;
  }
  const msg = err instanceof Error ? err.message : String(err);
  const name = err instanceof RunnableError ? '' : err instanceof Error ? `${err.name}: ` : '';
  process.stderr.write(`error: ${name}${msg}\n${err instanceof RunnableError ? '' : '(run with --verbose for the stack trace)\n'}`);
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  let firstRun!: (p: { run: Promise<RunResult> }) => void;
  const started = new Promise<{ run: Promise<RunResult> }>((resolve) => (firstRun = resolve));
  const launch: Launch = {
    options: {
      ...(flags.runId !== undefined && { runId: flags.runId }),
      ...(flags.params !== undefined && { parametersFile: flags.params }),
      ...(flags.tag !== undefined && { tag: flags.tag }),
      ...(flags.quiet && { quiet: true }),
      ...(flags.retry !== undefined && { retryRunId: flags.retry }),
      ...(!flags.quiet && { reporter: new ConsoleReporter({ verbose }) }),
      ...(flags.config !== undefined && { configFile: flags.config }),
      ...(flags.cache !== undefined && { cache: flags.cache }),
      ...(flags.refresh?.length && { refresh: flags.refresh }),
    },
    runs: new Map(),
    onFirstRun: (p) => firstRun({ run: p }),
  };
  setLaunch(launch);
  // Ctrl-C / SIGTERM: mark the run FAIL (never leave it PROCESSING) and say how to resume it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      const note = interruptNote();
      if (note) process.stderr.write(`\n⚠️  ${note}\n`);
      void abortActiveRuns().then((ids) => {
        for (const id of ids) process.stderr.write(`\n⏹  Run ${id} interrupted (${signal}); it is marked FAIL. Resume it with: runnable retry ${id}\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
    });
  }
  // A run the file started itself and did not await/catch: we report it, Node must not crash on it.
  process.on('unhandledRejection', (reason) => {
    // During a run, a rejection is a step's: the run's guard fails that step with it (redacted), in the run log.
    if (reason instanceof ExecutionFailedError || runInProgress()) return;
    report(reason);
    process.exitCode = EXIT_RUN_FAILED;
  });

  const rel = path.relative(process.cwd(), path.resolve(file)) || file;
  const mod = loadModule(file);
  const found = findPipeline(mod, rel, flags.export);
  if (found && flags.job && !Job.isJob(found.pipeline)) {
    throw new UsageError(`'${rel}' exports pipeline '${found.pipeline.name}'${found.exportName === 'default' ? '' : ` as '${found.exportName}'`}, not a job: run it with 'runnable run ${rel}', or export a job: 'export default job(Train);'.`);
  }
  if (found) found.pipeline.definition = { file: rel, exportName: found.exportName };
  const executorType = found && !flags.retry ? loadConfig({ configFile: flags.config }).config.executor?.type : undefined;
  if (found && executorType === 'argo') {
    // The argo executor runs nothing here: it writes the Workflow and says how to submit it.
    writeWorkflow(found.pipeline, rel, found.exportName, flags);
    return EXIT_OK;
  }
  if (found && executorType === 'k8s-job' && !process.env[k8sJobModule().IN_K8S_JOB]) {
    writeK8sJob(found.pipeline, rel, found.exportName, flags);
    return EXIT_OK;
  }

  let run: Promise<RunResult>;
  if (launch.runs.size > 0) {
    run = [...launch.runs.values()][0]!;
  } else if (found) {
    run = found.pipeline.execute();
  } else {
    // The file may start its run later (after its own awaits); give up when the event loop has nothing left to do.
    const idle = new Promise<undefined>((resolve) => process.once('beforeExit', () => resolve(undefined)));
    const next = await Promise.race([started, idle]);
    if (!next) {
      throw new UsageError(
        flags.job
          ? `'${rel}' neither exports a job nor calls execute() on one. Add 'export default job(YourTask);'.`
          : `'${rel}' neither exports a pipeline nor calls execute() on one. Add 'export default pipeline(...)...build();'.`,
      );
    }
    run = next.run;
  }
  try {
    await run;
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ExecutionFailedError) {
      if (flags.quiet) process.stderr.write(`error: ${err.message}\n`);
      return EXIT_RUN_FAILED;
    }
    throw err;
  } finally {
    exitWithoutAbandonedCode();
  }
}

function writeK8sJob(pipeline: AnyPipeline, file: string, exportName: string, flags: { config?: string; params?: string; output?: string; quiet?: boolean; runId?: string }): void {
  const r = k8sJobModule().exportK8sJob({
    pipelineName: pipeline.name,
    kind: pipelineKind(pipeline),
    file,
    exportName,
    ...(flags.config !== undefined && { configFile: flags.config }),
    ...(flags.params !== undefined && { parametersFile: flags.params }),
    ...(flags.output !== undefined && { output: flags.output }),
    ...(flags.runId !== undefined && { runId: flags.runId }),
  });
  const what = Job.isJob(pipeline) ? `job '${pipeline.name}'` : `'${pipeline.name}'`;
  if (!flags.quiet) process.stdout.write(`📄 Wrote the Kubernetes ${r.manifest.kind} of ${what} to ${r.output}.\n   Submit it with:\n     ${r.submit}\n`);
}

function writeWorkflow(pipeline: AnyPipeline, file: string, exportName: string, flags: { config?: string; params?: string; output?: string; quiet?: boolean }): void {
  const r = argoModule().exportArgo({
    pipeline,
    file,
    exportName,
    ...(flags.config !== undefined && { configFile: flags.config }),
    ...(flags.params !== undefined && { parametersFile: flags.params }),
    ...(flags.output !== undefined && { output: flags.output }),
  });
  const templates = (r.manifest.kind === 'CronWorkflow' ? r.manifest.spec.workflowSpec : r.manifest.spec).templates.length;
  if (!flags.quiet) process.stdout.write(`📄 Wrote the Argo ${r.manifest.kind} of '${pipeline.name}' to ${r.output} (${templates} templates).\n   Submit it with:\n     ${r.submit}\n`);
}

/** The run is over: code of steps abandoned after a timeout or fault must not keep the process alive. */
function exitWithoutAbandonedCode(): void {
  const left = abandonedAttempts();
  if (!left.length) return;
  process.stderr.write(
    `⚠️  code of step ${left.join(', ')} was still running when the run ended (its attempt failed, JavaScript cannot be stopped from outside); exiting without waiting for it.\n`,
  );
  setTimeout(() => process.exit(), 0).unref();
}

export function buildProgram(): Command {
  const program = new Command('runnable')
    .description('Run typed TypeScript pipelines and inspect what they did.')
    .version(PACKAGE_VERSION, '-V, --version')
    .option('-v, --verbose', "show what steps print, and stack traces of errors")
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ runnable run examples/tutorial/04-connecting-workflow.ts      # run a pipeline
  $ runnable check examples/tutorial/04-connecting-workflow.ts    # prove its data flow before running it
  $ runnable runs                                                 # what ran, newest first
  $ runnable retry <run_id>                                       # resume a failed run from the failed step
  $ runnable inspect <run_id> model_data                          # look at an intermediate result
  $ runnable timeline <run_id>                                    # every step, iteration and attempt in start order
  $ runnable report <run_id>                                      # the run as one HTML page (Gantt, graph, details)
  $ runnable graph examples/tutorial/04-connecting-workflow.ts    # the pipeline's structure (Mermaid)
  $ runnable ui                                                   # browse and compare runs at http://127.0.0.1:3400/

Exit codes: 0 success, 1 run (or step, or check) failed, 2 usage or configuration error, 130 interrupted.
Docs: docs/cli.md`,
    )
    .exitOverride();

  program
    .command('run')
    .description('Execute a pipeline file: its default export (or --export <name>), or the run the file starts itself.')
    .argument('<file>', 'pipeline file (.ts or .js)')
    .option('--run-id <id>', 'run id to use (must be new); default RUNNABLE_RUN_ID or a generated one')
    .option('-p, --params <file>', 'YAML/JSON file of initial parameters (default RUNNABLE_PARAMETERS_FILE)')
    .option('--tag <tag>', 'tag recorded in the run log, to find and compare runs later')
    .option('-c, --config <file>', 'configuration file (default RUNNABLE_CONFIGURATION_FILE, else runnable.config.ts / .runnablerc.* found from here up)')
    .option('-e, --export <name>', 'name of the exported pipeline when it is not the default export')
    .option('--cache', 'step cache on for every task step: reuse the outputs of an earlier successful run for the same code and inputs (docs/caching.md)')
    .option('--no-cache', 'reuse nothing: every step executes (fingerprints are still recorded for later runs)')
    .option('--refresh <step>', 'execute this step even when the step cache has its outputs (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .addHelpText(
      'after',
      `
Examples:
  $ runnable run examples/tutorial/04-connecting-workflow.ts
  $ RUNNABLE_PRM_test_size=0.3 runnable run examples/tutorial/04-connecting-workflow.ts
  $ runnable run pipeline.ts --params params.yaml --tag baseline --run-id exp-001
  $ RUNNABLE_PRM_n_estimators=20 runnable run pipeline.ts --cache        # reuses load_data, preprocess
  $ runnable run pipeline.ts --cache --refresh preprocess                 # preprocess executes again

Parameters: values in --params, overridden by RUNNABLE_PRM_<name> environment variables (JSON-parsed when
they parse, else taken as strings). Exit code 0 when the run succeeds, 1 when it fails, 2 on a usage error.`,
    )
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runCommand(file, flags);
    });

  program
    .command('job')
    .description('Execute a job: one task run on its own (export default job(Train)), recorded like a one-step pipeline.')
    .argument('<file>', 'job file (.ts or .js)')
    .option('--run-id <id>', 'run id to use (must be new); default RUNNABLE_RUN_ID or a generated one')
    .option('-p, --params <file>', "YAML/JSON file of the task's inputs (default RUNNABLE_PARAMETERS_FILE)")
    .option('--tag <tag>', 'tag recorded in the run log, to find and compare runs later')
    .option('-c, --config <file>', 'configuration file (default RUNNABLE_CONFIGURATION_FILE, else runnable.config.ts / .runnablerc.* found from here up)')
    .option('-e, --export <name>', 'name of the exported job when it is not the default export')
    .option('--cache', "step cache on: reuse the task's outputs from an earlier successful run with the same code and parameters (docs/caching.md)")
    .option('--no-cache', 'reuse nothing: the task executes (its fingerprint is still recorded for later runs)')
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .addHelpText(
      'after',
      `
Examples:
  $ runnable job examples/11-jobs/train-job.ts
  $ RUNNABLE_PRM_n_estimators=50 runnable job examples/11-jobs/train-job.ts --run-id train-001
  $ runnable retry train-001                # a failed job runs again, with the same parameters

The task's inputs are the job's parameters: values in --params, overridden by RUNNABLE_PRM_<name> environment
variables. The executor comes from the configuration as for 'runnable run' (k8s-job writes a Kubernetes Job).
Exit code 0 when the job succeeds, 1 when it fails, 2 on a usage error. See docs/jobs.md.`,
    )
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runCommand(file, { ...flags, job: true });
    });

  program
    .command('retry')
    .description('Resume a failed run from its failed step: steps that succeeded are skipped and their outputs reused.')
    .argument('<run_id>', 'the run to resume (same run id; attempts are numbered on)')
    .option('-f, --file <file>', 'pipeline file to use (default: the one recorded in the run log)')
    .option('-e, --export <name>', 'exported pipeline name (default: the one recorded in the run log)')
    .option('-c, --config <file>', 'configuration file (to find the run-log store)')
    .option('--cache', 'step cache on for the steps that run again: reuse the outputs of an earlier successful run for the same code and inputs (docs/caching.md)')
    .option('--no-cache', 'reuse nothing from the step cache: every step that runs again executes')
    .option('--refresh <step>', 'execute this step even when the step cache has its outputs (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .addHelpText(
      'after',
      `
The failed step and everything after it run again with the CURRENT code; the original parameters are kept
(RUNNABLE_PRM_ variables and --params are ignored on retry). A change to the pipeline's structure (steps added,
removed, renamed or rewired) refuses the retry. Same as: RUNNABLE_RETRY_RUN_ID=<run_id> runnable run <file>.

Examples:
  $ runnable retry brave-curie-101530-x7k2
  $ runnable retry exp-001 --file pipelines/train.ts`,
    )
    .action(async (runId: string, flags: { file?: string; export?: string; config?: string; quiet?: boolean; cache?: boolean; refresh?: string[] }) => {
      checkRunId(runId);
      const env = process.env;
      let file = flags.file;
      let exportName = flags.export;
      if (!file) {
        const { store } = resolveStores({ configFile: flags.config }, env);
        const log = await store.get(runId).catch((err: unknown) => {
          if (err instanceof RunLogNotFoundError) throw new UsageError(`Original run log not found for run_id: ${runId} in ${store.describe(runId)}. List the runs with 'runnable runs'.`);
          throw err;
        });
        const def = recordedDefinition(log);
        if (!def) throw new UsageError(`Run ${runId} does not record its pipeline file; give it with --file <file.ts>.`);
        file = def.file;
        exportName = exportName ?? def.exportName;
      }
      process.exitCode = await runCommand(file!, { retry: runId, export: exportName, config: flags.config, quiet: flags.quiet, cache: flags.cache, refresh: flags.refresh });
    });

  program
    .command('inspect')
    .description('Show a run as a readable tree, or print one of its values.')
    .argument('<run_id>', 'the run')
    .argument('[name]', 'a parameter (pickled values are loaded and decoded) or a catalog file of the run')
    .option('--json', 'machine-readable output (the run log, or the value as JSON)')
    .option('-f, --file <file>', 'pipeline file that registers the classes of pickled values; without it they are shown in their raw stored form (inspect never runs code a run log names)')
    .option('-c, --config <file>', 'configuration file (to find the run-log store and catalog)')
    .addHelpText(
      'after',
      `
Examples:
  $ runnable inspect exp-001                        # steps, status, durations, attempts, parameters, metrics, catalog
  $ runnable inspect exp-001 accuracy               # one value
  $ runnable inspect exp-001 model_data             # a pickled artifact, decoded
  $ runnable inspect exp-001 reports/model-report.md
  $ runnable inspect exp-001 --json | jq .status`,
    )
    .action(async (runId: string, name: string | undefined, flags: { json?: boolean; config?: string; file?: string }) => {
      checkRunId(runId);
      const { store, catalog } = resolveStores({ configFile: flags.config }, process.env);
      const log = await store.get(runId);
      if (!name) {
        process.stdout.write((flags.json ? JSON.stringify(log, null, 2) : inspectModule().renderRun(log)) + '\n');
        return;
      }
      // Pickled user classes are registered when their module is imported. A run log is data that may come from
      // someone else: only a file the user names here is loaded, never the one the run log records.
      const param = log.parameters[name];
      if (flags.file && param?.kind === 'object') {
        try {
          setLaunch({ options: {}, runs: new Map(), onFirstRun: () => undefined, loadOnly: true });
          loadModule(flags.file);
        } catch (err) {
          process.stderr.write(`⚠️  could not load the pipeline file ${flags.file} to register its classes: ${(err as Error).message.split('\n')[0]}\n`);
        }
      }
      let resolved: Awaited<ReturnType<typeof resolveArtifact>>;
      try {
        resolved = await resolveArtifact(log, catalog, name);
      } catch (err) {
        if (!(err instanceof ArtifactError) || param?.kind !== 'object' || !/unknown (class|custom)/i.test(err.message)) throw err;
        // Classes this process does not know: show the stored form, and say how to decode it.
        const raw = await loadRawPickle({ catalog, runId }, name, param);
        const ids = pickledTypeIds(raw);
        const def = recordedDefinition(log);
        process.stderr.write(
          `${name} (pickled, ${param.catalog_relative_path}, ${raw.length} bytes): holds ${ids.map((i) => `'${i}'`).join(', ') || 'registered types'}, not decoded because ` +
            `inspect never runs code a run log names. Shown in its raw superjson form; to decode it, pass the file that registers ` +
            `${ids.length > 1 ? 'them' : 'it'}: runnable inspect ${runId} ${name} --file ${def ? shortPath(def.file) : '<pipeline.ts>'}\n`,
        );
        process.stdout.write(raw + '\n');
        return;
      }
      const { value, source } = resolved;
      if (flags.json) process.stdout.write(inspectModule().toJson(value) + '\n');
      else {
        const from = source.kind === 'file' ? `catalog file ${source.catalogPath}` : source.parameterKind === 'object' ? `pickled, ${source.catalogPath}` : source.parameterKind;
        process.stderr.write(`${name} (${from}):\n`);
        process.stdout.write(inspectModule().renderValue(value, !!process.stdout.isTTY) + '\n');
      }
    });

  program
    .command('timeline')
    .description('Show a run in start order: every step, branch and iteration with status, duration, CPU, memory, values, files, errors and attempts.')
    .argument('<run_id>', 'the run')
    .option('--max-iterations <n>', 'list at most this many iterations of each map/loop (the rest are summarised)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--max-iterations must be a positive whole number, got '${v}'`);
      return n;
    })
    .option('-c, --config <file>', 'configuration file (to find the run-log store and catalog)')
    .addHelpText('after', `
Examples:
  $ runnable timeline exp-001
  $ runnable timeline exp-001 --max-iterations 5      # long maps: the first 5 iterations, then a summary`)
    .action(async (runId: string, flags: { config?: string; maxIterations?: number }) => {
      const { store, catalog } = resolveStores({ configFile: flags.config }, process.env);
      const log = await store.get(runId);
      const sizeOf = await sizesModule().catalogSizes(log, catalog);
      process.stdout.write(timelineModule().renderTimeline(log, { sizeOf, ...(flags.maxIterations && { maxBranches: flags.maxIterations }) }) + '\n');
    });

  program
    .command('report')
    .description('Write a run as one self-contained HTML page: header, Gantt chart of every step/iteration/attempt, the pipeline graph, a panel per step.')
    .argument('<run_id>', 'the run')
    .option('-o, --output <file>', 'where to write the page (default: <run_id>.html in the current folder; - for stdout)')
    .option('-c, --config <file>', 'configuration file (to find the run-log store and catalog)')
    .addHelpText('after', `
Examples:
  $ runnable report exp-001                     # writes exp-001.html; open it in any browser, offline
  $ runnable report exp-001 -o reports/exp-001.html

The page needs no network: styles, script and data are inside it. Maps with more than 50 iterations start
collapsed into one aggregated row (click to expand); only the rows in view are drawn, so 10,000 iterations stay fast.`)
    .action(async (runId: string, flags: { output?: string; config?: string }) => {
      const { store, catalog } = resolveStores({ configFile: flags.config }, process.env);
      const log = await store.get(runId);
      const { html, data } = await reportModule().renderReport(log, catalog);
      if (flags.output === '-') {
        process.stdout.write(html);
        return;
      }
      const out = path.resolve(flags.output ?? `${runId}.html`);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, html);
      const rel = path.relative(process.cwd(), out) || out;
      process.stdout.write(`📊 Report of run ${runId} (${data.rows.length} rows, ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB): ${rel}\n`);
    });

  program
    .command('graph')
    .description("Print a pipeline's structure before any run: steps, composites as subgraphs, on-failure paths, parameters and the names each edge carries.")
    .argument('<file>', 'pipeline file (.ts or .js)')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot', 'json']).default('mermaid'))
    .option('-e, --export <name>', 'name of the exported pipeline when it is not the default export')
    .addHelpText('after', `
Examples:
  $ runnable graph examples/tutorial/04-connecting-workflow.ts                 # Mermaid (GitHub renders it in Markdown)
  $ runnable graph pipeline.ts --format dot | dot -Tsvg > pipeline.svg           # Graphviz
  $ runnable graph pipeline.ts --format json                                     # for tools

Edges carry the names the step before returns (pickled and metric ones marked; '[ ]' after a map: arrays).
Inputs are the names a step's code destructures from its input; shell steps see every value.`)
    .action((file: string, flags: { format: 'mermaid' | 'dot' | 'json'; export?: string }) => {
      const rel = path.relative(process.cwd(), path.resolve(file)) || file;
      // Load the file without running anything it would start by itself.
      setLaunch({ options: {}, runs: new Map(), onFirstRun: () => undefined, loadOnly: true });
      const found = findPipeline(loadModule(file), rel, flags.export);
      if (!found) throw new UsageError(`'${rel}' exports no pipeline. Add 'export default pipeline(...)...build();' or name it with --export.`);
      const model = graphModelModule().pipelineGraphModel(buildGraph(found.pipeline));
      const params = graphModelModule().parameterNames(model, Object.keys(found.pipeline.defaults));
      const text =
        flags.format === 'json'
          ? JSON.stringify({ pipeline: found.pipeline.name, parameters: params, graph: model }, null, 2)
          : flags.format === 'dot'
            ? graphRenderModule().toDot(model, params)
            : graphRenderModule().toMermaid(model, params);
      process.stdout.write(text + '\n');
    });

  program
    .command('ui')
    .description('Serve a read-only runs browser on this machine (127.0.0.1): the runs list, each run\'s report, compare runs, download artifacts.')
    .option('-p, --port <n>', 'port to listen on (0: any free port)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got '${v}'`);
      return n;
    }, 3400)
    .option('-c, --config <file>', 'configuration file (to find the run-log store and catalog)')
    .addHelpText('after', `
Examples:
  $ runnable ui                  # then open http://127.0.0.1:3400/
  $ runnable ui --port 8081 -c runnable.config.ts

Listens on 127.0.0.1 only (never on other interfaces) and changes nothing. Ctrl-C stops it.`)
    .action(async (flags: { port: number; config?: string }) => {
      const { store, catalog } = resolveStores({ configFile: flags.config }, process.env);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startRunsBrowser } = require('../ui/server') as typeof import('../ui/server'); // loaded only for this command
      const ui = await startRunsBrowser({ store, catalog, port: flags.port }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') throw new UsageError(`Port ${flags.port} on 127.0.0.1 is in use; choose another with --port <n> (0 picks a free one).`);
        throw err;
      });
      // listen for Ctrl-C before printing the URL: whoever reads the URL may stop the server right away
      const stopped = new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void ui.close().then(() => {
            process.stdout.write(`\n⏹  Runs browser stopped (${signal}).\n`);
            resolve();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      const where = (store.config() as { log_folder?: string }).log_folder;
      process.stdout.write(`🔎 Runs browser of the ${store.type} run-log store${where ? ` (${where})` : ''}: ${ui.url}\n   read-only, this machine only; Ctrl-C to stop\n`);
      await stopped;
    });

  const runs = program
    .command('runs')
    .description('List runs, newest first, with status, start, duration, tag and metrics.')
    .option('-t, --tag <tag>', 'only runs with this tag')
    .option('-s, --status <status>', 'only runs with this status (SUCCESS, FAIL, PROCESSING)')
    .option('-n, --limit <n>', 'at most this many runs', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a positive whole number, got '${v}'`);
      return n;
    })
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file (to find the run-log store)')
    .addHelpText('after', `
Examples:
  $ runnable runs
  $ runnable runs --tag baseline --status SUCCESS --limit 5
  $ runnable runs compare exp-001 exp-002 exp-003`)
    .action(async (flags: { tag?: string; status?: string; limit?: number; json?: boolean; config?: string }) => {
      const status = flags.status?.toUpperCase();
      if (status && !['SUCCESS', 'FAIL', 'PROCESSING', 'CREATED'].includes(status)) throw new UsageError(`--status must be one of SUCCESS, FAIL, PROCESSING, CREATED, got '${flags.status}'`);
      const { store } = resolveStores({ configFile: flags.config }, process.env);
      const list = await listRuns(store, { ...(flags.tag !== undefined && { tag: flags.tag }), ...(status && { status: status as RunStatus }), ...(flags.limit && { limit: flags.limit }) });
      if (flags.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      else {
        const where = (store.config() as { log_folder?: string }).log_folder;
        process.stdout.write((list.length ? inspectModule().renderRunsTable(list) : `No runs yet in the ${store.type} run-log store${where ? ` (${where})` : ''}.`) + '\n');
      }
      for (const s of list.skipped ?? []) process.stderr.write(`⚠️  skipped ${s.runId}: ${s.error}\n`);
      const note = await otherLayoutNote(store);
      if (note) process.stderr.write(`${note}\n`);
    });

  runs
    .command('compare')
    .description('Show parameters and metrics of runs side by side, marking the ones that differ.')
    .argument('<run_ids...>', 'two or more run ids')
    .addHelpText('after', `
Example:
  $ runnable runs compare exp-001 exp-002 exp-003     # '*' marks parameters and metrics that differ`)
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file (to find the run-log store)')
    .action(async (ids: string[], _flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals() as { json?: boolean; config?: string };
      if (ids.length < 2) throw new UsageError('compare needs at least two run ids');
      ids.forEach(checkRunId);
      const { store } = resolveStores({ configFile: flags.config }, process.env);
      const summaries = await Promise.all(ids.map(async (id) => summarizeRun(await store.get(id))));
      process.stdout.write((flags.json ? JSON.stringify(summaries, null, 2) : inspectModule().renderComparison(summaries)) + '\n');
    });

  program
    .command('verify')
    .description("Check a run's catalog against its run log: every stored value and file present, with the SHA-256 recorded.")
    .argument('<run_id>', 'the run')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file (to find the run-log store and catalog)')
    .addHelpText(
      'after',
      `
Example:
  $ runnable verify exp-001
Exit code 0 when every artifact matches, 1 when one is missing or changed (each is listed), 2 on a usage error.`,
    )
    .action(async (runId: string, flags: { json?: boolean; config?: string }) => {
      process.exitCode = await verifyModule().verifyCommand(runId, flags);
    });

  program
    .command('execute-single-node')
    .description('Execute exactly one step of an existing run in this process, with that run\'s inputs; its attempt is added to the run log.')
    .argument('<run_id>', 'the run whose inputs the step reads')
    .argument('<file>', 'pipeline file')
    .argument('<step>', "the step's name as in the run log; inside branches its dot path (map_state.2.train)")
    .option('-e, --export <name>', 'exported pipeline name when not the default export')
    .option('-c, --config <file>', 'configuration file')
    .addOption(new Option('--one-attempt', "run exactly one attempt whatever the step's retry says: the caller owns retries (out-of-process executors, Argo's retryStrategy)").hideHelp())
    .addOption(new Option('--output-only', 'print only what the step prints (no progress lines)').hideHelp())
    .addOption(new Option('--cache-lookup', "consult the step cache before running the step (Argo pods: no orchestrating process does it for them)").hideHelp())
    .addHelpText(
      'after',
      `
The way to debug one failing step: inputs come from the run's log and catalog, so nothing upstream runs again.
  $ runnable execute-single-node exp-001 pipeline.ts train
  $ runnable execute-single-node exp-001 pipeline.ts map_state.2.train                          # one map iteration's step
  $ node --inspect-brk node_modules/.bin/runnable execute-single-node exp-001 pipeline.ts train   # with a debugger
Exit code 0 when the step succeeds, 1 when it fails.`,
    )
    .action(async (runId: string, file: string, step: string, flags: { export?: string; config?: string; oneAttempt?: boolean; outputOnly?: boolean; cacheLookup?: boolean }) => {
      checkRunId(runId);
      const rel = path.relative(process.cwd(), path.resolve(file)) || file;
      const found = findPipeline(loadModule(file), rel, flags.export);
      if (!found) throw new UsageError(`'${rel}' exports no pipeline.`);
      found.pipeline.definition = { file: rel, exportName: found.exportName };
      const options: ExecuteOptions = {
        ...(flags.config !== undefined && { configFile: flags.config }),
        reporter: flags.outputOnly ? new StepOutputReporter() : new ConsoleReporter({ verbose: true, summary: false }),
      };
      if (process.env.RUNNABLE_RETRY_RUN_ID && (await succeededInRun(runId, step, flags.config))) {
        // A resubmitted run (retry): the step succeeded before, so it keeps its outputs and does not run again.
        process.stdout.write(`⏭  ${step} succeeded in the original run: skipped\n`);
        process.exitCode = EXIT_OK;
        return;
      }
      const result = await executeSingleNode(found.pipeline, runId, step, { ...options, ...(flags.oneAttempt && { oneAttempt: true }), ...(flags.cacheLookup && { cacheLookup: true }) }).finally(exitWithoutAbandonedCode);
      process.exitCode = result.status === 'SUCCESS' ? EXIT_OK : EXIT_RUN_FAILED;
    });

  program
    .command('export')
    .description('Write a pipeline in another engine\'s format instead of running it (argo: an Argo Workflow).')
    .argument('<format>', 'argo | k8s-job')
    .argument('<file>', 'pipeline file')
    .option('-o, --output <file>', "where to write (default: the argo executor's outputFile, else argo-pipeline.yaml)")
    .option('-e, --export <name>', 'exported pipeline name when not the default export')
    .option('-c, --config <file>', "configuration file with executor: { type: 'argo', config: {...} }")
    .option('-p, --params <file>', 'parameters file the run starts from (its scalars become workflow arguments)')
    .option('--run-id <id>', 'k8s-job: the run id of the Job (default: a generated one)')
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .addHelpText(
      'after',
      `
Example:
  $ runnable export argo examples/tutorial/04-connecting-workflow.ts -c examples/argo/runnable.config.ts -o tutorial.yaml
  $ argo submit tutorial.yaml -p run_id=tutorial-001 --watch
See docs/argo.md.`,
    )
    .action((format: string, file: string, flags: { output?: string; export?: string; config?: string; params?: string; quiet?: boolean; runId?: string }) => {
      if (format !== 'argo' && format !== 'k8s-job') throw new UsageError(`export: the format is 'argo' or 'k8s-job', got '${format}'`);
      const rel = path.relative(process.cwd(), path.resolve(file)) || file;
      const found = findPipeline(loadModule(file), rel, flags.export);
      if (!found) throw new UsageError(`'${rel}' exports no pipeline: the Workflow's pods load it by its export, so export it ('export default pipeline(...)...build()').`);
      if (format === 'argo') writeWorkflow(found.pipeline, rel, found.exportName, flags);
      else writeK8sJob(found.pipeline, rel, found.exportName, flags);
    });

  program
    .command('fan', { hidden: true })
    .description("Open ('out') or close ('in') a composite step of an existing run, for executors that run each step in its own process or pod.")
    .argument('<run_id>', 'the run')
    .argument('<step>', "the composite's dot path (map_state, par.a.inner_map.3.loop); '.' is the pipeline itself; <branch>.success / fail are the terminal nodes")
    .argument('<file>', 'pipeline file')
    .argument('<direction>', 'out | in')
    .option('-e, --export <name>', 'exported pipeline name when not the default export')
    .option('-c, --config <file>', 'configuration file')
    .option('-p, --params <file>', "parameters file (only for '. out', which creates the run)")
    .option('--iteration <n>', 'loop iteration to open or close (default 0)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--iteration must be a whole number >= 0, got '${v}'`);
      return n;
    })
    .option('-o, --output <file>', 'write what an orchestrator needs next to this file (default: stdout)')
    .option('--next-iteration-output <file>', "loop 'in': write the next iteration's number to this file (an Argo output parameter)")
    .addHelpText(
      'after',
      `
out on a map writes the JSON list of the branch keys to run, on a parallel its branch names, on a conditional the
chosen branch; in on a loop iteration writes 'true' when another iteration is to run, else 'false'.
Exit code 1 when the composite failed (or the 'fail' node was reached), 0 otherwise. See docs/argo.md.
  $ runnable fan exp-001 . pipeline.ts out                      # create the run log
  $ runnable fan exp-001 map_state pipeline.ts out -o keys.json  # open the map: one branch log per item
  $ runnable fan exp-001 map_state pipeline.ts in                # merge the items' values, close the map`,
    )
    .action(async (runId: string, step: string, file: string, direction: string, flags: { export?: string; config?: string; params?: string; iteration?: number; output?: string; nextIterationOutput?: string }) => {
      if (direction !== 'in' && direction !== 'out') throw new UsageError(`fan: the direction must be 'in' or 'out', got '${direction}'`);
      const rel = path.relative(process.cwd(), path.resolve(file)) || file;
      const found = findPipeline(loadModule(file), rel, flags.export);
      if (!found) throw new UsageError(`'${rel}' exports no pipeline.`);
      found.pipeline.definition = { file: rel, exportName: found.exportName };
      const result = await fanModule().fan(found.pipeline, runId, step, direction, {
        ...(flags.config !== undefined && { configFile: flags.config }),
        ...(flags.params !== undefined && { parametersFile: flags.params }),
        ...(flags.iteration !== undefined && { iteration: flags.iteration }),
        reporter: new ConsoleReporter({ verbose: true, summary: false }),
      });
      if (flags.output) {
        fs.mkdirSync(path.dirname(path.resolve(flags.output)), { recursive: true });
        fs.writeFileSync(flags.output, result.output);
      } else if (result.output) process.stdout.write(`${result.output}\n`);
      if (flags.nextIterationOutput) {
        fs.mkdirSync(path.dirname(path.resolve(flags.nextIterationOutput)), { recursive: true });
        fs.writeFileSync(flags.nextIterationOutput, String((flags.iteration ?? 0) + 1));
      }
      if (result.status === 'FAIL') process.stderr.write(`error: step '${step}' failed${result.message ? `: ${result.message}` : ''}\n`);
      process.exitCode = result.status === 'FAIL' ? EXIT_RUN_FAILED : EXIT_OK;
    });

  program
    .command('check')
    .description('Type-check pipeline files with the project\'s tsconfig and explain data-flow errors.')
    .argument('<files...>', 'pipeline files')
    .addHelpText('after', `
Example:
  $ runnable check examples/tutorial/04-connecting-workflow.ts
Exit code 0 when the files type-check, 1 when they do not.`)
    .action(async (files: string[]) => {
      for (const f of files) if (!fs.existsSync(f)) throw new UsageError(`File '${f}' does not exist.`);
      const { problems, filesChecked, tsconfig, note } = await checkFiles(files);
      for (const p of problems) process.stdout.write(`${p.file ? `${p.file}:${p.line}:${p.column} ` : ''}TS${p.code}\n${p.text.replace(/^/gm, '  ')}\n\n`);
      if (note) process.stdout.write(`${note}\n`);
      const where = tsconfig ? ` (with ${tsconfig})` : '';
      if (problems.length) {
        process.stdout.write(`❌ ${problems.length} error${problems.length > 1 ? 's' : ''} in ${filesChecked} file${filesChecked > 1 ? 's' : ''}${where}\n`);
        process.exitCode = EXIT_RUN_FAILED;
      } else process.stdout.write(`✅ ${filesChecked} file${filesChecked > 1 ? 's' : ''} type-check${filesChecked > 1 ? '' : 's'}${where}: every step's inputs are provided\n`);
    });

  return program;
}

/** Whether a task step's last attempt succeeded in a run (a resubmitted Argo run skips it). */
async function succeededInRun(runId: string, step: string, configFile: string | undefined): Promise<boolean> {
  const { store } = resolveStores({ configFile }, process.env);
  const log = await store.get(runId);
  await store.close(runId);
  return findStep(log, step)?.attempts.at(-1)?.status === 'SUCCESS';
}

export async function main(argv: string[]): Promise<number> {
  verbose = argv.includes('--verbose') || argv.includes('-v');
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    report(err);
    if (err instanceof IntegrityError) return EXIT_RUN_FAILED;
    if (err instanceof RunnableError && !(err instanceof ExecutionFailedError)) return EXIT_USAGE;
    return EXIT_RUN_FAILED;
  } finally {
    // A file only loaded (graph, inspect) may call execute() later, after its own awaits: it must still start nothing.
    if (!currentLaunch()?.loadOnly) setLaunch(undefined);
  }
}
