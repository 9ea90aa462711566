import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunLog } from '../../src/stores/run-log/types';
import { ROOT, readRunLog, runIdFrom, runnable, tmpDir } from '../helpers/cli';

const EX = path.join(ROOT, 'examples');
const PARAMS = path.join(EX, '03-parameters/initial-parameters.yaml');
const values = (log: RunLog) => Object.fromEntries(Object.entries(log.parameters).map(([k, p]) => [k, p.value]));
const statuses = (steps: RunLog['steps']) => Object.entries(steps).map(([k, s]) => [k, s.status]);

async function run(file: string, args: string[] = [], env: Record<string, string> = {}, expectCode = 0): Promise<{ log: RunLog; stdout: string; cwd: string }> {
  const cwd = tmpDir();
  const out = await runnable(['run', path.join(EX, file), ...args], { cwd, env });
  if (out.code !== expectCode) throw new Error(`${file} exited ${out.code}, expected ${expectCode}\n${out.stdout}\n${out.stderr}`);
  return { log: readRunLog(cwd, runIdFrom(out.stdout)), stdout: out.stdout, cwd };
}

/** Every example file is run by one of the tests below. */
const COVERED = new Set<string>();
const cover = (f: string) => (COVERED.add(f), f);

describe('examples run end to end through the CLI', () => {
  it('02-sequential/traversal: stub, task, shell in order', async () => {
    const { log } = await run(cover('02-sequential/traversal.ts'));
    expect(statuses(log.steps)).toEqual([
      ['hello_stub', 'SUCCESS'],
      ['hello', 'SUCCESS'],
      ['echo', 'SUCCESS'],
      ['check', 'SUCCESS'],
      ['success', 'SUCCESS'],
    ]);
    expect(log.steps.hello_stub!.step_type).toBe('stub');
    expect(values(log)).toMatchObject({ greeting: 'Hello World!', length: 12, ok: true });
  });

  it('02-sequential/default-fail: the run fails at step_2, step_3 never runs', async () => {
    const { log } = await run(cover('02-sequential/default-fail.ts'), [], {}, 1);
    expect(log.status).toBe('FAIL');
    expect(statuses(log.steps)).toEqual([
      ['step_1', 'SUCCESS'],
      ['step_2', 'FAIL'],
      ['fail', 'SUCCESS'],
    ]);
    expect(log.steps.step_2!.attempts[0]!.message).toBe('Error: this step always fails');
  });

  it('02-sequential/on-failure: recovery makes the run succeed, the failed step stays FAIL', async () => {
    const { log } = await run(cover('02-sequential/on-failure.ts'));
    expect(log.status).toBe('SUCCESS');
    expect(statuses(log.steps)).toEqual([
      ['step_1', 'FAIL'],
      ['step_4', 'SUCCESS'],
      ['success', 'SUCCESS'],
    ]);
    expect(values(log)).toMatchObject({ result: -1, used_fallback: true });
  });

  it('02-sequential/conditional: only the chosen branch runs; its value is rolled back into the parent', async () => {
    const heads = await run(cover('02-sequential/conditional.ts'));
    expect(Object.keys(heads.log.steps)).toEqual(['toss_task', 'conditional', 'verify', 'continue_to', 'success']);
    expect(Object.keys(heads.log.steps.conditional!.branches)).toEqual(['conditional.heads']);
    expect(Object.keys(heads.log.steps.conditional!.branches['conditional.heads']!.steps)).toEqual(['conditional.heads.when_heads_task', 'conditional.heads.success']);
    expect(values(heads.log)).toMatchObject({ branch_param: 'heads_value', verified: true });
    const tails = await run('02-sequential/conditional.ts', [], { RUNNABLE_PRM_coin: 'tails' });
    expect(Object.keys(tails.log.steps.conditional!.branches)).toEqual(['conditional.tails']);
    expect(values(tails.log)).toMatchObject({ branch_param: 'tails_value', verified: true });
  });

  it('03-parameters/static-parameters: values from the parameters file and the environment reach TypeScript and shell steps', async () => {
    const { log } = await run(cover('03-parameters/static-parameters.ts'), ['--params', PARAMS], { RUNNABLE_PRM_envvar: 'from env' });
    const inputs = Object.fromEntries(Object.entries(log.steps.read_params!.attempts[0]!.input_parameters).map(([k, p]) => [k, p.value]));
    expect(inputs).toEqual({ integer: 1, floater: 3.14, stringer: 'hello', complex_param: { x: 10, foo: 'bar' }, chunks: [1, 2, 3] });
    expect(values(log)).toMatchObject({ envvar: 'from env', summary: '1 3.14 hello 10/bar 1,2,3', shell_ok: true });
    expect(log.run_config.parameter_sources).toMatchObject({ envvar: 'env:RUNNABLE_PRM_envvar' });
  });

  it('03-parameters/schema-parameters: the zod schema fills in defaults, RUNNABLE_PRM_TEST_SIZE reaches test_size, bad values stop the run (exit 2)', async () => {
    const file = path.join(EX, '03-parameters/schema-parameters.yaml');
    const { log } = await run(cover('03-parameters/schema-parameters.ts'), ['--params', file], { RUNNABLE_PRM_TEST_SIZE: '0.3' });
    expect(values(log)).toMatchObject({ n_estimators: 50, model: 'linear', test_size: 0.3, train_rows: 700, test_rows: 300 });
    expect(log.run_config.parameter_sources).toMatchObject({ test_size: 'env:RUNNABLE_PRM_TEST_SIZE', model: expect.stringMatching(/^file:/) });
    const cwd = tmpDir();
    const bad = await runnable(['run', path.join(EX, '03-parameters/schema-parameters.ts')], { cwd, env: { RUNNABLE_PRM_n_estimators: '2.5' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('  - n_estimators (RUNNABLE_PRM_n_estimators=2.5): Invalid input: expected int, received number\n');
    expect(fs.existsSync(path.join(cwd, '.run_log_store'))).toBe(false);
  });

  it('03-parameters/typed-results: execute() values and pipeline.load are typed by the pipeline', async () => {
    cover('03-parameters/typed-results.ts');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), path.join(EX, '03-parameters/typed-results.ts')], { cwd: tmpDir() }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    expect(out).toMatch(/^run \S+: accuracy 0\.828 on 800 training rows\nread back: 0\.828; parameters recorded: \{"n_estimators":"api","test_size":"default","model":"default"\}\n$/);
  });

  it('03-parameters/passing-parameters: pickled, JSON and metric returns flow to later steps (and out of a shell step)', async () => {
    const { log, cwd } = await run(cover('03-parameters/passing-parameters.ts'));
    expect(log.parameters.df).toMatchObject({ kind: 'object', value: 'df' });
    expect(log.parameters.score).toMatchObject({ kind: 'metric', value: 0.9 });
    expect(log.steps.set_parameter!.attempts[0]!.user_defined_metrics).toMatchObject({ score: { value: 0.9 } });
    expect(values(log)).toMatchObject({ checked: true, doubled: 2, label: 'score was 0.9' });
    expect(fs.existsSync(path.join(cwd, '.catalog', log.run_id, 'set_parameter/df.superjson'))).toBe(true);
  });

  it('05-secrets: from the environment, and from a .env file chosen by configuration', async () => {
    const env = await run(cover('05-secrets/uses-secret.ts'), [], { API_KEY: 'abc123-secret' });
    expect(values(env.log)).toMatchObject({ key_length: 13, shell_saw_key: true });
    expect(JSON.stringify(env.log)).not.toContain('abc123-secret');
    const dotenvCfg = path.join(EX, 'configs/dotenv.config.ts');
    const cwd = tmpDir();
    fs.mkdirSync(path.join(cwd, 'examples/05-secrets'), { recursive: true });
    fs.copyFileSync(path.join(EX, '05-secrets/example.env'), path.join(cwd, 'examples/05-secrets/example.env'));
    const out = await runnable(['run', path.join(EX, '05-secrets/uses-secret.ts'), '--config', dotenvCfg], { cwd });
    expect(out.code).toBe(0);
    const log = readRunLog(cwd, runIdFrom(out.stdout));
    expect(log.parameters.key_length!.value).toBe('from-dotenv-file'.length);
    expect(log.run_config.secrets).toMatchObject({ service_name: 'dotenv' });
    const missing = await runnable(['run', path.join(EX, '05-secrets/uses-secret.ts')], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('No secret found by name: API_KEY in environment variables');
  });

  it('06-parallel/parallel: branches see the parent scope; returns merge in declaration order (last wins)', async () => {
    const { log } = await run(cover('06-parallel/parallel.ts'));
    expect(Object.keys(log.steps)).toEqual(['seed', 'parallel_step', 'verify', 'success']);
    const par = log.steps.parallel_step!;
    expect(par.step_type).toBe('parallel');
    expect(par.attempts).toEqual([]);
    expect(Object.keys(par.branches)).toEqual(['parallel_step.branch1', 'parallel_step.branch2']);
    expect(Object.keys(par.branches['parallel_step.branch1']!.steps)).toEqual([
      'parallel_step.branch1.hello_stub',
      'parallel_step.branch1.work',
      'parallel_step.branch1.success',
    ]);
    expect(values(log)).toMatchObject({ result1: 'branch1_value_5', result2: 'branch2_value', shared: 'value_b', summary: 'branch1_value_5 + branch2_value, shared=value_b' });
  });

  it('06-parallel/nesting: a map inside a parallel branch and a parallel inside a parallel', async () => {
    const { log } = await run(cover('06-parallel/nesting.ts'));
    const nested = log.steps.nested_parallel!.branches;
    expect(Object.keys(nested['nested_parallel.mapped']!.steps['nested_parallel.mapped.each']!.branches)).toEqual([
      'nested_parallel.mapped.each.a',
      'nested_parallel.mapped.each.b',
      'nested_parallel.mapped.each.c',
    ]);
    expect(nested['nested_parallel.inner']!.steps['nested_parallel.inner.inner_parallel']!.branches['nested_parallel.inner.inner_parallel.right']!.status).toBe('SUCCESS');
    expect(values(log)).toMatchObject({ upper: ['A', 'B', 'C'], report: 'ABC 3' });
  });

  it('07-map/map: one branch per chunk, each with 4 steps + success; returns reduced to arrays in item order', async () => {
    const { log } = await run(cover('07-map/map.ts'), ['--params', PARAMS]);
    const map = log.steps.map_state!;
    expect(Object.keys(log.steps)).toEqual(['map_state', 'collect', 'success']);
    expect(Object.keys(map.branches)).toEqual(['map_state.1', 'map_state.2', 'map_state.3']);
    for (const b of Object.values(map.branches)) expect(Object.keys(b.steps)).toHaveLength(5);
    const b1 = map.branches['map_state.1']!.steps;
    expect(b1['map_state.1.execute_python']!.attempts[0]!.input_parameters.chunk!.value).toBe(1);
    expect(b1['map_state.1.execute_ts']!.attempts[0]!.input_parameters.processed_python!.value).toBe(10);
    expect(b1['map_state.1.execute_shell']!.attempts[0]!.input_parameters.processed_ts!.value).toBe(100);
    expect(values(log)).toMatchObject({ processed_python: [10, 20, 30], processed_ts: [100, 200, 300], processed_shell: [1000, 2000, 3000], totals: [60, 600, 6000] });
  });

  it('07-map/custom-reducer: a dynamic list and typed per-name reducers', async () => {
    const { log } = await run(cover('07-map/custom-reducer.ts'));
    expect(Object.keys(log.steps.map_state!.branches)).toHaveLength(5);
    expect(values(log)).toMatchObject({ processed: 50, accuracy: 0.75, best: { processed: 50, accuracy: 0.75 } });
    expect(log.parameters.accuracy!.kind).toBe('metric');
  });

  it('10-loop/loop: iterations until the break condition; the last values are in scope after it', async () => {
    const { log } = await run(cover('10-loop/loop.ts'));
    expect(Object.keys(log.steps.counter_loop!.branches)).toEqual(['counter_loop.0', 'counter_loop.1', 'counter_loop.2']);
    for (const b of Object.values(log.steps.counter_loop!.branches)) expect(Object.keys(b.steps)).toHaveLength(2);
    expect(values(log)).toMatchObject({ best: 0.75, should_stop: true, iterations: 3, final: '3 iterations, best 0.75' });
  });

  it('11-jobs/train-job: `runnable job` trains one task on its own, stores the model file and records the accuracy', async () => {
    const cwd = tmpDir();
    const out = await runnable(['job', path.join(EX, cover('11-jobs/train-job.ts')), '--run-id', 'train-1'], { cwd, env: { RUNNABLE_PRM_n_samples: '200' } });
    if (out.code !== 0) throw new Error(`11-jobs/train-job.ts exited ${out.code}\n${out.stdout}\n${out.stderr}`);
    expect(out.stdout).toContain("Running job 'train-forest' as run train-1");
    const log = readRunLog(cwd, 'train-1');
    expect(log.run_config.kind).toBe('job');
    expect(statuses(log.steps)).toEqual([
      ['train', 'SUCCESS'],
      ['success', 'SUCCESS'],
    ]);
    const inputs = Object.fromEntries(Object.entries(log.steps.train!.attempts[0]!.input_parameters).map(([k, p]) => [k, p.value]));
    expect(inputs).toEqual({ n_estimators: 10, n_samples: 200 });
    expect(log.parameters.accuracy).toMatchObject({ kind: 'metric' });
    expect(log.parameters.accuracy!.value).toBeGreaterThan(0.5);
    expect(log.parameters.train_rows!.value).toBe(160);
    const model = JSON.parse(fs.readFileSync(path.join(cwd, '.catalog/train-1/models/forest.json'), 'utf8')) as Record<string, unknown>;
    expect(model.name).toBe('RFClassifier'); // ml-random-forest's toJSON()
  });

  it('11-jobs/validated-job: a schema checks and coerces the job\'s parameters; a bad one stops the run before anything is recorded', async () => {
    const cwd = tmpDir();
    const file = path.join(EX, cover('11-jobs/validated-job.ts'));
    const bad = await runnable(['job', file, '--run-id', 'bad-1'], { cwd, env: { RUNNABLE_PRM_n_estimators: '0', RUNNABLE_PRM_n_samples: '10' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: 2 parameters of job 'train-validated' are not valid; nothing ran:\n {2}- n_estimators \(RUNNABLE_PRM_n_estimators=0\): .*>=1.*\n {2}- n_samples \(RUNNABLE_PRM_n_samples=10\): .*>=50/);
    expect(fs.existsSync(path.join(cwd, '.run_log_store'))).toBe(false);
    const ok = await runnable(['job', file, '--run-id', 'ok-1'], { cwd, env: { RUNNABLE_PRM_n_estimators: '"3"', RUNNABLE_PRM_n_samples: '100' } });
    if (ok.code !== 0) throw new Error(`11-jobs/validated-job.ts exited ${ok.code}\n${ok.stdout}\n${ok.stderr}`);
    const log = readRunLog(cwd, 'ok-1');
    const inputs = Object.fromEntries(Object.entries(log.steps.train!.attempts[0]!.input_parameters).map(([k, p]) => [k, p.value]));
    expect(inputs).toEqual({ n_estimators: 3, test_size: 0.2, n_samples: 100 });
    expect(log.run_config.parameter_sources).toEqual({ n_estimators: 'env:RUNNABLE_PRM_n_estimators', test_size: 'default', n_samples: 'env:RUNNABLE_PRM_n_samples' });
  });

  it('11-jobs/count-rows: a shell job fails while its input is missing; `runnable retry` succeeds once it is there', async () => {
    const cwd = tmpDir();
    const file = path.join(EX, cover('11-jobs/count-rows.ts'));
    const first = await runnable(['job', file, '--run-id', 'count-1'], { cwd });
    expect(first.code).toBe(1);
    expect(readRunLog(cwd, 'count-1').steps.count_rows!.attempts[0]!.message).toContain('exited with code 1');
    fs.mkdirSync(path.join(cwd, 'data'));
    fs.writeFileSync(path.join(cwd, 'data/rows.csv'), 'id,value\n1,3\n2,5\n');
    const again = await runnable(['retry', 'count-1'], { cwd });
    expect(again.code).toBe(0);
    const log = readRunLog(cwd, 'count-1');
    expect(log.run_config.kind).toBe('job');
    expect(log.steps.count_rows!.attempts.map((a) => a.status)).toEqual(['FAIL', 'SUCCESS']);
    expect(values(log)).toEqual({ rows: 2 });
  });

  it('configs/chunked-fs: switching the run-log store in configuration changes the layout, not the run log', async () => {
    const cwd = tmpDir();
    const out = await runnable(['run', path.join(EX, '06-parallel/parallel.ts'), '--config', path.join(EX, 'configs/chunked-fs.config.ts'), '--run-id', 'chunked-1'], { cwd });
    expect(out.code).toBe(0);
    const files = fs.readdirSync(path.join(cwd, '.run_log_store/chunked-1')).sort();
    expect(files).toContain('RunLog.json');
    expect(files).toContain('journal');
    const journal = (fs.readdirSync(path.join(cwd, '.run_log_store/chunked-1/journal'), { recursive: true }) as string[]).filter((f) => f.endsWith('.jsonl'));
    expect(journal).toHaveLength(1); // one writer: this process
    const keys = fs.readFileSync(path.join(cwd, '.run_log_store/chunked-1/journal', journal[0]!), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).k);
    expect(keys).toContain('BranchLog-parallel_step.branch1.json');
    expect(keys).toContain('StepLog-parallel_step.branch2.work.json');
    const inspect = await runnable(['inspect', 'chunked-1', '--json', '--config', path.join(EX, 'configs/chunked-fs.config.ts')], { cwd });
    const log = JSON.parse(inspect.stdout) as RunLog;
    expect(log.run_config.run_log_store).toMatchObject({ service_name: 'chunked-fs' });
    expect(values(log)).toMatchObject({ shared: 'value_b' });
    const yaml = await runnable(['runs', '--config', path.join(EX, 'configs/runnablerc-example.yaml')], { cwd });
    expect(yaml.stdout).toContain('chunked-1');
  });

  it('every example in examples/ is covered by a test here (or by the tutorial tests)', () => {
    const all: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) all.push(path.relative(EX, p));
      }
    };
    walk(EX);
    // tutorial/* (chapters 1-3 and 5-7, their helpers and configurations): test/e2e/tutorial.test.ts;
    // configs/mocked.config.ts: test/e2e/mocked.test.ts; configs/emulator.config.ts: test/e2e/executors-tutorial.test.ts;
    // testing/revenue.ts: its own jest test (it calls a web API); argo/*: test/executors/argo.test.ts and k8s-job.test.ts
    const tutorial = fs.readdirSync(path.join(EX, 'tutorial'), { recursive: true, encoding: 'utf8' }).map((f) => path.join('tutorial', f));
    const elsewhere = new Set([...tutorial, 'configs/dotenv.config.ts', 'configs/chunked-fs.config.ts', 'configs/mocked.config.ts', 'configs/emulator.config.ts', 'testing/revenue.ts', 'testing/revenue.test.ts', 'argo/runnable.config.ts', 'argo/k8s-job.config.ts']);
    expect(all.filter((f) => !COVERED.has(f) && !elsewhere.has(f)).sort()).toEqual([]);
  });
});
