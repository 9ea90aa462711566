/**
 * Part L: the step cache (docs/caching.md).
 *
 *  1. The cost of fingerprinting: the same N-step run (task() steps, file-system stores) with the cache on for every
 *     step but nothing to reuse (a fresh store each run: every step computes its key, looks it up, misses, executes
 *     and records its fingerprint) vs the run without the cache; alternated, median of reps.
 *  2. The time saved on the tutorial's second run, through the CLI in a throw-away project: `n_estimators=20 --cache`
 *     after a cached `n_estimators=5` run (load_data and preprocess reused) vs the same run `--no-cache` in a fresh
 *     project; whole processes, alternated, median of reps.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileSystemCatalog, FileSystemRunLogStore, pipeline, task, type Pipeline } from '../src/index';
import { stepFunctions, type StepFn, type V } from './steps';
import { collectGarbage, median, table } from './stats';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'runnable.js');

export interface CacheBenchResult {
  fingerprint: { n: number; reps: number; cachedMs: number; plainMs: number; ratio: number; usPerStep: number };
  tutorial: { reps: number; cachedMs: number; uncachedMs: number; ratio: number; reused: string[]; reusedStepsMs: number; executedStepsMs: number };
}

/**
 * N task() steps (bench/steps.ts's functions), each with `cache: { version }` (a new version gives new fingerprints),
 * or without any cache option (the baseline).
 */
function versionedPipeline(fns: readonly StepFn[], version: string | undefined): Pipeline<any, any> {
  let b: any = pipeline(`bench-cache-${fns.length}`);
  fns.forEach((fn, i) => (b = b.step(task(fn as any, { name: `s${i}`, returns: ['v'], ...(version !== undefined && { cache: { version } }) } as any))));
  return b.build();
}

async function fingerprintCost(tmpRoot: string, n: number, reps: number): Promise<CacheBenchResult['fingerprint']> {
  const fns = stepFunctions(n);
  // One store for all runs, as in a project: the index already has entries (from earlier versions) and its folders
  // exist; each cached run uses a new version, so every step computes its key, looks it up, misses, executes and
  // records its fingerprint. The runs without the cache use the same store.
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'rts-bench-cache-'));
  let runNo = 0;
  const once = async (cache: boolean): Promise<number> => {
    const runId = `cache-bench-${runNo++}`;
    const p = versionedPipeline(fns, cache ? runId : undefined);
    const runLogStore = new FileSystemRunLogStore({ log_folder: path.join(dir, 'run-logs') });
    const catalog = new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog') });
    collectGarbage();
    const t0 = performance.now();
    const r = await p.execute({ runLogStore, catalog, quiet: true, runId, env: {} });
    const ms = performance.now() - t0;
    if (r.status !== 'SUCCESS' || (r.runLog.parameters.v?.value as V).i !== n - 1) throw new Error('bench: cache run failed');
    if (cache ? !r.runLog.steps.s0?.fingerprint || r.runLog.steps.s0.cached_from : r.runLog.steps.s0?.fingerprint) throw new Error('bench: the run did not do what it measures');
    return ms;
  };
  await once(true); // warm-up
  await once(false);
  const cached: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < reps; i++) {
    if (i % 2) {
      cached.push(await once(true));
      plain.push(await once(false));
    } else {
      plain.push(await once(false));
      cached.push(await once(true));
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const c = median(cached);
  const w = median(plain);
  return { n, reps, cachedMs: c, plainMs: w, ratio: c / w, usPerStep: ((c - w) * 1000) / n };
}

/** A project folder with the tutorial and node_modules links (runnable-ts = this repository). */
function tutorialProject(tmpRoot: string): string {
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'rts-bench-tutorial-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'runnable-ts'), 'dir');
  for (const m of ['reflect-metadata', 'ml-random-forest']) fs.symlinkSync(path.join(ROOT, 'node_modules', m), path.join(dir, 'node_modules', m), 'dir');
  for (const f of ['04-connecting-workflow.ts', 'ml.ts']) fs.copyFileSync(path.join(ROOT, 'examples/tutorial', f), path.join(dir, f));
  return dir;
}

function cli(cwd: string, runId: string, n: number, flag: '--cache' | '--no-cache'): number {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', RUNNABLE_PRM_n_estimators: String(n) };
  for (const k of Object.keys(env)) if (k.startsWith('RUNNABLE_') && k !== 'RUNNABLE_PRM_n_estimators' && k !== 'RUNNABLE_TS_CACHE_DIR') delete env[k];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, 'run', '04-connecting-workflow.ts', '--run-id', runId, '--quiet', flag], { cwd, env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench: tutorial run ${runId} failed: ${r.stderr}`);
  return ms;
}

/** Seconds the steps took in a run log (the reused steps: how long restoring them took). */
function stepSeconds(dir: string, runId: string, steps: readonly string[]): number {
  const log = JSON.parse(fs.readFileSync(path.join(dir, '.run_log_store', `${runId}.json`), 'utf8')) as { steps: Record<string, { attempts: { duration_seconds?: number }[] }> };
  return steps.reduce((sum, s) => sum + (log.steps[s]?.attempts.at(-1)?.duration_seconds ?? 0), 0);
}

function tutorialSaving(tmpRoot: string, reps: number): CacheBenchResult['tutorial'] {
  let reused: string[] = [];
  const stepsCached: number[] = [];
  const stepsUncached: number[] = [];
  // Both sides run after the same first run (n_estimators=5 --cache) in a fresh project, so they start alike.
  const once = (flag: '--cache' | '--no-cache'): number => {
    const dir = tutorialProject(tmpRoot);
    cli(dir, 'trees-5', 5, '--cache');
    const ms = cli(dir, 'trees-20', 20, flag);
    if (flag === '--cache') {
      const log = JSON.parse(fs.readFileSync(path.join(dir, '.run_log_store', 'trees-20.json'), 'utf8')) as { steps: Record<string, { cached_from?: unknown }> };
      reused = Object.entries(log.steps).filter(([, s]) => s.cached_from).map(([k]) => k);
      stepsCached.push(stepSeconds(dir, 'trees-20', reused));
    } else stepsUncached.push(stepSeconds(dir, 'trees-20', reused.length ? reused : ['load_data', 'preprocess']));
    fs.rmSync(dir, { recursive: true, force: true });
    return ms;
  };
  once('--no-cache'); // warm-up (compiles the tutorial into the loader's cache)
  stepsUncached.length = 0;
  const cached: number[] = [];
  const uncached: number[] = [];
  for (let i = 0; i < reps; i++) {
    if (i % 2) {
      cached.push(once('--cache'));
      uncached.push(once('--no-cache'));
    } else {
      uncached.push(once('--no-cache'));
      cached.push(once('--cache'));
    }
  }
  const c = median(cached);
  const u = median(uncached);
  return { reps, cachedMs: c, uncachedMs: u, ratio: c / u, reused, reusedStepsMs: median(stepsCached) * 1000, executedStepsMs: median(stepsUncached) * 1000 };
}

export async function cacheBench(cfg: { tmpRoot?: string; n: number; reps: number; tutorialReps: number }): Promise<CacheBenchResult> {
  const tmpRoot = cfg.tmpRoot ?? os.tmpdir();
  return { fingerprint: await fingerprintCost(tmpRoot, cfg.n, cfg.reps), tutorial: tutorialSaving(tmpRoot, cfg.tutorialReps) };
}

export function formatCacheBench(r: CacheBenchResult): string {
  const f = r.fingerprint;
  const t = r.tutorial;
  return [
    `L. Step cache: the cost of fingerprinting (${f.n}-step run, file-system stores, cache on for every step and all misses vs no cache; median of ${f.reps}, alternated)`,
    table(['N', 'cache (all misses) ms', 'no cache ms', 'ratio', 'extra µs/step'], [[f.n, f.cachedMs.toFixed(1), f.plainMs.toFixed(1), `${f.ratio.toFixed(3)}x`, f.usPerStep.toFixed(1)]]),
    `   the tutorial's second run (n_estimators=20 after an n_estimators=5 run; reused: ${t.reused.join(', ') || 'nothing'}) --cache vs --no-cache, whole CLI processes (median of ${t.reps}, alternated);`,
    `   and the reused steps alone: restoring them (--cache) vs executing them (--no-cache), from the run logs' durations`,
    table(
      ['second run --cache ms', '--no-cache ms', 'ratio', `${t.reused.join('+')} restored ms`, 'executed ms', 'ratio'],
      [[t.cachedMs.toFixed(0), t.uncachedMs.toFixed(0), `${t.ratio.toFixed(3)}x`, t.reusedStepsMs.toFixed(0), t.executedStepsMs.toFixed(0), `${(t.reusedStepsMs / t.executedStepsMs).toFixed(2)}x`]],
    ),
  ].join('\n');
}
