import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, TUTORIAL, readRunLog, runIdFrom, runnable, tmpDir as tmp } from '../helpers/cli';

describe('runnable run (end to end)', () => {
  it('runs the tutorial: one line per step, run id and run log path, 4 tasks + success, metrics and artifacts', async () => {
    const cwd = tmp();
    const out = await runnable(['run', TUTORIAL], { cwd });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    for (const step of ['load_data', 'preprocess', 'train', 'evaluate']) expect(out.stdout).toMatch(new RegExp(`^${step}: ✅ Completed in \\d+\\.\\ds$`, 'm'));
    const runId = runIdFrom(out.stdout);
    expect(out.stdout).toContain(`Run log: .run_log_store/${runId}.json`);
    const log = readRunLog(cwd, runId);
    expect(log.status).toBe('SUCCESS');
    expect(Object.entries(log.steps).map(([k, s]) => [k, s.status])).toEqual([
      ['load_data', 'SUCCESS'],
      ['preprocess', 'SUCCESS'],
      ['train', 'SUCCESS'],
      ['evaluate', 'SUCCESS'],
      ['success', 'SUCCESS'],
    ]);
    const accuracy = log.steps.evaluate!.attempts[0]!.user_defined_metrics.accuracy!;
    expect(accuracy.kind).toBe('metric');
    expect(accuracy.value).toBeGreaterThan(0.7);
    expect(accuracy.value).toBeLessThan(1);
    for (const [step, name] of [['load_data', 'df'], ['preprocess', 'preprocessed_data'], ['train', 'model_data']]) {
      const file = path.join(cwd, '.catalog', runId, step!, `${name}.superjson`);
      expect(fs.existsSync(file)).toBe(true);
      expect(log.parameters[name!]!.data_hash).toBe(require('node:crypto').createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    }
    expect(log.parameters.test_size).toBeUndefined(); // default inside the step, never set
    expect(log.run_config.pipeline_definition_file).toBe(`${path.relative(cwd, TUTORIAL)}#default`);
  });

  it('RUNNABLE_PRM_test_size=0.3 changes the parameter and the run log records it and its source', async () => {
    const cwd = tmp();
    const out = await runnable(['run', TUTORIAL, '--tag', 'bigger-test'], { cwd, env: { RUNNABLE_PRM_test_size: '0.3' } });
    expect(out.code).toBe(0);
    const log = readRunLog(cwd, runIdFrom(out.stdout));
    expect(log.parameters.test_size).toEqual({ kind: 'json', value: 0.3, description: '0.3' });
    expect((log.run_config.parameter_sources as Record<string, string>).test_size).toBe('env:RUNNABLE_PRM_test_size');
    expect(log.steps.preprocess!.attempts[0]!.input_parameters.test_size!.value).toBe(0.3);
    expect(log.parameters.report!.value).toMatchObject({ nTest: 180 });
    expect(log.tag).toBe('bigger-test');
  });

  it('--params params.yaml sets parameters; --run-id names the run and a taken id is refused before anything runs', async () => {
    const cwd = tmp();
    fs.writeFileSync(path.join(cwd, 'params.yaml'), 'test_size: 0.25\nn_estimators: 5\n');
    const out = await runnable(['run', TUTORIAL, '--params', 'params.yaml', '--run-id', 'exp-001'], { cwd });
    expect(out.code).toBe(0);
    const log = readRunLog(cwd, 'exp-001');
    expect(log.parameters.test_size!.value).toBe(0.25);
    expect(log.parameters.n_estimators!.value).toBe(5);
    expect(log.parameters.report!.value).toMatchObject({ nTest: 150 });

    const again = await runnable(['run', TUTORIAL, '--run-id', 'exp-001'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: Run id 'exp-001' is already used by an existing run \(status SUCCESS\)/);
    expect(again.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(again.stdout).not.toContain('Completed');
    expect(readRunLog(cwd, 'exp-001').parameters.test_size!.value).toBe(0.25); // untouched
  });

  it('a failing step fails the run: exit code 1, error printed with the step name, later steps not run', async () => {
    const cwd = tmp();
    const out = await runnable(['run', path.join(FIXTURES, 'failing.ts'), '--run-id', 'will-fail'], { cwd });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^prepare: ✅ Completed/m);
    expect(out.stdout).toMatch(/^explode: ❌ Failed in \d+\.\ds\n\s+it read 'should_pass', which no earlier step returned and no parameter provided \(in scope: prepared; 'runnable check <file>' finds wiring errors before running\)\. Then: Error: the flag should_pass is false$/m);
    expect(out.stdout).toContain("❌ Run will-fail failed");
    expect(out.stdout).toContain("at step 'explode'");
    expect(out.stdout).not.toContain('after:');
    const log = readRunLog(cwd, 'will-fail');
    expect(log.status).toBe('FAIL');
    expect(Object.keys(log.steps)).toEqual(['prepare', 'explode', 'fail']);

    const ok = await runnable(['run', path.join(FIXTURES, 'failing.ts')], { cwd, env: { RUNNABLE_PRM_should_pass: 'true' } });
    expect(ok.code).toBe(0);
    expect(readRunLog(cwd, runIdFrom(ok.stdout)).parameters.final!.value).toBe(42);
  });

  it('applies its options to a run the file starts itself (no default export)', async () => {
    const cwd = tmp();
    const out = await runnable(['run', path.join(FIXTURES, 'self-execute.ts'), '--run-id', 'self-1', '--tag', 't'], { cwd, env: { RUNNABLE_PRM_who: 'cli' } });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('self-execute got: hello cli');
    expect(out.stdout.match(/Run self-1 succeeded/g)).toHaveLength(1);
    expect(readRunLog(cwd, 'self-1').tag).toBe('t');
  });

  it('--export picks a named pipeline; several without --export is a usage error', async () => {
    const cwd = tmp();
    const file = path.join(FIXTURES, 'named-exports.ts');
    const bad = await runnable(['run', file], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/exports several pipelines \(first, second\); choose one with --export <name>/);
    const good = await runnable(['run', file, '--export', 'second'], { cwd });
    expect(good.code).toBe(0);
    expect(readRunLog(cwd, runIdFrom(good.stdout)).parameters.which!.value).toBe('second');
  });

  it('usage errors exit 2 with a readable message: missing file, bad params file, unknown option', async () => {
    const cwd = tmp();
    const missing = await runnable(['run', 'nope.ts'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Pipeline file 'nope.ts' does not exist/);
    fs.writeFileSync(path.join(cwd, 'p.yaml'), 'a: [1,\n');
    const badParams = await runnable(['run', TUTORIAL, '--params', 'p.yaml'], { cwd });
    expect(badParams.code).toBe(2);
    expect(badParams.stderr).toMatch(/parameters file 'p.yaml' is not valid YAML/);
    const unknown = await runnable(['run', TUTORIAL, '--frobnicate'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--frobnicate'/);
    expect(fs.existsSync(path.join(cwd, '.run_log_store'))).toBe(false);
  });

  it('--help and --version', async () => {
    const cwd = tmp();
    const help = await runnable(['run', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('RUNNABLE_PRM_test_size=0.3 runnable run');
    const version = await runnable(['--version'], { cwd });
    expect(version.stdout.trim()).toBe(require('../../package.json').version);
  });
});

describe('runnable runs after a change of run-log store', () => {
  it('names the runs the other file store keeps in the same folder, instead of leaving them out silently', async () => {
    const cwd = tmp();
    const file = path.join(FIXTURES, 'named-exports.ts');
    expect((await runnable(['run', file, '-e', 'first', '--run-id', 'fs-1', '-q'], { cwd })).code).toBe(0);
    fs.writeFileSync(path.join(cwd, 'chunked.yaml'), 'runLogStore:\n  type: chunked-fs\n');
    fs.writeFileSync(path.join(cwd, 'fs.yaml'), 'runLogStore:\n  type: file-system\n');
    for (const id of ['ch-1', 'ch-2']) expect((await runnable(['run', file, '-e', 'first', '--run-id', id, '-q', '-c', 'chunked.yaml'], { cwd })).code).toBe(0);

    const chunked = await runnable(['runs', '-c', 'chunked.yaml'], { cwd });
    expect(chunked.stdout).toMatch(/ch-1/);
    expect(chunked.stdout).not.toMatch(/fs-1/);
    expect(chunked.stderr).toMatch(/^ℹ️ {2}1 more run in \.run_log_store \(fs-1\) is stored by the file-system run-log store, which this configuration \(runLogStore type chunked-fs\) does not read\. List it with a configuration whose runLogStore type is file-system/m);
    const plain = await runnable(['runs', '-c', 'fs.yaml', '--json'], { cwd });
    expect((JSON.parse(plain.stdout) as { runId: string }[]).map((r) => r.runId)).toEqual(['fs-1']);
    expect(plain.stderr).toMatch(/2 more runs in \S+ \(ch-1, ch-2\) are stored by the chunked-fs run-log store/);
  });
});
