/**
 * Jobs (`job(X)`, `runnable job`): one task run on its own, recorded like a one-step pipeline with
 * `run_config.kind: "job"`. Through the real CLI in temp folders: parameters from a file and RUNNABLE_PRM_,
 * catalog put, a failure then `runnable retry`, per-step retry, secrets, inspect and runs; the same job with the
 * emulator and local-container executors (real podman containers) gives an equivalent run log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import type { Parameter, RunLog } from '../../src/stores/run-log/types';
import { ROOT, readRunLog, runnable, tmpDir } from '../helpers/cli';
import { containerConfigYaml, ensureNodeImage } from '../helpers/podman';

const FILE = path.join(ROOT, 'test/fixtures/jobs/jobs.ts');
const values = (ps: Record<string, Parameter>) => Object.fromEntries(Object.entries(ps).map(([k, p]) => [k, p.value]));

/** A project folder (package.json stops the config search) with an optional configuration file. */
function project(config?: string): string {
  const cwd = tmpDir('rt-jobs-');
  fs.writeFileSync(path.join(cwd, 'package.json'), '{"private":true}');
  if (config) fs.writeFileSync(path.join(cwd, 'runnable.config.yaml'), config);
  return cwd;
}

describe('runnable job (local executor)', () => {
  it('runs a job with parameters from a file and RUNNABLE_PRM_, puts its files in the catalog, records kind "job"', async () => {
    const cwd = project();
    fs.writeFileSync(path.join(cwd, 'params.yaml'), 'name: ada\n');
    const r = await runnable(['job', FILE, '--export', 'greet', '--run-id', 'greet-1', '--params', 'params.yaml'], { cwd, env: { RUNNABLE_PRM_shout: 'true' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Running job 'greet' as run greet-1");
    expect(r.stdout).toContain('Run greet-1 succeeded');
    const log = readRunLog(cwd, 'greet-1');
    expect(log.status).toBe('SUCCESS');
    expect(log.run_config).toMatchObject({
      kind: 'job',
      pipeline_name: 'greet',
      job_definition_file: `${path.relative(cwd, FILE)}#greet`,
      pipeline_definition_file: `${path.relative(cwd, FILE)}#greet`,
      parameter_sources: { name: 'file:params.yaml', shout: 'env:RUNNABLE_PRM_shout', times: 'default' },
    });
    expect(Object.keys(log.steps)).toEqual(['greet', 'success']);
    const attempt = log.steps.greet!.attempts[0]!;
    expect(values(attempt.input_parameters)).toEqual({ name: 'ada', times: 2, shout: true });
    expect(values(attempt.user_defined_metrics)).toEqual({ length: 'HELLO ada'.length });
    expect(log.parameters.summary).toMatchObject({ kind: 'object', value: 'summary' });
    const puts = log.steps.greet!.data_catalog.filter((c) => c.stage === 'put').map((c) => c.name).sort();
    expect(puts).toEqual(['greet/summary.superjson', 'out/data/rows.csv', 'out/greeting.txt']); // the pickled return, then the files
    expect(fs.readFileSync(path.join(cwd, '.catalog/greet-1/out/greeting.txt'), 'utf8')).toBe('HELLO ada\nHELLO ada');
    expect(fs.readFileSync(path.join(cwd, '.catalog/greet-1/out/data/rows.csv'), 'utf8')).toBe('a,b\n1,2\n');

    // runs lists it; inspect shows it and decodes its pickled return (the job file is the recorded definition)
    const runs = await runnable(['runs', '--json'], { cwd });
    expect(JSON.parse(runs.stdout)).toEqual([expect.objectContaining({ runId: 'greet-1', pipeline: 'greet', kind: 'job', status: 'SUCCESS', metrics: { length: 9 } })]);
    const table = await runnable(['runs'], { cwd });
    expect(table.stdout).toMatch(/greet-1\s+✅ SUCCESS/);
    const tree = await runnable(['inspect', 'greet-1'], { cwd });
    expect(tree.code).toBe(0);
    expect(tree.stdout).toContain('  job: greet');
    const timeline = await runnable(['timeline', 'greet-1'], { cwd });
    expect(timeline.code).toBe(0);
    expect(timeline.stdout.split('\n')[0]).toBe('🔄 Job Timeline - greet-1 (greet)');
    const summary = await runnable(['inspect', 'greet-1', 'summary', '--file', FILE, '--json'], { cwd });
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.stdout)).toEqual({ greeting: 'HELLO ada', times: 2 });
  }, 60_000);

  it('a failed job exits 1; `runnable retry` runs it again with the original parameters and succeeds', async () => {
    const cwd = project();
    const first = await runnable(['job', FILE, '--export', 'flaky', '--run-id', 'flaky-1'], { cwd, env: { RUNNABLE_PRM_threshold: '21' } });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain("Running job 'flaky-job' as run flaky-1");
    const failed = readRunLog(cwd, 'flaky-1');
    expect(failed.status).toBe('FAIL');
    expect(failed.steps.flaky!.attempts.map((a) => [a.status, a.message])).toEqual([['FAIL', 'Error: not fixed yet (threshold 21)']]);
    expect(Object.keys(failed.steps)).toEqual(['flaky', 'fail']);

    fs.writeFileSync(path.join(cwd, 'fixed'), '');
    const again = await runnable(['retry', 'flaky-1'], { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Retrying job 'flaky-job' as run flaky-1");
    const log = readRunLog(cwd, 'flaky-1');
    expect(log.status).toBe('SUCCESS');
    expect(log.run_config).toMatchObject({ kind: 'job', is_retry: true });
    expect(log.steps.flaky!.attempts.map((a) => [a.attempt_number, a.status])).toEqual([
      [1, 'FAIL'],
      [2, 'SUCCESS'],
    ]);
    expect(values(log.parameters)).toMatchObject({ threshold: 21, passed: 42 });
  }, 60_000);

  it("a job's retry option retries within the run; a declared secret reaches a shell job and never the run log", async () => {
    const cwd = project();
    const r = await runnable(['job', FILE, '--export', 'retried', '--run-id', 'retried-1'], { cwd });
    expect(r.code).toBe(0);
    const log = readRunLog(cwd, 'retried-1');
    expect(log.steps.second_time!.attempts.map((a) => a.status)).toEqual(['FAIL', 'SUCCESS']);
    expect(log.parameters.attempts_seen!.value).toBe(2);

    const secret = 'job-secret-value-123';
    const s = await runnable(['job', FILE, '--export', 'shellJob', '--run-id', 'shell-1', '--verbose'], { cwd, env: { JOBS_API_KEY: secret } });
    expect(s.code).toBe(0);
    const shellLog = readRunLog(cwd, 'shell-1');
    expect(shellLog.parameters.key_length!.value).toBe(secret.length);
    expect(fs.readFileSync(path.join(cwd, '.run_log_store/shell-1.json'), 'utf8')).not.toContain(secret);
  }, 60_000);

  it('--cache reuses the task of an earlier successful job run with the same parameters; --no-cache executes it', async () => {
    const cwd = project();
    const first = await runnable(['job', FILE, '--export', 'greet', '--run-id', 'c-1', '--cache'], { cwd, env: { RUNNABLE_PRM_name: 'ada' } });
    expect(first.code).toBe(0);
    const second = await runnable(['job', FILE, '--export', 'greet', '--run-id', 'c-2', '--cache'], { cwd, env: { RUNNABLE_PRM_name: 'ada' } });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('♻️  reused from c-1');
    expect(readRunLog(cwd, 'c-2').steps.greet!.cached_from).toEqual({ run_id: 'c-1', step: 'greet' });
    const other = await runnable(['job', FILE, '--export', 'greet', '--run-id', 'c-3', '--cache'], { cwd, env: { RUNNABLE_PRM_name: 'bob' } });
    expect(readRunLog(cwd, 'c-3').steps.greet!.cached_from).toBeUndefined(); // another parameter value: executed
    expect(other.code).toBe(0);
    await runnable(['job', FILE, '--export', 'greet', '--run-id', 'c-4', '--no-cache'], { cwd, env: { RUNNABLE_PRM_name: 'ada' } });
    expect(readRunLog(cwd, 'c-4').steps.greet!.cached_from).toBeUndefined();
  });

  it('refuses a pipeline file, naming the export and the command to use', async () => {
    const cwd = project();
    const r = await runnable(['job', FILE, '--export', 'notAJob'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`exports pipeline 'not-a-job' as 'notAJob', not a job: run it with 'runnable run`);
    expect(fs.existsSync(path.join(cwd, '.run_log_store'))).toBe(false);
  });
});

/** What must be the same whatever executor ran the job (times and machine figures aside). */
function shape(log: RunLog): unknown {
  return {
    status: log.status,
    kind: log.run_config.kind,
    parameters: Object.fromEntries(Object.entries(log.parameters).map(([k, p]) => [k, p.kind === 'object' ? { object: p.data_hash } : { [p.kind]: p.value }])),
    steps: Object.fromEntries(
      Object.entries(log.steps).map(([k, s]) => [
        k,
        {
          status: s.status,
          attempts: s.attempts.map((a) => [a.attempt_number, a.status, values(a.input_parameters), values(a.user_defined_metrics)]),
          catalog: s.data_catalog.filter((c) => !c.name.endsWith('.execution.log')).map((c) => `${c.stage} ${c.name} ${c.data_hash}`).sort(),
        },
      ]),
    ),
  };
}

const EXECUTORS: Record<string, () => string> = {
  local: () => 'runLogStore:\n  type: chunked-fs\n',
  emulator: () => 'executor:\n  type: emulator\nrunLogStore:\n  type: chunked-fs\n',
  'local-container': () => containerConfigYaml(),
};

describe('the same jobs with the local, emulator and local-container executors', () => {
  beforeAll(() => {
    ensureNodeImage(); // throws (loudly) when podman is missing: container tests never pass silently
  }, 300_000);

  const logs: Record<string, { greet: RunLog; flaky: RunLog }> = {};

  it.each(Object.keys(EXECUTORS))('%s: a job with parameters and catalog files, and a failed job resumed by retry', async (executor) => {
    const cwd = project(EXECUTORS[executor]!());
    const cli = (args: string[], env: Record<string, string> = {}) => runnable(args, { cwd, env });
    const ok = await cli(['job', FILE, '--export', 'greet', '--run-id', 'greet-x'], { RUNNABLE_PRM_name: 'lin' });
    if (ok.code !== 0) throw new Error(`${executor}: exit ${ok.code}\n${ok.stdout}\n${ok.stderr}`);
    const failed = await cli(['job', FILE, '--export', 'flaky', '--run-id', 'flaky-x'], { RUNNABLE_PRM_threshold: '5' });
    expect(failed.code).toBe(1);
    fs.writeFileSync(path.join(cwd, 'fixed'), '');
    const retried = await cli(['retry', 'flaky-x']);
    expect(retried.code).toBe(0);
    const store = new ChunkedFsRunLogStore({ log_folder: path.join(cwd, '.run_log_store') });
    logs[executor] = { greet: await store.get('greet-x'), flaky: await store.get('flaky-x') };
    expect(logs[executor]!.greet.run_config.pipeline_executor).toMatchObject({ service_name: executor });
    expect(logs[executor]!.greet.status).toBe('SUCCESS');
    expect(logs[executor]!.flaky.steps.flaky!.attempts.map((a) => a.status)).toEqual(['FAIL', 'SUCCESS']);
    expect(fs.readFileSync(path.join(cwd, '.catalog/greet-x/out/greeting.txt'), 'utf8')).toBe('hello lin\nhello lin');
  }, 180_000);

  it('gives equivalent run logs with every executor', () => {
    const [first, ...rest] = Object.keys(EXECUTORS);
    expect(logs[first!]).toBeDefined();
    for (const other of rest) {
      expect(logs[other]).toBeDefined();
      expect(shape(logs[other]!.greet)).toEqual(shape(logs[first!]!.greet));
      expect(shape(logs[other]!.flaky)).toEqual(shape(logs[first!]!.flaky));
    }
  });
});
