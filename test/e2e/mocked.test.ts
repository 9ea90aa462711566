/**
 * Dry runs through the CLI: `runnable run` with the `mocked` executor selected in configuration (the shipped
 * example configs, and a config found in the working folder), real processes and files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunLog } from '../../src/stores/run-log/types';
import { ROOT, TUTORIAL, readRunLog, runIdFrom, runnable, tmpDir } from '../helpers/cli';

const EX = path.join(ROOT, 'examples');
const summary = (log: RunLog) => Object.fromEntries(Object.entries(log.steps).map(([k, s]) => [k, [s.status, s.mock, s.attempts.at(-1)?.message ?? '']]));

describe('runnable run with the mocked executor', () => {
  it('a config file patches one step: nothing else runs, the always-failing step is faked, the run succeeds', async () => {
    const cwd = tmpDir();
    const out = await runnable(['run', path.join(EX, '02-sequential/default-fail.ts'), '--config', path.join(EX, 'configs/mocked.config.ts')], { cwd });
    expect(out.code).toBe(0);
    expect(out.stderr).toContain("Dry run (mocked executor): task steps do not run; each records a success that returned nothing, except the patched 'step_2'.");
    const runId = runIdFrom(out.stdout);
    const log = readRunLog(cwd, runId);
    expect(log.status).toBe('SUCCESS');
    expect(summary(log)).toEqual({
      step_1: ['SUCCESS', true, ''],
      step_2: ['SUCCESS', true, ''],
      step_3: ['SUCCESS', true, ''],
      success: ['SUCCESS', false, ''],
    });
    expect(log.parameters).toEqual({}); // step_1 was faked: it returned nothing
    expect(log.run_config.pipeline_executor).toEqual({ service_name: 'mocked', service_type: 'pipeline_executor', unpatched: 'fake', patches: { step_2: 'function' } });
    // the patch ran (its output is step_2's execution log); it saw no 'prepared', as step_1 never ran
    const execLog = log.steps.step_2!.attempts[0]!.execution_log!;
    expect(fs.readFileSync(path.join(cwd, '.catalog', execLog), 'utf8')).toBe('Hello from mock (prepared: undefined)\n');
  });

  it('a YAML { fail } patch dry-runs the failure path: the on-failure pipeline runs (faked), the run succeeds', async () => {
    const cwd = tmpDir();
    const out = await runnable(['run', path.join(EX, '02-sequential/on-failure.ts'), '--config', path.join(EX, 'configs/mocked-failure.yaml')], { cwd });
    expect(out.code).toBe(0);
    const log = readRunLog(cwd, runIdFrom(out.stdout));
    expect(summary(log)).toEqual({
      step_1: ['FAIL', true, 'PatchedFailure: simulated outage of the upstream service'],
      step_4: ['SUCCESS', true, ''],
      success: ['SUCCESS', false, ''],
    });
    expect(log.steps.step_1!.attempts[0]!.error_type).toBe('PatchedFailure');
  });

  it('the tutorial, dry-run with a config found in the working folder: no step runs, no catalog file is copied', async () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, '.runnablerc.yaml'), 'executor:\n  type: mocked\n');
    const out = await runnable(['run', TUTORIAL], { cwd });
    expect(out.code).toBe(0);
    const runId = runIdFrom(out.stdout);
    const log = readRunLog(cwd, runId);
    expect(Object.values(log.steps).filter((s) => s.step_type === 'task').map((s) => [s.name, s.status, s.mock])).toEqual([
      ['load_data', 'SUCCESS', true],
      ['preprocess', 'SUCCESS', true],
      ['train', 'SUCCESS', true],
      ['evaluate', 'SUCCESS', true],
    ]);
    expect(Object.values(log.steps).every((s) => s.data_catalog.length === 0)).toBe(true);
    expect(fs.existsSync(path.join(cwd, 'reports'))).toBe(false); // train's code never ran
    expect(log.run_config.config_file).toBe('.runnablerc.yaml');
  });

  it('a patch naming no step, or of the wrong shape, is a configuration error before any run starts', async () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'typo.yaml'), 'executor:\n  type: mocked\n  config:\n    patches:\n      step_9:\n        fail: x\n');
    const typo = await runnable(['run', path.join(EX, '02-sequential/default-fail.ts'), '--config', 'typo.yaml'], { cwd });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("error: typo.yaml: executor.config.patches names 'step_9', which is not a step of pipeline 'default-fail'. Its task steps: step_1, step_2, step_3.\n");
    expect(fs.existsSync(path.join(cwd, '.run_log_store'))).toBe(false);

    fs.writeFileSync(path.join(cwd, 'shape.yaml'), 'executor:\n  type: mocked\n  config:\n    patches:\n      step_2: just a string\n');
    const shape = await runnable(['run', path.join(EX, '02-sequential/default-fail.ts'), '--config', 'shape.yaml'], { cwd });
    expect(shape.code).toBe(2);
    expect(shape.stderr).toBe(
      "error: shape.yaml: cannot create executor 'mocked': executor.config.patches.step_2 must be a function (called instead of the step), " +
        "{ outputs: { ... } } (the values the step returns) or { fail: 'message' } (a failed attempt); got \"just a string\".\n",
    );
  });
});
