/**
 * The step cache through the real CLI, in throw-away project folders (docs/caching.md):
 *  - the tutorial (a copy, with `cache: { enabled: true }` in runnable.config.ts) run with n_estimators=5 then 20
 *    executes only train and evaluate the second time, with the accuracy of an uncached run;
 *  - --no-cache, --refresh, an edited helper module, and a tampered cached artifact (not reused: the step runs, with
 *    a warning);
 *  - a pipeline split over modules: editing the helper one step imports re-executes that step and what read its
 *    changed output, and nothing upstream; the same with the emulator executor (steps in child processes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import type { RunLog } from '../../src/stores/run-log/types';
import { ROOT, readRunLog, runnable, tmpDir } from '../helpers/cli';
import { assertValidRunLog } from '../helpers/run-log-schema';

/** A project folder: node_modules links to this repository (as 'runnable-ts') and to the packages the files import. */
function project(files: Record<string, string>, packages: string[] = []): string {
  const cwd = tmpDir('rt-cache-');
  fs.mkdirSync(path.join(cwd, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(cwd, 'node_modules', 'runnable-ts'), 'dir');
  for (const p of ['reflect-metadata', ...packages]) fs.symlinkSync(path.join(ROOT, 'node_modules', p), path.join(cwd, 'node_modules', p), 'dir');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(cwd, name)), { recursive: true });
    fs.writeFileSync(path.join(cwd, name), text);
  }
  return cwd;
}

/** Per step (terminal nodes left out): the run it was reused from, or null when it executed. */
function reusedFrom(log: RunLog): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [name, s] of Object.entries(log.steps)) if (s.step_type === 'task') out[name] = s.cached_from?.run_id ?? null;
  return out;
}

async function run(cwd: string, runId: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ log: RunLog; stdout: string; stderr: string }> {
  const out = await runnable(['run', 'pipeline.ts', '--run-id', runId, ...args], { cwd, env });
  if (out.code !== 0) throw new Error(`run ${runId}: exit ${out.code}\n${out.stdout}\n${out.stderr}`);
  return { log: readRunLog(cwd, runId), stdout: out.stdout, stderr: out.stderr };
}

describe('the tutorial with the step cache on (runnable.config.ts)', () => {
  const tutorial = path.join(ROOT, 'examples/tutorial');
  let cwd: string;
  beforeAll(() => {
    cwd = project(
      {
        'pipeline.ts': fs.readFileSync(path.join(tutorial, '04-connecting-workflow.ts'), 'utf8'),
        'ml.ts': fs.readFileSync(path.join(tutorial, 'ml.ts'), 'utf8'),
        'runnable.config.ts': "import { defineConfig } from 'runnable-ts';\n\nexport default defineConfig({ cache: { enabled: true } });\n",
      },
      ['ml-random-forest'],
    );
  });
  const accuracy = (log: RunLog) => log.parameters.accuracy!.value;

  it('n_estimators=5 then 20: the second run executes only train and evaluate, with the accuracy of an uncached run', async () => {
    const first = await run(cwd, 'n5', [], { RUNNABLE_PRM_n_estimators: '5' });
    expect(reusedFrom(first.log)).toEqual({ load_data: null, preprocess: null, train: null, evaluate: null });
    const second = await run(cwd, 'n20', [], { RUNNABLE_PRM_n_estimators: '20' });
    expect(reusedFrom(second.log)).toEqual({ load_data: 'n5', preprocess: 'n5', train: null, evaluate: null });
    expect(second.stdout).toContain('load_data: ♻️  reused from n5');
    expect(second.stdout).toContain('preprocess: ♻️  reused from n5');
    expect(second.stdout).toMatch(/train: ✅ Completed/);
    expect(second.log.steps.preprocess!.cached_from).toEqual({ run_id: 'n5', step: 'preprocess' });
    // the reused artifact is in this run's catalog, with the recorded hash
    const p = second.log.parameters.preprocessed_data!;
    expect(p.catalog_relative_path).toBe('n20/preprocess/preprocessed_data.superjson');
    expect(fs.existsSync(path.join(cwd, '.catalog', p.catalog_relative_path!))).toBe(true);
    expect(p.data_hash).toBe(first.log.parameters.preprocessed_data!.data_hash);
    const uncached = await run(cwd, 'n20-uncached', ['--no-cache'], { RUNNABLE_PRM_n_estimators: '20' });
    expect(reusedFrom(uncached.log)).toEqual({ load_data: null, preprocess: null, train: null, evaluate: null });
    expect(accuracy(second.log)).toBe(accuracy(uncached.log));
    expect(accuracy(second.log)).not.toBe(accuracy(first.log));
    expect(uncached.stdout).not.toContain('♻️');
  });

  it('--refresh preprocess executes it again; its output is unchanged, so what reads it is still reused', async () => {
    const r = await run(cwd, 'refreshed', ['--refresh', 'preprocess'], { RUNNABLE_PRM_n_estimators: '20' });
    const reused = reusedFrom(r.log);
    expect(reused.preprocess).toBeNull();
    expect(reused.load_data).not.toBeNull();
    expect(reused.train).not.toBeNull();
    expect(reused.evaluate).not.toBeNull();
    const bad = await runnable(['run', 'pipeline.ts', '--refresh', 'preproces'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--refresh 'preproces': pipeline 'connecting-workflow' has no task step of that name");
  });

  it('a tampered cached artifact is not reused: the step runs instead, with a warning', async () => {
    // every run that executed load_data: change its stored dataset in place (the runs that reused it share the file)
    for (const id of ['n5', 'n20-uncached']) {
      const file = path.join(cwd, '.catalog', id, 'load_data', 'df.superjson');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/"labels":\[(\d)/, (_m, d: string) => `"labels":[${d === '0' ? 1 : 0}`));
    }
    const r = await run(cwd, 'after-tamper', [], { RUNNABLE_PRM_n_estimators: '20' });
    expect(r.stderr).toMatch(/Step 'load_data': not reusing the cached outputs of run (n5|n20-uncached): .*does not match its recorded SHA-256/);
    expect(reusedFrom(r.log).load_data).toBeNull();
    // the fresh dataset is the original one: preprocess (which read it) is reused again
    expect(reusedFrom(r.log).preprocess).not.toBeNull();
    const verify = await runnable(['verify', 'n5'], { cwd });
    expect(verify.code).not.toBe(0);
  });

  it('editing the helper module the steps import (ml.ts) invalidates them', async () => {
    fs.appendFileSync(path.join(cwd, 'ml.ts'), '\n// an edit: any change to a module a step imports invalidates the step\n');
    const r = await run(cwd, 'edited', [], { RUNNABLE_PRM_n_estimators: '20' });
    expect(reusedFrom(r.log)).toEqual({ load_data: null, preprocess: null, train: null, evaluate: null });
  });
});

/** A pipeline over four modules: load.ts, prep.ts (imports helper.ts), fit.ts, and pipeline.ts wiring them. */
const SPLIT = {
  'helper.ts': 'export const factor = 2;\n',
  'load.ts': "import { task, pickled } from 'runnable-ts';\nexport const load = task(() => ({ rows: [1, 2, 3, 4] }), { name: 'load', returns: [pickled('rows')] });\n",
  'prep.ts':
    "import { task, pickled } from 'runnable-ts';\nimport { factor } from './helper.js';\n" +
    "export const prep = task(({ rows }: { rows: number[] }) => ({ scaled: rows.map((r) => r * factor) }), { name: 'prep', returns: [pickled('scaled')] });\n",
  'fit.ts':
    "import { task, metric } from 'runnable-ts';\n" +
    "export const fit = task(({ scaled }: { scaled: number[] }) => ({ score: scaled.reduce((a, b) => a + b, 0) }), { name: 'fit', returns: [metric('score')] });\n",
  'pipeline.ts':
    "import 'reflect-metadata';\nimport { pipeline } from 'runnable-ts';\nimport { load } from './load';\nimport { prep } from './prep';\nimport { fit } from './fit';\n" +
    "export default pipeline('split').step(load).step(prep).step(fit).build();\n",
};

describe('a pipeline over several modules (--cache)', () => {
  it('editing the helper prep imports re-executes prep and what read its changed output, never what is upstream', async () => {
    const cwd = project(SPLIT);
    await run(cwd, 's1', ['--cache']);
    expect(reusedFrom((await run(cwd, 's2', ['--cache'])).log)).toEqual({ load: 's1', prep: 's1', fit: 's1' });
    fs.writeFileSync(path.join(cwd, 'helper.ts'), 'export const factor = 3;\n');
    const changed = await run(cwd, 's3', ['--cache']);
    expect(reusedFrom(changed.log)).toEqual({ load: 's1', prep: null, fit: null });
    expect(changed.log.parameters.score!.value).toBe(30);
    // an edit that does not change prep's output: prep executes, fit reads the same value and is reused
    fs.writeFileSync(path.join(cwd, 'helper.ts'), '// the same factor, written differently\nexport const factor = 1 + 2;\n');
    expect(reusedFrom((await run(cwd, 's4', ['--cache'])).log)).toEqual({ load: 's1', prep: null, fit: 's3' });
    // without --cache (and no cache option on the steps) nothing is reused
    expect(reusedFrom((await run(cwd, 's5')).log)).toEqual({ load: null, prep: null, fit: null });
  });

  it('with the emulator executor: steps run in child processes, the orchestrator reuses and restores', async () => {
    const cwd = project({
      ...SPLIT,
      'emulator.config.ts':
        "import { defineConfig } from 'runnable-ts';\nexport default defineConfig({ executor: { type: 'emulator', config: { maxProcesses: 1 } }, runLogStore: { type: 'chunked-fs' }, cache: { enabled: true } });\n",
    });
    const store = new ChunkedFsRunLogStore({ log_folder: path.join(cwd, '.run_log_store') });
    const emu = async (id: string) => {
      const out = await runnable(['run', 'pipeline.ts', '--run-id', id, '--config', 'emulator.config.ts'], { cwd });
      if (out.code !== 0) throw new Error(`${id}: exit ${out.code}\n${out.stdout}\n${out.stderr}`);
      const log = await store.get(id);
      assertValidRunLog(log);
      return { log, stdout: out.stdout };
    };
    const first = await emu('e1');
    expect((first.log.run_config.pipeline_executor as { service_name: string }).service_name).toBe('emulator');
    expect(first.log.steps.prep!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const second = await emu('e2');
    expect(reusedFrom(second.log)).toEqual({ load: 'e1', prep: 'e1', fit: 'e1' });
    expect(second.stdout).toContain('prep: ♻️  reused from e1');
    fs.writeFileSync(path.join(cwd, 'helper.ts'), 'export const factor = 5;\n');
    const third = await emu('e3');
    expect(reusedFrom(third.log)).toEqual({ load: 'e1', prep: null, fit: null });
    expect(third.log.parameters.score!.value).toBe(50);
    expect(fs.existsSync(path.join(cwd, '.catalog', 'e3', 'load', 'rows.superjson'))).toBe(true);
  });
});

describe('runnable retry with the step cache', () => {
  // 'report' fails while the file 'broken' exists. A retry can then only succeed by reusing the outputs of an
  // earlier successful run's 'report' (same code, same inputs) instead of executing it.
  const pipelineTs = `import { pipeline, task } from 'runnable-ts';
import * as fs from 'node:fs';
const count = task(() => ({ n: 3 }), { name: 'count', returns: ['n'], cache: true });
const report = task(({ n }: { n: number }) => {
  if (fs.existsSync('broken')) throw new Error('report is broken');
  return { text: \`\${n} rows\` };
}, { name: 'report', returns: ['text'], cache: true });
export default pipeline('cached-retry').step(count).step(report).build();
`;

  it('--cache reuses a step that runs again; --no-cache and --refresh <step> execute it; an unknown --refresh step is a usage error', async () => {
    const cwd = project({ 'pipeline.ts': pipelineTs });
    await run(cwd, 'good');
    fs.writeFileSync(path.join(cwd, 'broken'), '');
    const failed = await runnable(['run', 'pipeline.ts', '--run-id', 'bad', '--no-cache'], { cwd });
    expect(failed.code).toBe(1);

    const fresh = await runnable(['retry', 'bad', '--no-cache'], { cwd });
    expect(fresh.code).toBe(1);
    expect(fresh.stdout).toMatch(/report is broken/);
    const refreshed = await runnable(['retry', 'bad', '--cache', '--refresh', 'report'], { cwd });
    expect(refreshed.code).toBe(1);
    const unknown = await runnable(['retry', 'bad', '--cache', '--refresh', 'nope'], { cwd });
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/nope/)]);

    const reused = await runnable(['retry', 'bad', '--cache'], { cwd });
    if (reused.code !== 0) throw new Error(`retry --cache: exit ${reused.code}\n${reused.stdout}\n${reused.stderr}`);
    expect(reused.stdout).toMatch(/report: ♻️ {1,2}reused from good/);
    const log = readRunLog(cwd, 'bad');
    expect(log.status).toBe('SUCCESS');
    expect(reusedFrom(log)).toEqual({ count: null, report: 'good' });
    expect(log.parameters.text!.value).toBe('3 rows');
  });
});
