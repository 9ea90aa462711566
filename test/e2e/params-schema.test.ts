/**
 * Issue 13, part 2 through the real CLI: bad RUNNABLE_PRM_ values and parameters-file values are reported all at
 * once with their source (the variable and its value, the file and the line of the key), exit code 2, and no run log
 * is left behind (none is created). A valid run records the schema's defaults with source 'default'.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, readRunLog, runIdFrom, runnable, tmpDir } from '../helpers/cli';

const SCHEMA = path.join(FIXTURES, 'params-schema.ts');
const REQUIRED = path.join(FIXTURES, 'params-required.ts');

/** Run ids recorded in a file-system run log folder (there is none when nothing was created). */
function runLogs(cwd: string): string[] {
  const dir = path.join(cwd, '.run_log_store');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
}

describe('parameter schemas through the CLI', () => {
  it('reports a bad RUNNABLE_PRM_ value and bad parameters-file values at once, with their lines; exit 2; no run log', async () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'params.yaml'), '# the experiment\nmodel: tree\n\nn_estimators: 0\n');
    const out = await runnable(['run', SCHEMA, '--params', 'params.yaml'], { cwd, env: { RUNNABLE_PRM_test_size: 'abc' } });
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      "error: 3 parameters of pipeline 'schema-demo' are not valid; nothing ran:\n" +
        '  - test_size (RUNNABLE_PRM_test_size=abc): Invalid input: expected number, received string\n' +
        '  - n_estimators (params.yaml:4): Too small: expected number to be >=1\n' +
        '  - model (params.yaml:2): Invalid option: expected one of "forest"|"linear"\n' +
        'Fix the values in the parameters file (--params), the RUNNABLE_PRM_ variables or execute({ params }), and run again.\n',
    );
    expect(out.stdout).toBe('');
    expect(runLogs(cwd)).toEqual([]);
  });

  it('a JSON parameters file points at the line of the key too; a parameter given nowhere is "not given"', async () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'params.json'), '{\n  "model": "linear",\n  "test_size": 1.5\n}\n');
    const out = await runnable(['run', SCHEMA, '--params', 'params.json'], { cwd });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('  - n_estimators (not given): Invalid input: expected number, received undefined\n');
    expect(out.stderr).toContain('  - test_size (params.json:3): Too big: expected number to be <1\n');
    expect(runLogs(cwd)).toEqual([]);
  });

  it('a valid run: RUNNABLE_PRM_N_ESTIMATORS reaches n_estimators, schema defaults are recorded with source default', async () => {
    const cwd = tmpDir();
    const out = await runnable(['run', SCHEMA], { cwd, env: { RUNNABLE_PRM_N_ESTIMATORS: '3' } });
    expect(out.code).toBe(0);
    const log = readRunLog(cwd, runIdFrom(out.stdout));
    expect(log.status).toBe('SUCCESS');
    expect(log.run_config.parameter_sources).toEqual({ n_estimators: 'env:RUNNABLE_PRM_N_ESTIMATORS', test_size: 'default', model: 'default' });
    expect(log.parameters.summary!.value).toBe('forest:240');
  });

  it('without a schema, a required parameter not given stops the run (exit 2, no run log); a non-JSON value warns', async () => {
    const cwd = tmpDir();
    const out = await runnable(['run', REQUIRED], { cwd });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^error: A parameter of pipeline 'required-demo' is not valid; nothing ran:\n {2}- x \(not given\): the pipeline requires it/);
    expect(runLogs(cwd)).toEqual([]);

    const given = await runnable(['run', REQUIRED], { cwd, env: { RUNNABLE_PRM_X: 'abc' } });
    expect(given.stderr).toContain(`Parameter 'x' (RUNNABLE_PRM_X) could not be JSON decoded, adding the literal value "abc".`);
    expect(given.code).toBe(1);
    const log = readRunLog(cwd, runIdFrom(given.stdout));
    expect(log.steps.double!.attempts[0]!.message).toMatch(/^ReturnsMismatchError: Step 'double': return 'doubled' is not a JSON value/);
  });
});
