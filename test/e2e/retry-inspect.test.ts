import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, TUTORIAL, readRunLog, runIdFrom, runnable, tmpDir } from '../helpers/cli';

const RESUMABLE = path.join(FIXTURES, 'resumable.ts');
const calls = (cwd: string) => fs.readFileSync(path.join(cwd, 'calls.log'), 'utf8').trim().split('\n');

describe('retry: a failed run keeps its work', () => {
  it('resumes from the failed step with the current code; earlier steps are not executed again and their artifacts are reused byte for byte', async () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'fail');
    const first = await runnable(['run', RESUMABLE, '--run-id', 'exp-1'], { cwd });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('Fix the step, then resume from it: runnable retry exp-1');
    expect(calls(cwd)).toEqual(['generate', 'featurize', 'train']);
    const artifact = path.join(cwd, '.catalog/exp-1/featurize/features.superjson');
    const produced = fs.readFileSync(artifact);

    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'ok'); // "fix the code"
    const retry = await runnable(['retry', 'exp-1'], { cwd, env: { RUNNABLE_PRM_n: '9' } });
    expect(retry.stderr).toContain('Ignored on retry: RUNNABLE_PRM_n. A retry keeps the original run');
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(/^generate: ⏩ skipped/m);
    expect(retry.stdout).toMatch(/^featurize: ⏩ skipped/m);
    expect(retry.stdout).toMatch(/^train: ✅ Completed in .* \(attempt 2\)$/m);
    expect(retry.stdout).toContain('Run exp-1 succeeded');
    expect(calls(cwd)).toEqual(['generate', 'featurize', 'train', 'train', 'evaluate']);

    const log = readRunLog(cwd, 'exp-1');
    expect(log.status).toBe('SUCCESS');
    expect(log.steps.train!.attempts.map((a) => [a.attempt_number, a.status])).toEqual([
      [1, 'FAIL'],
      [2, 'SUCCESS'],
    ]);
    expect(log.steps.featurize!.attempts).toHaveLength(1);
    expect(log.steps.generate!.attempts).toHaveLength(1);
    // the artifact train consumed on retry is the one featurize produced in the first run
    expect(fs.readFileSync(artifact).equals(produced)).toBe(true);
    const consumed = log.steps.train!.attempts[1]!.input_parameters.features!;
    expect(consumed.data_hash).toBe(log.steps.featurize!.attempts[0]!.output_parameters.features!.data_hash);
    expect(log.parameters.n).toBeUndefined(); // the retry's RUNNABLE_PRM_n was ignored
    expect(log.parameters.summary!.value).toBe('width 2, score 0.75');
    expect(log.run_config.is_retry).toBe(true);
    expect(log.run_config.retries).toHaveLength(1);

    const again = await runnable(['retry', 'exp-1'], { cwd });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Run exp-1 already succeeded: nothing to retry.');
    expect(calls(cwd)).toHaveLength(5);
  });

  it('RUNNABLE_RETRY_RUN_ID=<id> runnable run <file> is the same as runnable retry', async () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'fail');
    expect((await runnable(['run', RESUMABLE, '--run-id', 'exp-2'], { cwd })).code).toBe(1);
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'ok');
    const out = await runnable(['run', RESUMABLE], { cwd, env: { RUNNABLE_RETRY_RUN_ID: 'exp-2' } });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^featurize: ⏩ skipped/m);
    expect(readRunLog(cwd, 'exp-2').steps.train!.attempts).toHaveLength(2);
  });

  it('refuses a retry when the pipeline structure changed, saying what changed; and an unknown run id', async () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'fail');
    expect((await runnable(['run', RESUMABLE, '--run-id', 'exp-3'], { cwd })).code).toBe(1);
    const changed = await runnable(['retry', 'exp-3', '--file', path.join(FIXTURES, 'resumable-renamed.ts')], { cwd });
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/DAG structure has changed since original run exp-3 \(step 'evaluate' was removed; step 'assess' was added; step 'train': next_node changed from "evaluate" to "assess"/);
    expect(calls(cwd)).toEqual(['generate', 'featurize', 'train']);

    const unknown = await runnable(['retry', 'no-such-run'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Original run log not found for run_id: no-such-run/);
  });

  it('execute-single-node runs exactly one step with the run\'s inputs and appends its attempt', async () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'fail');
    expect((await runnable(['run', RESUMABLE, '--run-id', 'exp-4'], { cwd })).code).toBe(1);
    const stillFailing = await runnable(['execute-single-node', 'exp-4', RESUMABLE, 'train'], { cwd });
    expect(stillFailing.code).toBe(1);
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'ok');
    const ok = await runnable(['execute-single-node', 'exp-4', RESUMABLE, 'train'], { cwd });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^train: ✅ Completed .*\(attempt 3\)$/m);
    expect(calls(cwd)).toEqual(['generate', 'featurize', 'train', 'train', 'train']);
    const log = readRunLog(cwd, 'exp-4');
    expect(log.steps.train!.attempts.map((a) => a.status)).toEqual(['FAIL', 'FAIL', 'SUCCESS']);
    expect(log.status).toBe('FAIL'); // a single node does not change the run's status
    const bad = await runnable(['execute-single-node', 'exp-4', RESUMABLE, 'nope'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/pipeline 'resumable' has no step 'nope'. Its steps: generate, featurize, train, evaluate/);
  });
});

describe('inspect, runs, compare', () => {
  it('answers "which experiment was best?" across three runs with different n_estimators', async () => {
    const cwd = tmpDir();
    const ids: string[] = [];
    for (const n of ['2', '5', '20']) {
      const out = await runnable(['run', TUTORIAL, '--tag', `trees-${n}`], { cwd, env: { RUNNABLE_PRM_n_estimators: n } });
      expect(out.code).toBe(0);
      ids.push(runIdFrom(out.stdout));
    }
    const logs = ids.map((id) => readRunLog(cwd, id));
    const accuracies = logs.map((l) => l.parameters.accuracy!.value as number);

    const list = await runnable(['runs'], { cwd });
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^run id\s+status\s+started\s+duration\s+tag\s+accuracy$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual([...ids].reverse()); // newest first
    const tagged = await runnable(['runs', '--tag', 'trees-5', '--json'], { cwd });
    expect(JSON.parse(tagged.stdout).map((r: { runId: string }) => r.runId)).toEqual([ids[1]]);

    const cmp = await runnable(['runs', 'compare', ...ids], { cwd });
    expect(cmp.code).toBe(0);
    const accRow = cmp.stdout.split('\n').find((l) => /accuracy/.test(l))!;
    for (const a of accuracies) expect(accRow).toContain(a.toPrecision(4));
    expect(cmp.stdout).toMatch(/^\* n_estimators\s+2\s+5\s+20\s*$/m);
    expect(cmp.stdout).toContain('* = differs between runs');
  });

  it('inspect prints the run as a tree, one value decoded, a catalog file, and JSON for machines', async () => {
    const cwd = tmpDir();
    const run = await runnable(['run', TUTORIAL, '--run-id', 'ins-1'], { cwd, env: { RUNNABLE_PRM_n_estimators: '3' } });
    expect(run.code).toBe(0);
    const tree = await runnable(['inspect', 'ins-1'], { cwd });
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(/^Run ins-1  ✅ SUCCESS/);
    expect(tree.stdout).toContain('n_estimators = 3   (env:RUNNABLE_PRM_n_estimators)');
    expect(tree.stdout).toMatch(/✅ train\s+\(\d+\.\ds\)/);
    expect(tree.stdout).toContain('catalog put: reports/training-summary.json');
    expect(tree.stdout).toContain('catalog get: reports/training-summary.json');
    expect(tree.stdout).toMatch(/Metrics\n  accuracy = 0\.\d+/);

    // the classes of a pickled value are decoded only with the file the user names (never the one the run log names)
    const model = await runnable(['inspect', 'ins-1', 'model_data', '--file', TUTORIAL], { cwd });
    expect(model.code).toBe(0);
    expect(model.stderr).toContain('model_data (pickled, ins-1/train/model_data.superjson)');
    expect(model.stdout).toMatch(/^TrainedModel \{/);
    const raw = await runnable(['inspect', 'ins-1', 'model_data'], { cwd });
    expect(raw.code).toBe(0);
    expect(raw.stderr).toMatch(/^model_data \(pickled, ins-1\/train\/model_data.superjson, \d+ bytes\): holds 'TrainedModel'/);
    expect(raw.stderr).toContain(`not decoded because inspect never runs code a run log names`);
    expect(raw.stderr).toContain(`runnable inspect ins-1 model_data --file ${TUTORIAL}`);
    expect(JSON.parse(raw.stdout).meta.values).toBeDefined();
    const acc = await runnable(['inspect', 'ins-1', 'accuracy', '--json'], { cwd });
    expect(Number(acc.stdout)).toBe(readRunLog(cwd, 'ins-1').parameters.accuracy!.value);
    const report = await runnable(['inspect', 'ins-1', 'reports/model-report.md'], { cwd });
    expect(report.stdout).toMatch(/^# Model report/);
    const all = await runnable(['inspect', 'ins-1', '--json'], { cwd });
    expect(JSON.parse(all.stdout).run_id).toBe('ins-1');
    const missing = await runnable(['inspect', 'ins-1', 'nope'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no parameter or catalog file named 'nope'. Parameters: .*model_data/);
  });
});

describe('console and check', () => {
  it('prints a summary table; --quiet prints nothing; --verbose shows step output; output is saved as the execution log', async () => {
    const cwd = tmpDir();
    const out = await runnable(['run', TUTORIAL, '--run-id', 'c-1'], { cwd, env: { RUNNABLE_PRM_n_estimators: '2' } });
    expect(out.stdout).not.toContain('\r');
    expect(out.stdout).toMatch(/^step\s+status\s+duration\s+attempts\s+cpu\s+peak mem$/m);
    expect(out.stdout).toMatch(/^evaluate\s+✅ SUCCESS\s+\d+\.\ds\s+1\s+\d+\.\d\ds\s+\d+ MiB$/m);
    expect(out.stdout).not.toContain('split 600 rows');
    const log = readRunLog(cwd, 'c-1');
    const exec = log.steps.preprocess!.attempts[0]!.execution_log!;
    expect(exec).toBe('c-1/preprocess/attempt-1.execution.log');
    expect(fs.readFileSync(path.join(cwd, '.catalog', exec), 'utf8')).toContain('[preprocess] split 600 rows: 480 train / 120 test');

    const quiet = await runnable(['run', TUTORIAL, '--quiet'], { cwd, env: { RUNNABLE_PRM_n_estimators: '2' } });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('');
    const verbose = await runnable(['run', TUTORIAL, '--verbose'], { cwd, env: { RUNNABLE_PRM_n_estimators: '2' } });
    expect(verbose.stdout).toContain('│ preprocess: [preprocess] split 600 rows');
  });

  it('check explains a name mismatch and suggests the similar name; passes a correct file', async () => {
    const cwd = tmpDir();
    const bad = await runnable(['check', path.join(__dirname, '../fixtures/check/name-mismatch.ts')], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("✖ needs input 'dataframe', but no earlier step returns it and it is not a pipeline parameter.");
    expect(bad.stdout).toContain("Did you mean 'df' (returned by LoadData)?");
    expect(bad.stdout).toContain('In scope at this step: test_size (a pipeline parameter), df (from LoadData).');
    // a name produced by a composite is attributed to the composite, not to "a pipeline parameter"
    const composite = await runnable(['check', path.join(__dirname, '../fixtures/check/composite-attribution.ts')], { cwd });
    expect(composite.code).toBe(1);
    expect(composite.stdout).toContain("Did you mean 'squared' (produced by map 'squares_map')?");
    expect(composite.stdout).toContain("In scope at this step: items (from gen), squared (produced by map 'squares_map').");
    const good = await runnable(['check', TUTORIAL], { cwd });
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('✅ 1 file type-checks');
  });
});

describe('execute-single-node inside branches', () => {
  it('runs one step of one map iteration with that iteration\'s inputs', async () => {
    const cwd = tmpDir();
    const map = path.join(path.dirname(TUTORIAL), '../07-map/map.ts');
    const params = path.join(path.dirname(TUTORIAL), '../03-parameters/initial-parameters.yaml');
    expect((await runnable(['run', map, '--params', params, '--run-id', 'm-1'], { cwd })).code).toBe(0);
    const out = await runnable(['execute-single-node', 'm-1', map, 'map_state.2.execute_ts'], { cwd });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^map_state\.2\.execute_ts: ✅ Completed .*\(attempt 2\)$/m);
    const attempts = readRunLog(cwd, 'm-1').steps.map_state!.branches['map_state.2']!.steps['map_state.2.execute_ts']!.attempts;
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.input_parameters.processed_python!.value).toBe(20);
    expect(attempts[1]!.output_parameters.processed_ts!.value).toBe(200);
    const bad = await runnable(['execute-single-node', 'm-1', map, 'map_state.9.execute_ts'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Branch 'map_state.9' never ran in run m-1/);
    const composite = await runnable(['execute-single-node', 'm-1', map, 'map_state'], { cwd });
    expect(composite.stderr).toMatch(/'map_state' is a map step; execute one of the task steps inside its branches/);
  });
});
