/**
 * The getting-started tutorial (docs/tutorial/, examples/tutorial/): every chapter's example run end to end through
 * the CLI, as its page shows it, with assertions on what the run log recorded. Chapter 4 is covered by
 * examples-tutorial tests elsewhere (retry-inspect, executors-tutorial, ui, report); chapter 7 runs it here with
 * each executor's configuration of examples/tutorial/configs/. Small forests (RUNNABLE_PRM_n_estimators) keep it quick.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import type { RunLog } from '../../src/stores/run-log/types';
import { schemaErrors } from '../helpers/argo-schema';
import { ROOT, readRunLog, runIdFrom, runnable, tmpDir } from '../helpers/cli';
import { ensureNodeImage } from '../helpers/podman';
import { assertValidRunLog } from '../helpers/run-log-schema';

const TUT = path.join(ROOT, 'examples/tutorial');
const DOCS = path.join(ROOT, 'docs/tutorial');
const dirs: string[] = [];
const scratch = () => {
  const d = tmpDir('rt-tutorial-');
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const values = (log: RunLog) => Object.fromEntries(Object.entries(log.parameters).map(([k, p]) => [k, p.value]));
const statuses = (log: RunLog) => Object.fromEntries(Object.entries(log.steps).map(([k, s]) => [k, s.status]));
/** The files a step put or got (`put data/x.csv`), without its pickled values and execution logs. */
const files = (log: RunLog, step: string) => log.steps[step]!.data_catalog.filter((c) => !/\.(superjson|execution\.log)$/.test(c.name));
const catalogEntries = (log: RunLog, step: string) => files(log, step).map((c) => `${c.stage} ${c.name}`);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function run(cwd: string, file: string, args: string[] = [], env: Record<string, string> = {}, command: 'run' | 'job' = 'run'): Promise<{ log: RunLog; stdout: string }> {
  const out = await runnable([command, path.join(TUT, file), ...args], { cwd, env });
  if (out.code !== 0) throw new Error(`${file} exited ${out.code}\n${out.stdout}\n${out.stderr}`);
  return { log: readRunLog(cwd, runIdFrom(out.stdout)), stdout: out.stdout };
}

/** `node -r runnable-ts/register <file> [args]`, as chapters 1 and 6 run plain files. */
async function nodeFile(cwd: string, file: string, args: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', path.join(ROOT, 'lib/register.js'), path.join(TUT, file), ...args], { cwd, env: { ...process.env, CI: 'true' } });
  return stdout;
}

describe('tutorial chapters 1 to 6', () => {
  let ch1Accuracy: number;

  it('1: the plain function prints its accuracy and overwrites results/ on every run', async () => {
    const cwd = scratch();
    const stdout = await nodeFile(cwd, '01-starting-point.ts');
    expect(stdout).toMatch(/^Loading data\.\.\.\nPreprocessing\.\.\.\nTraining model\.\.\.\nEvaluating\.\.\.\nAccuracy: 0\.\d{4}\n$/);
    const metrics = JSON.parse(fs.readFileSync(path.join(cwd, 'results/metrics.json'), 'utf8')) as { accuracy: number; nTest: number };
    expect(metrics.nTest).toBe(120);
    expect(stdout).toContain(`Accuracy: ${metrics.accuracy.toFixed(4)}`);
    expect(fs.readdirSync(path.join(cwd, 'results')).sort()).toEqual(['metrics.json', 'model.json']);
    ch1Accuracy = metrics.accuracy;
  });

  it('2: the same function as a tracked job: returns recorded, result files kept in the run catalog', async () => {
    const cwd = scratch();
    const { log, stdout } = await run(cwd, '02-making-it-reproducible.ts', ['--run-id', 'baseline'], {}, 'job');
    expect(stdout).toContain("Running job 'making-it-reproducible' as run baseline");
    expect(log.status).toBe('SUCCESS');
    expect(log.run_config.kind).toBe('job');
    expect(log.run_config.pipeline_name).toBe('making-it-reproducible');
    expect(statuses(log)).toEqual({ train: 'SUCCESS', success: 'SUCCESS' });
    expect(values(log).accuracy).toBe(ch1Accuracy); // the function did not change, nor did its result
    expect((values(log).report as { nTest: number }).nTest).toBe(120);
    expect(catalogEntries(log, 'train').sort()).toEqual(['put results/metrics.json', 'put results/model.json']);
    const second = await run(cwd, '02-making-it-reproducible.ts', [], {}, 'job');
    expect(second.log.run_id).not.toBe('baseline');
    for (const id of ['baseline', second.log.run_id]) {
      expect(fs.existsSync(path.join(cwd, '.catalog', id, 'results/model.json'))).toBe(true);
      expect(fs.existsSync(path.join(cwd, '.catalog', id, 'train/attempt-1.execution.log'))).toBe(true);
    }
    const entry = files(log, 'train').find((c) => c.name === 'results/metrics.json')!;
    expect(entry.data_hash).toBe(sha256(path.join(cwd, '.catalog/baseline/results/metrics.json')));
  });

  it('3: parameters from defaults, the environment and an experiment file, each recorded with its source', async () => {
    const cwd = scratch();
    const env = { RUNNABLE_PRM_n_estimators: '5' };
    const defaults = (await run(cwd, '03-adding-flexibility.ts', [], env)).log;
    expect(values(defaults)).toMatchObject({ test_size: 0.2, n_estimators: 5, seed: 42 });
    expect(defaults.run_config.parameter_sources).toEqual({ test_size: 'default', n_estimators: 'env:RUNNABLE_PRM_n_estimators', seed: 'default' });
    // basic.yaml writes the defaults down
    const basic = YAML.parse(fs.readFileSync(path.join(TUT, 'experiments/basic.yaml'), 'utf8')) as Record<string, unknown>;
    expect(basic).toEqual({ test_size: 0.2, n_estimators: 50, seed: 42 });

    const file = path.join(TUT, 'experiments/large_forest.yaml');
    const large = (await run(cwd, '03-adding-flexibility.ts', ['--params', file], env)).log;
    expect(values(large)).toMatchObject({ test_size: 0.25, n_estimators: 5, seed: 123 });
    const rel = path.relative(cwd, file);
    expect(large.run_config.parameter_sources).toEqual({ test_size: `file:${rel}`, n_estimators: 'env:RUNNABLE_PRM_n_estimators', seed: `file:${rel}` });
    expect(large.steps.train!.attempts[0]!.input_parameters).toMatchObject({ test_size: { value: 0.25 }, n_estimators: { value: 5 }, seed: { value: 123 } });
    expect((values(large).report as { nTest: number }).nTest).toBe(150); // 25% of 600 rows
  });

  it('5: data as catalog files: put and get recorded per step with the hashes of the stored files', async () => {
    const cwd = scratch();
    const { log } = await run(cwd, '05-handling-datasets.ts', ['--run-id', 'files'], { RUNNABLE_PRM_n_samples: '2000', RUNNABLE_PRM_n_estimators: '3', RUNNABLE_PRM_max_train_rows: '300' });
    expect(statuses(log)).toEqual({ load_data: 'SUCCESS', preprocess: 'SUCCESS', train: 'SUCCESS', evaluate: 'SUCCESS', success: 'SUCCESS' });
    const v = values(log);
    expect(v.rows).toBe(2000);
    expect((v.train_rows as number) + (v.test_rows as number)).toBe(2000);
    expect(log.parameters.accuracy!.kind).toBe('metric');
    const confusion = v.confusion as Record<string, number>;
    expect(confusion.tp! + confusion.fp! + confusion.tn! + confusion.fn!).toBe(v.test_rows);
    expect(log.parameters.model_data!.kind).toBe('object');
    expect(catalogEntries(log, 'load_data')).toEqual(['put data/dataset.csv']);
    expect(catalogEntries(log, 'preprocess').sort()).toEqual(['get data/dataset.csv', 'put data/test.csv', 'put data/train.csv']);
    expect(catalogEntries(log, 'train')).toEqual(['get data/train.csv']);
    expect(catalogEntries(log, 'evaluate')).toEqual(['get data/test.csv']);
    const stored = path.join(cwd, '.catalog/files/data');
    expect(fs.readFileSync(path.join(stored, 'dataset.csv'), 'utf8').trim().split('\n')).toHaveLength(2001);
    for (const step of ['load_data', 'preprocess', 'train', 'evaluate']) {
      for (const c of files(log, step)) expect(c.data_hash).toBe(sha256(path.join(cwd, '.catalog/files', c.name)));
    }
    expect(log.steps.train!.attempts[0]!.input_parameters).toMatchObject({ n_estimators: { value: 3 }, max_train_rows: { value: 300 } });

    // the page's second run: another number of trees on the same data reuses the cached load_data and preprocess
    const again = await run(cwd, '05-handling-datasets.ts', ['--run-id', 'files-2-trees'], { RUNNABLE_PRM_n_samples: '2000', RUNNABLE_PRM_n_estimators: '2', RUNNABLE_PRM_max_train_rows: '300' });
    expect(again.stdout).toContain('load_data: ♻️  reused from files');
    expect(again.stdout).toContain('preprocess: ♻️  reused from files');
    expect(statuses(again.log)).toEqual({ load_data: 'SUCCESS', preprocess: 'SUCCESS', train: 'SUCCESS', evaluate: 'SUCCESS', success: 'SUCCESS' });
    expect(again.log.steps.load_data!.cached_from).toEqual({ run_id: 'files', step: 'load_data' });
    expect(again.log.steps.preprocess!.cached_from).toEqual({ run_id: 'files', step: 'preprocess' });
    expect(again.log.steps.train!.cached_from).toBeUndefined(); // it reads n_estimators, which changed
    expect(again.log.steps.evaluate!.cached_from).toBeUndefined();
    expect(values(again.log)).toMatchObject({ rows: 2000, train_rows: v.train_rows, test_rows: v.test_rows });
    for (const name of ['dataset.csv', 'train.csv', 'test.csv']) expect(sha256(path.join(cwd, '.catalog/files-2-trees/data', name))).toBe(sha256(path.join(stored, name)));
  });

  it('6: metrics tracked across runs, compared, and a model loaded from a run with loadArtifact', async () => {
    const cwd = scratch();
    const runs: RunLog[] = [];
    for (const n of ['2', '5']) runs.push((await run(cwd, '06-sharing-results.ts', ['--run-id', `trees-${n}`, '--tag', 'trees'], { RUNNABLE_PRM_n_estimators: n })).log);
    // the second experiment changes only n_estimators: chapter 4's data steps, cached, are reused from the first
    expect(runs[1]!.steps.load_data!.cached_from).toEqual({ run_id: 'trees-2', step: 'load_data' });
    expect(runs[1]!.steps.preprocess!.cached_from).toEqual({ run_id: 'trees-2', step: 'preprocess' });
    expect(runs[1]!.steps.train!.cached_from).toBeUndefined();
    expect(runs[1]!.parameters.preprocessed_data!.data_hash).toBe(runs[0]!.parameters.preprocessed_data!.data_hash);
    for (const log of runs) {
      expect(log.tag).toBe('trees');
      const metrics = log.steps.evaluate!.attempts[0]!.user_defined_metrics;
      expect(Object.keys(metrics).sort()).toEqual(['accuracy', 'f1', 'precision', 'recall']);
      expect(catalogEntries(log, 'train')).toEqual(['put models/model.json']);
      expect(catalogEntries(log, 'evaluate')).toEqual(['put metrics/evaluation.json']);
      const file = JSON.parse(fs.readFileSync(path.join(cwd, '.catalog', log.run_id, 'metrics/evaluation.json'), 'utf8')) as Record<string, unknown>;
      expect(file).toMatchObject({ accuracy: log.parameters.accuracy!.value, f1: log.parameters.f1!.value });
    }
    const compare = await runnable(['runs', 'compare', 'trees-2', 'trees-5', '--json'], { cwd });
    expect(compare.code).toBe(0);
    const summaries = JSON.parse(compare.stdout) as { runId: string; parameters: Record<string, unknown>; metrics: Record<string, number> }[];
    expect(summaries.map((s) => [s.runId, s.parameters])).toEqual([
      ['trees-2', { test_size: 0.2, n_estimators: 2 }],
      ['trees-5', { test_size: 0.2, n_estimators: 5 }],
    ]);
    expect(summaries.map((s) => s.metrics.accuracy)).toEqual(runs.map((r) => r.parameters.accuracy!.value));
    const listed = await runnable(['runs', '--tag', 'trees'], { cwd });
    expect(listed.stdout.split('\n')[0]).toMatch(/run id +status +started +duration +tag +accuracy +precision +recall +f1/);

    const loaded = await nodeFile(cwd, '06-load-teammate-model.ts', ['trees-5']);
    expect(loaded).toMatch(/^model_data of run trees-5: a TrainedModel\? true; 5 trees, trained on 480 rows\npredictions for two new rows: (\[[01],[01]\])\nmodels\/model\.json: \d+ bytes, predictions \1\n$/);
  });
});

describe('tutorial chapter 7: the chapter-4 pipeline with each executor, only the configuration changing', () => {
  const cwd = scratch();
  const CONFIGS = path.join(TUT, 'configs');
  const env = { RUNNABLE_PRM_n_estimators: '5' };
  const store = new ChunkedFsRunLogStore({ log_folder: path.join(cwd, '.run_log_store') });

  async function runWith(config: string, runId: string, extraEnv: Record<string, string> = {}): Promise<RunLog> {
    const out = await runnable(['run', path.join(TUT, '07-running-anywhere.ts'), '-c', path.join(CONFIGS, config), '--run-id', runId, '--quiet'], { cwd, env: { ...env, ...extraEnv } });
    if (out.code !== 0) throw new Error(`${config}: exit ${out.code}\n${out.stdout}\n${out.stderr}`);
    const log = await store.get(runId);
    assertValidRunLog(log);
    expect(statuses(log)).toEqual({ load_data: 'SUCCESS', preprocess: 'SUCCESS', train: 'SUCCESS', evaluate: 'SUCCESS', success: 'SUCCESS' });
    return log;
  }
  const executor = (log: RunLog) => (log.run_config.pipeline_executor as { service_name: string }).service_name;
  let local: RunLog;

  it('local', async () => {
    local = await runWith('local.config.ts', 'on-laptop');
    expect(executor(local)).toBe('local');
    expect(typeof local.parameters.accuracy!.value).toBe('number');
    expect(local.run_config.pipeline_definition_file).toMatch(/07-running-anywhere\.ts#default$/);
  });

  it('emulator: a process per step, the same results', async () => {
    const log = await runWith('emulator.config.ts', 'in-processes');
    expect(executor(log)).toBe('emulator');
    expect(log.parameters.accuracy!.value).toBe(local.parameters.accuracy!.value);
    expect(log.parameters.model_data!.data_hash).toBe(local.parameters.model_data!.data_hash); // the same forest, byte for byte
  });

  it('local-container with podman: a container per step, the same results, the image recorded', async () => {
    const image = ensureNodeImage();
    const log = await runWith('local-container.config.ts', 'in-containers', { RUNNABLE_VAR_image: image });
    expect(executor(log)).toBe('local-container');
    expect(log.parameters.accuracy!.value).toBe(local.parameters.accuracy!.value);
    const ids = log.steps.train!.attempts[0]!.code_identities.map((c) => c.code_identifier_type);
    expect(ids).toContain('docker');
  });

  it('argo: writes a Workflow valid against Argo\u2019s schema, with a template per step, and runs nothing', async () => {
    const out = await runnable(['run', path.join(TUT, '07-running-anywhere.ts'), '-c', path.join(CONFIGS, 'argo.config.ts')], { cwd, env });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Wrote the Argo Workflow of 'connecting-workflow' to argo-pipeline.yaml");
    const manifest = YAML.parse(fs.readFileSync(path.join(cwd, 'argo-pipeline.yaml'), 'utf8')) as Record<string, any>;
    expect(schemaErrors(manifest)).toEqual([]);
    expect(manifest.metadata).toMatchObject({ generateName: 'ml-tutorial-', namespace: 'ml' });
    const names = (manifest.spec.templates as { name: string }[]).map((t) => t.name);
    for (const step of ['load-data', 'preprocess', 'train', 'evaluate']) expect(names.some((n) => n.startsWith(step))).toBe(true);
    expect(fs.readdirSync(path.join(cwd, '.run_log_store')).sort()).toEqual(['in-containers', 'in-processes', 'on-laptop']); // no run started here
  });
});

describe('tutorial pages', () => {
  const pages = fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort();

  it('are chapters 1 to 7, each linking to the next', () => {
    expect(pages.map((p) => p.slice(0, 3))).toEqual(['01-', '02-', '03-', '04-', '05-', '06-', '07-']);
    for (let i = 0; i < 6; i++) expect(fs.readFileSync(path.join(DOCS, pages[i]!), 'utf8')).toMatch(new RegExp(`## Next[\\s\\S]*\\]\\(${pages[i + 1]!.replace('.', '\\.')}\\)`));
  });

  it('link only to files that exist (docs/README.md too), and show filled output blocks', () => {
    const linksOf = (file: string) => [...fs.readFileSync(file, 'utf8').matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    const index = path.join(ROOT, 'docs/README.md');
    expect(linksOf(index).filter((t) => !fs.existsSync(path.resolve(path.dirname(index), t)))).toEqual([]);
    for (const page of pages) expect(linksOf(path.join(DOCS, page)).filter((t) => !fs.existsSync(path.resolve(DOCS, t)))).toEqual([]);
    // every page of docs/ is in the index
    const indexed = new Set(linksOf(index).map((t) => path.resolve(path.dirname(index), t)));
    const all = [...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md') && f !== 'README.md').map((f) => path.join(ROOT, 'docs', f)), ...pages.map((p) => path.join(DOCS, p))];
    expect(all.filter((f) => !indexed.has(f))).toEqual([]);
    for (const page of pages) {
      const text = fs.readFileSync(path.join(DOCS, page), 'utf8');
      const opened = [...text.matchAll(/<!-- output:([\w-]+)[^>]*-->\n```\w*\n([\s\S]*?)```\n<!-- \/output -->/g)];
      expect(opened.length).toBe((text.match(/<!-- output:/g) ?? []).length);
      for (const [, name, body] of opened) expect([page, name, body!.trim().length > 0]).toEqual([page, name, true]);
    }
  });
});
