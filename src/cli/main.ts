import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ExecutionFailedError, RunnableError } from '../errors';
import { setLaunch, type Launch } from '../engine/launch';
import type { RunResult } from '../engine/run';
import { PACKAGE_VERSION } from '../version';
import { findPipeline, loadModule } from './load';
import { UsageError } from './errors';

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_USAGE = 2;

interface RunFlags {
  runId?: string;
  params?: string;
  tag?: string;
  export?: string;
  quiet?: boolean;
  config?: string;
}

let verbose = false;

/** One readable paragraph; the stack only with --verbose. */
function report(err: unknown): void {
  if (verbose && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
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
      ...(flags.config !== undefined && { configFile: flags.config }),
    },
    runs: new Map(),
    onFirstRun: (p) => firstRun({ run: p }),
  };
  setLaunch(launch);
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
    if (err instanceof ExecutionFailedError) return EXIT_RUN_FAILED;
    throw err;
  }
}

export function buildProgram(): Command {
  const program = new Command('runnable')
    .description('Run typed TypeScript pipelines and inspect what they did.')
    .version(PACKAGE_VERSION, '-V, --version')
    .option('-v, --verbose', 'print stack traces of errors')
    .showHelpAfterError('(add --help for usage)')
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
    setLaunch(undefined);
  }
}
