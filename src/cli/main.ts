import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ExecutionFailedError, RunLogNotFoundError, RunnableError } from '../errors';
import { currentLaunch, setLaunch, type Launch } from '../engine/launch';
import type { RunResult } from '../engine/run';
import { PACKAGE_VERSION } from '../version';
import { findPipeline, loadModule } from './load';
import { UsageError } from './errors';
import { ConsoleReporter, StepOutputReporter } from '../engine/reporter';
import { abortActiveRuns, executeSingleNode, resolveStores, type ExecuteOptions } from '../engine/run';
import { resolveArtifact } from '../engine/artifacts';
import { listRuns, summarizeRun } from '../engine/runs';
import { renderComparison, renderRun, renderRunsTable, renderValue, toJson } from '../report/inspect';
import { renderTimeline } from '../report/timeline';
import { catalogSizes } from '../report/sizes';
import { buildGraph } from '../graph/graph';
import { parameterNames, pipelineGraphModel } from '../report/graph-model';
import { toDot, toMermaid } from '../report/graph-render';
import { renderReport } from '../report/report';
import { startRunsBrowser } from '../ui/server';
import type { RunLog, RunStatus } from '../stores/run-log/types';

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
}

let verbose = false;

/** `check` is the only command that needs the TypeScript compiler (~0.6 s to load): load it only then. */
function loadChecker(): typeof import('./check') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('./check') as typeof import('./check');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /'typescript'/.test((err as Error).message)) {
      throw new UsageError("'runnable check' needs the TypeScript compiler in your project: npm install --save-dev typescript");
    }
    throw err;
  }
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
    },
    runs: new Map(),
    onFirstRun: (p) => firstRun({ run: p }),
  };
  setLaunch(launch);
  // Ctrl-C / SIGTERM: mark the run FAIL (never leave it PROCESSING) and say how to resume it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void abortActiveRuns().then((ids) => {
        for (const id of ids) process.stderr.write(`\n⏹  Run ${id} interrupted (${signal}); it is marked FAIL. Resume it with: runnable retry ${id}\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
    });
  }
  // A run the file started itself and did not await/catch: we report it, Node must not crash on it.
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof ExecutionFailedError) return;
    report(reason);
    process.exitCode = EXIT_RUN_FAILED;
  });

  const rel = path.relative(process.cwd(), path.resolve(file)) || file;
  const mod = loadModule(file);
  const found = findPipeline(mod, rel, flags.export);
  if (found) found.pipeline.definition = { file: rel, exportName: found.exportName };

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
      throw new UsageError(`'${rel}' neither exports a pipeline nor calls execute() on one. Add 'export default pipeline(...)...build();'.`);
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
  }
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
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .addHelpText(
      'after',
      `
Examples:
  $ runnable run examples/tutorial/04-connecting-workflow.ts
  $ RUNNABLE_PRM_test_size=0.3 runnable run examples/tutorial/04-connecting-workflow.ts
  $ runnable run pipeline.ts --params params.yaml --tag baseline --run-id exp-001

Parameters: values in --params, overridden by RUNNABLE_PRM_<name> environment variables (JSON-parsed when
they parse, else taken as strings). Exit code 0 when the run succeeds, 1 when it fails, 2 on a usage error.`,
    )
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runCommand(file, flags);
    });

  program
    .command('retry')
    .description('Resume a failed run from its failed step: steps that succeeded are skipped and their outputs reused.')
    .argument('<run_id>', 'the run to resume (same run id; attempts are numbered on)')
    .option('-f, --file <file>', 'pipeline file to use (default: the one recorded in the run log)')
    .option('-e, --export <name>', 'exported pipeline name (default: the one recorded in the run log)')
    .option('-c, --config <file>', 'configuration file (to find the run-log store)')
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
    .action(async (runId: string, flags: { file?: string; export?: string; config?: string; quiet?: boolean }) => {
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
      process.exitCode = await runCommand(file!, { retry: runId, export: exportName, config: flags.config, quiet: flags.quiet });
    });

  program
    .command('inspect')
    .description('Show a run as a readable tree, or print one of its values.')
    .argument('<run_id>', 'the run')
    .argument('[name]', 'a parameter (pickled values are loaded and decoded) or a catalog file of the run')
    .option('--json', 'machine-readable output (the run log, or the value as JSON)')
    .option('-f, --file <file>', 'pipeline file that registers the classes of pickled values (default: the run\'s own)')
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
      const { store, catalog } = resolveStores({ configFile: flags.config }, process.env);
      const log = await store.get(runId);
      if (!name) {
        process.stdout.write((flags.json ? JSON.stringify(log, null, 2) : renderRun(log)) + '\n');
        return;
      }
      // Pickled user classes are registered when their module is imported: load the run's pipeline file first.
      const defFile = flags.file ?? recordedDefinition(log)?.file;
      if (defFile && log.parameters[name]?.kind === 'object') {
        try {
          setLaunch({ options: {}, runs: new Map(), onFirstRun: () => undefined, loadOnly: true });
          loadModule(defFile);
        } catch (err) {
          process.stderr.write(`⚠️  could not load the pipeline file ${defFile} to register its classes: ${(err as Error).message.split('\n')[0]}\n`);
        }
      }
      const { value, source } = await resolveArtifact(log, catalog, name);
      if (flags.json) process.stdout.write(toJson(value) + '\n');
      else {
        const from = source.kind === 'file' ? `catalog file ${source.catalogPath}` : source.parameterKind === 'object' ? `pickled, ${source.catalogPath}` : source.parameterKind;
        process.stderr.write(`${name} (${from}):\n`);
        process.stdout.write(renderValue(value, !!process.stdout.isTTY) + '\n');
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
      const sizeOf = await catalogSizes(log, catalog);
      process.stdout.write(renderTimeline(log, { sizeOf, ...(flags.maxIterations && { maxBranches: flags.maxIterations }) }) + '\n');
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
      const { html, data } = await renderReport(log, catalog);
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
      const model = pipelineGraphModel(buildGraph(found.pipeline));
      const params = parameterNames(model, Object.keys(found.pipeline.defaults));
      const text =
        flags.format === 'json'
          ? JSON.stringify({ pipeline: found.pipeline.name, parameters: params, graph: model }, null, 2)
          : flags.format === 'dot'
            ? toDot(model, params)
            : toMermaid(model, params);
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
        process.stdout.write((list.length ? renderRunsTable(list) : `No runs yet in the ${store.type} run-log store${where ? ` (${where})` : ''}.`) + '\n');
      }
      for (const s of list.skipped ?? []) process.stderr.write(`⚠️  skipped ${s.runId}: ${s.error}\n`);
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
      const { store } = resolveStores({ configFile: flags.config }, process.env);
      const summaries = await Promise.all(ids.map(async (id) => summarizeRun(await store.get(id))));
      process.stdout.write((flags.json ? JSON.stringify(summaries, null, 2) : renderComparison(summaries)) + '\n');
    });

  program
    .command('execute-single-node')
    .description('Execute exactly one step of an existing run in this process, with that run\'s inputs; its attempt is added to the run log.')
    .argument('<run_id>', 'the run whose inputs the step reads')
    .argument('<file>', 'pipeline file')
    .argument('<step>', "the step's name as in the run log; inside branches its dot path (map_state.2.train)")
    .option('-e, --export <name>', 'exported pipeline name when not the default export')
    .option('-c, --config <file>', 'configuration file')
    .addOption(new Option('--single-attempt', 'run one attempt only (out-of-process executors count attempts themselves)').hideHelp())
    .addOption(new Option('--output-only', 'print only what the step prints (no progress lines)').hideHelp())
    .addHelpText(
      'after',
      `
The way to debug one failing step: inputs come from the run's log and catalog, so nothing upstream runs again.
  $ runnable execute-single-node exp-001 pipeline.ts train
  $ runnable execute-single-node exp-001 pipeline.ts map_state.2.train                          # one map iteration's step
  $ node --inspect-brk node_modules/.bin/runnable execute-single-node exp-001 pipeline.ts train   # with a debugger
Exit code 0 when the step succeeds, 1 when it fails.`,
    )
    .action(async (runId: string, file: string, step: string, flags: { export?: string; config?: string; singleAttempt?: boolean; outputOnly?: boolean }) => {
      const rel = path.relative(process.cwd(), path.resolve(file)) || file;
      const found = findPipeline(loadModule(file), rel, flags.export);
      if (!found) throw new UsageError(`'${rel}' exports no pipeline.`);
      found.pipeline.definition = { file: rel, exportName: found.exportName };
      const options: ExecuteOptions = {
        ...(flags.config !== undefined && { configFile: flags.config }),
        reporter: flags.outputOnly ? new StepOutputReporter() : new ConsoleReporter({ verbose: true, summary: false }),
      };
      const result = await executeSingleNode(found.pipeline, runId, step, { ...options, singleAttempt: !!flags.singleAttempt });
      process.exitCode = result.status === 'SUCCESS' ? EXIT_OK : EXIT_RUN_FAILED;
    });

  program
    .command('check')
    .description('Type-check pipeline files with the project\'s tsconfig and explain data-flow errors.')
    .argument('<files...>', 'pipeline files')
    .addHelpText('after', `
Example:
  $ runnable check examples/tutorial/04-connecting-workflow.ts
Exit code 0 when the files type-check, 1 when they do not.`)
    .action((files: string[]) => {
      for (const f of files) if (!fs.existsSync(f)) throw new UsageError(`File '${f}' does not exist.`);
      const { problems, filesChecked, tsconfig } = loadChecker().checkFiles(files);
      for (const p of problems) process.stdout.write(`${p.file ? `${p.file}:${p.line}:${p.column} ` : ''}TS${p.code}\n${p.text.replace(/^/gm, '  ')}\n\n`);
      const where = tsconfig ? ` (with ${tsconfig})` : '';
      if (problems.length) {
        process.stdout.write(`❌ ${problems.length} error${problems.length > 1 ? 's' : ''} in ${filesChecked} file${filesChecked > 1 ? 's' : ''}${where}\n`);
        process.exitCode = EXIT_RUN_FAILED;
      } else process.stdout.write(`✅ ${filesChecked} file${filesChecked > 1 ? 's' : ''} type-check${filesChecked > 1 ? '' : 's'}${where}: every step's inputs are provided\n`);
    });

  return program;
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
    if (err instanceof RunnableError && !(err instanceof ExecutionFailedError)) return EXIT_USAGE;
    return EXIT_RUN_FAILED;
  } finally {
    // A file only loaded (graph, inspect) may call execute() later, after its own awaits: it must still start nothing.
    if (!currentLaunch()?.loadOnly) setLaunch(undefined);
  }
}
