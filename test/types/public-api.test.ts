/**
 * Pins the public API of runnable-ts: the types users see (expect-type, compile-time) and the list of runtime
 * exports of src/index.ts. Adding, removing or retyping a public symbol must be a conscious change here.
 *
 * The expectTypeOf assertions are compile-time only (jest runs this file through swc, which strips types), so the
 * last test type-checks this very file with the project's compiler options.
 */
import { expectTypeOf } from 'expect-type';
import * as api from 'runnable-ts';
import {
  Task,
  task,
  pipeline,
  pickled,
  metric,
  json,
  Pipeline,
  PipelineBuilder,
  job,
  Job,
  type JobExecuteOptions,
  type CheckStep,
  type ExecuteOptions,
  type FnTask,
  type LoadArtifactOptions,
  type Accepts,
  type ParamsSlot,
  type ReturnEntry,
  type ReturnKind,
  type ReturnSpec,
  type RunResult,
  type StepIn,
  type StepOut,
  type StepTypes,
  type TaskDefinition,
  type TaskOptions,
} from 'runnable-ts';
import { checkFiles, formatDiag } from './type-check';

interface Frame {
  rows: number[];
}

@Task({ name: 'load', returns: [pickled('df')] })
class Load {
  run() {
    const df: Frame = { rows: [1, 2, 3] };
    return { df };
  }
}

@Task({ returns: ['n_rows', metric('ratio')] })
class Measure {
  async run({ df, test_size }: { df: Frame; test_size?: number }) {
    return { n_rows: df.rows.length, ratio: test_size ?? 0.2 };
  }
}

function summarize({ n_rows }: { n_rows: number }) {
  return { summary: `${n_rows} rows` };
}
const summary = task(summarize, { name: 'summary', returns: ['summary'] });

const built = pipeline('api').params<{ test_size?: number }>().step(Load).step(Measure).step(summary).build();

describe('public API types', () => {
  it('return specs carry the literal name and kind', () => {
    expectTypeOf(pickled('x')).toEqualTypeOf<ReturnSpec<'x', 'pickled'>>();
    expectTypeOf(metric('accuracy')).toEqualTypeOf<ReturnSpec<'accuracy', 'metric'>>();
    expectTypeOf(json('report')).toEqualTypeOf<ReturnSpec<'report', 'json'>>();
    expectTypeOf<ReturnKind>().toEqualTypeOf<'json' | 'pickled' | 'metric'>();
    expectTypeOf<ReturnEntry>().toEqualTypeOf<string | ReturnSpec>();
    expectTypeOf<ReturnSpec>().toEqualTypeOf<ReturnSpec<string, ReturnKind>>();
  });

  it('task(fn, { name, returns }) yields FnTask<name, input, awaited output>', () => {
    expectTypeOf(summary).toEqualTypeOf<FnTask<'summary', { n_rows: number }, { summary: string }>>();
    const asyncTask = task(async ({ a }: { a: number }) => ({ b: String(a) }), { name: 'n', returns: ['b'] });
    expectTypeOf(asyncTask).toEqualTypeOf<FnTask<'n', { a: number }, { b: string }>>();
    const noInput = task(() => ({ x: 1 }), { name: 'no_input', returns: [metric('x')] });
    expectTypeOf(noInput).toEqualTypeOf<FnTask<'no_input', {}, { x: number }>>();
    expectTypeOf(summary.name).toEqualTypeOf<'summary'>();
    expectTypeOf(summary.__task).toEqualTypeOf<TaskDefinition>();
    expectTypeOf(summary).toMatchTypeOf<StepTypes<{ n_rows: number }, { summary: string }>>();
  });

  it('@Task(options) takes TaskOptions', () => {
    expectTypeOf<TaskOptions<readonly ReturnEntry[]>>().toHaveProperty('name').toEqualTypeOf<string | undefined>();
    expectTypeOf<TaskOptions<readonly ReturnEntry[]>>().toHaveProperty('returns').toEqualTypeOf<readonly ReturnEntry[] | undefined>();
    expectTypeOf(Task).returns.toBeFunction();
  });

  it('StepIn / StepOut read a step’s input and awaited output', () => {
    expectTypeOf<StepIn<typeof Load>>().toEqualTypeOf<{}>();
    expectTypeOf<StepOut<typeof Load>>().toEqualTypeOf<{ df: Frame }>();
    expectTypeOf<StepIn<typeof Measure>>().toEqualTypeOf<{ df: Frame; test_size?: number }>();
    expectTypeOf<StepOut<typeof Measure>>().toEqualTypeOf<{ n_rows: number; ratio: number }>();
    expectTypeOf<StepIn<typeof summary>>().toEqualTypeOf<{ n_rows: number }>();
    expectTypeOf<StepOut<typeof summary>>().toEqualTypeOf<{ summary: string }>();
  });

  it('CheckStep is the step itself when satisfied and the error message otherwise', () => {
    expectTypeOf<CheckStep<{ k: 'df'; v: Frame; a: Accepts<Frame> }, typeof Measure>>().toEqualTypeOf<typeof Measure>();
    expectTypeOf<CheckStep<never, typeof Measure>>().toEqualTypeOf<
      NoInfer<"✖ missing input 'df': no earlier step returns it and it is not a pipeline parameter (if run() gives it a default, declare it optional: 'df?: …')">
    >();
  });

  it('pipeline() starts an empty builder; params/step thread the context; build() returns a Pipeline', () => {
    expectTypeOf(pipeline()).toEqualTypeOf<PipelineBuilder<{}, never> & ParamsSlot>();
    expectTypeOf(pipeline).parameters.toEqualTypeOf<[name?: string]>();
    // parameter entries are tagged p: true, so a branch's outputs are exactly what its steps wrote
    expectTypeOf(pipeline().params<{ a: number }>()).toEqualTypeOf<PipelineBuilder<{ a: number }, { k: 'a'; v: number; a: Accepts<number>; p: true }>>();
    // a parameter listed as having a default is always present, and optional for a parent pipeline
    expectTypeOf(pipeline().params<{ a?: number; b: string }, 'a'>({ a: 1 })).toEqualTypeOf<
      PipelineBuilder<{ b: string; a?: number }, { k: 'a'; v: number; a: Accepts<number>; p: true } | { k: 'b'; v: string; a: Accepts<string>; p: true }>
    >();
    // each entry carries its value type twice: v (to read it) and a (contravariant, for one-lookup checks)
    // the last parameter lists the steps (name, inputs, outputs) for runnable-ts/testing: a class's name is only known at
    // run time, and such a step is listed by its outputs only (its mocks are checked against those)
    // a step's entries go to the second part of the scope (type arguments 6 to 9; the 10th counts the steps in it)
    expectTypeOf(pipeline().step(Load)).toEqualTypeOf<PipelineBuilder<{}, never, never, never, never, { k: 'df'; v: Frame; a: Accepts<Frame> }, 'df', never, { n: string; i: unknown; o: { df: Frame } }, 1>>();
    expectTypeOf(pipeline().step(Load, { name: 'load_df' })).toEqualTypeOf<
      PipelineBuilder<{}, never, never, never, never, { k: 'df'; v: Frame; a: Accepts<Frame> }, 'df', 'load_df', { n: 'load_df'; i: {}; o: { df: Frame } }, 1>
    >();
    // a built pipeline reads as Pipeline<parameters, what its steps write, its steps>
    expectTypeOf(built).toEqualTypeOf<
      Pipeline<
        { test_size?: number },
        { df: Frame; n_rows: number; ratio: number; summary: string },
        | { n: string; i: unknown; o: { df: Frame } }
        | { n: string; i: unknown; o: { n_rows: number; ratio: number } }
        | { n: 'summary'; i: { n_rows: number }; o: { summary: string } }
      >
    >();
    // the builder must never become a thenable (`await builder` would hang)
    expectTypeOf<PipelineBuilder<{}, never>>().not.toHaveProperty('then');
  });

  it('a built pipeline executes to Promise<RunResult<its outputs>> and is itself a step (inputs = params)', () => {
    expectTypeOf(built.execute).returns.toEqualTypeOf<Promise<RunResult<{ df: Frame; n_rows: number; ratio: number; summary: string }>>>();
    expectTypeOf<RunResult<{ n_rows: number }>['values']>().toEqualTypeOf<Readonly<{ n_rows: number }>>();
    expectTypeOf(built.load).parameters.toEqualTypeOf<[runId: string, name: 'df' | 'n_rows' | 'ratio' | 'summary', options?: LoadArtifactOptions]>();
    expectTypeOf(built.execute).parameters.toEqualTypeOf<[options?: ExecuteOptions]>();
    expectTypeOf<RunResult>().toHaveProperty('runId').toEqualTypeOf<string>();
    expectTypeOf<StepIn<typeof built>>().toEqualTypeOf<{ test_size?: number }>();
    expectTypeOf(built).toMatchTypeOf<StepTypes<{ test_size?: number }, object>>();
    expectTypeOf(built.name).toEqualTypeOf<string>();
  });
});

describe('jobs', () => {
  it('job(X) is a one-step Pipeline typed by its task: execute({ params }) takes the task inputs', () => {
    const j = job(summary);
    expectTypeOf(j).toMatchTypeOf<Pipeline<StepIn<typeof summary>, StepOut<typeof summary>>>();
    expectTypeOf(j.execute).parameters.toEqualTypeOf<[options?: JobExecuteOptions<StepIn<typeof summary>>]>();
    expectTypeOf(j.execute).returns.toEqualTypeOf<Promise<RunResult<StepOut<typeof summary>>>>();
    expect(Job.isJob(j)).toBe(true);
    expect(Pipeline.isPipeline(j)).toBe(true);
    expect(Job.isJob(built)).toBe(false);
    expect(j.steps.map((s) => s.name)).toEqual(['summary']);
    expect(j.kind).toBe('job');
  });
});

describe('public API runtime', () => {
  it('src/index.ts exports exactly these runtime values', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ArtifactError',
      'CATALOG',
      'ChunkedFsRunLogStore',
      'ConfigError',
      'ConsoleReporter',
      'ContainerSetupError',
      'DoNothingSecretsManager',
      'DotenvSecretsManager',
      'EmulatorExecutor',
      'EnvSecretsManager',
      'ExecutionFailedError',
      'ExecutorSetupError',
      'FileSystemCatalog',
      'FileSystemRunLogStore',
      'IntegrityError',
      'Job',
      'LocalContainerExecutor',
      'LocalExecutor',
      'MemoryCatalog',
      'MemoryRunLogStore',
      'NotSerializableError',
      'ParameterError',
      'ParameterValidationError',
      'Pipeline',
      'PipelineBuilder',
      'PipelineDefinitionError',
      'RUN_LOG_STORE',
      'RetryValidationError',
      'ReturnsMismatchError',
      'RunLogExistsError',
      'RunLogIntegrityError',
      'RunLogNotFoundError',
      'RunOwnedError',
      'RunnableError',
      'SECRETS',
      'SecretLeakError',
      'SecretNotFoundError',
      'Serializable',
      'SilentReporter',
      'StepContext',
      'StepExitError',
      'StepNeverSettledError',
      'StepTimeoutError',
      'Task',
      'TaskDefinitionError',
      'ValueTooLargeError',
      'defineConfig',
      'inject',
      'injectable',
      'job',
      'json',
      'listRuns',
      'loadArtifact',
      'loadConfig',
      'metric',
      'pickled',
      'pipeline',
      'registerPlugin',
      'registerSerializer',
      'shell',
      'stub',
      'summarizeRun',
      'task',
    ]);
  });

  it('return specs and task objects have the documented runtime shape', () => {
    expect(pickled('x')).toEqual({ name: 'x', kind: 'pickled' });
    expect(metric('m')).toEqual({ name: 'm', kind: 'metric' });
    expect(json('j')).toEqual({ name: 'j', kind: 'json' });
    expect(summary.name).toBe('summary');
    expect(summary.__task).toMatchObject({ kind: 'function', name: 'summary', returns: [{ name: 'summary', kind: 'json' }] });
  });

  it('builder is not a thenable and a built pipeline is recognised', () => {
    expect('then' in pipeline()).toBe(false);
    expect(Pipeline.isPipeline(built)).toBe(true);
    expect(built.steps.map((s) => s.name)).toEqual(['load', 'Measure', 'summary']);
  });
});

describe('this file type-checks (enforces the expectTypeOf assertions above)', () => {
  it('has no diagnostics under the project compiler options', () => {
    const { diags, ms } = checkFiles([__filename]);
    console.log(`public-api.test.ts type-checked in ${(ms / 1000).toFixed(2)} s`);
    if (diags.length) throw new Error(`type errors:\n${diags.map((d) => '  ' + formatDiag(d)).join('\n')}`);
  });
});
