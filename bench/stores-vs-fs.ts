/**
 * Part C, second table (`--only=stores`): the chunked-fs run-log store against the file-system store, on the two
 * workloads of issue 16: a 2,000-step sequential run (bench/steps.ts: each step returns a small JSON value) and a
 * map over 10,000 items (the branch one trivial task, concurrency 8), both with the file-system catalog, in temp dirs
 * on disk. The two stores run alternately, the order flipping every repetition, in this process; each run is timed
 * whole (`execute()`: creation of the run log, every step, the final read). Figures: median wall time and CPU time
 * (user + system of this process) per store, and the ratio chunked-fs ÷ file-system of the medians, with the range of
 * the per-repetition ratios. Target (issue 16): ratio <= 1.5 on both.
 *
 *   node --expose-gc bin/run-ts.js bench/stores-vs-fs.ts [--quick] [--tmp=DIR]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChunkedFsRunLogStore, EnvSecretsManager, FileSystemCatalog, FileSystemRunLogStore, pipeline, task, type Pipeline, type RunLogStore } from '../src/index';
import { LocalExecutor } from '../src/executors/local';
import { deferRemoval, removeDeferred } from './cleanup';
import { buildPipeline, stepFunctions } from './steps';
import { collectGarbage, median, round, table } from './stats';

export const STORES_VS_FS_TARGET = 1.5;
type Kind = 'chunked-fs' | 'file-system';
const KINDS: readonly Kind[] = ['chunked-fs', 'file-system'];

export interface StoresVsFsCase {
  name: string;
  reps: number;
  wallMs: Record<Kind, number[]>;
  cpuMs: Record<Kind, number[]>;
  medianWallMs: Record<Kind, number>;
  medianCpuMs: Record<Kind, number>;
  /** median wall(chunked-fs) ÷ median wall(file-system). */
  ratio: number;
  /** Range of the per-repetition ratios. */
  ratioMin: number;
  ratioMax: number;
  cpuRatio: number;
  targetMet: boolean;
}

export interface StoresVsFsResult {
  config: { tmpRoot: string; steps: number; mapItems: number; reps: { steps: number; map: number }; target: string };
  cases: StoresVsFsCase[];
}

function mapPipeline(): Pipeline<any, any> {
  const double = task(({ item }: { item: number }) => ({ y: item * 2 }), { name: 'double', returns: ['y'] });
  const branch = pipeline('bench_vs_item').params<{ item: number }>().step(double).build();
  return pipeline('bench_vs_map').params<{ items: number[] }>().map('m', { over: 'items', as: 'item', branch, concurrency: 8 }).build() as Pipeline<any, any>;
}

let counter = 0;

async function runOnce(kind: Kind, p: Pipeline<any, any>, params: Record<string, unknown> | undefined, check: (log: any) => boolean, tmpRoot: string): Promise<{ ms: number; cpuMs: number }> {
  const dir = fs.mkdtempSync(path.join(tmpRoot, `rts-bench-vsfs-${kind}-`));
  deferRemoval(dir);
  const logFolder = path.join(dir, 'run-logs');
  const store: RunLogStore = kind === 'chunked-fs' ? new ChunkedFsRunLogStore({ log_folder: logFolder }) : new FileSystemRunLogStore({ log_folder: logFolder });
  collectGarbage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await p.execute({
    runLogStore: store,
    catalog: new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog') }),
    secrets: new EnvSecretsManager({}),
    executor: new LocalExecutor(),
    quiet: true,
    env: {},
    runId: `bench-vsfs-${process.pid}-${++counter}`,
    ...(params && { params }),
  });
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (result.status !== 'SUCCESS' || !check(result.runLog)) throw new Error(`bench stores-vs-fs: unexpected result with ${kind}: ${result.status}`);
  return { ms, cpuMs: (c.user + c.system) / 1000 };
}

export async function storesVsFsBench(o: { tmpRoot: string; quick: boolean }, log: (line: string) => void): Promise<StoresVsFsResult> {
  const steps = o.quick ? 500 : 2000;
  const mapItems = o.quick ? 2000 : 10000;
  const reps = { steps: o.quick ? 3 : 5, map: o.quick ? 2 : 3 };
  const seq = buildPipeline(stepFunctions(steps), 'fn');
  const map = mapPipeline();
  const items = Array.from({ length: mapItems }, (_, i) => i);
  const cases = [
    { name: `${steps} sequential steps`, p: seq, params: undefined, reps: reps.steps, check: (l: any) => Object.keys(l.steps).length === steps + 1 },
    { name: `map over ${mapItems} items`, p: map, params: { items }, reps: reps.map, check: (l: any) => (l.parameters.y?.value as number[] | undefined)?.length === mapItems },
  ];
  // warm-up: JIT the engine and both stores on small runs
  for (const kind of KINDS) {
    await runOnce(kind, buildPipeline(stepFunctions(100), 'fn'), undefined, () => true, o.tmpRoot);
    await runOnce(kind, map, { items: items.slice(0, 200) }, () => true, o.tmpRoot);
  }
  const out: StoresVsFsCase[] = [];
  for (const c of cases) {
    const wall: Record<Kind, number[]> = { 'chunked-fs': [], 'file-system': [] };
    const cpu: Record<Kind, number[]> = { 'chunked-fs': [], 'file-system': [] };
    const pairRatios: number[] = [];
    for (let r = 0; r < c.reps; r++) {
      const order = r % 2 === 0 ? KINDS : [...KINDS].reverse();
      for (const kind of order) {
        const m = await runOnce(kind, c.p, c.params, c.check, o.tmpRoot);
        wall[kind].push(m.ms);
        cpu[kind].push(m.cpuMs);
      }
      pairRatios.push(wall['chunked-fs'][r]! / wall['file-system'][r]!);
      log(`  C[vs file-system] ${c.name}, rep ${r + 1}/${c.reps}: chunked-fs ${Math.round(wall['chunked-fs'][r]!)} ms, file-system ${Math.round(wall['file-system'][r]!)} ms`);
    }
    const medianWallMs = { 'chunked-fs': round(median(wall['chunked-fs']), 1), 'file-system': round(median(wall['file-system']), 1) };
    const medianCpuMs = { 'chunked-fs': round(median(cpu['chunked-fs']), 1), 'file-system': round(median(cpu['file-system']), 1) };
    const ratio = round(medianWallMs['chunked-fs'] / medianWallMs['file-system'], 2);
    out.push({
      name: c.name,
      reps: c.reps,
      wallMs: wall,
      cpuMs: cpu,
      medianWallMs,
      medianCpuMs,
      ratio,
      ratioMin: round(Math.min(...pairRatios), 2),
      ratioMax: round(Math.max(...pairRatios), 2),
      cpuRatio: round(medianCpuMs['chunked-fs'] / medianCpuMs['file-system'], 2),
      targetMet: ratio <= STORES_VS_FS_TARGET,
    });
  }
  return { config: { tmpRoot: o.tmpRoot, steps, mapItems, reps, target: `chunked-fs wall / file-system wall <= ${STORES_VS_FS_TARGET}` }, cases: out };
}

export function formatStoresVsFs(r: StoresVsFsResult): string {
  const rows = r.cases.map((c) => [
    c.name,
    c.reps,
    `${(c.medianWallMs['file-system'] / 1000).toFixed(2)} s`,
    `${(c.medianWallMs['chunked-fs'] / 1000).toFixed(2)} s`,
    `${c.ratio}x (${c.ratioMin}–${c.ratioMax})`,
    `${c.cpuRatio}x`,
    c.targetMet ? 'MET' : 'NOT MET',
  ]);
  return (
    `C. chunked-fs vs file-system run-log store (temp dirs in ${r.config.tmpRoot}; alternate order, medians)\n` +
    table(['run', 'reps', 'file-system wall', 'chunked-fs wall', 'ratio (range)', 'CPU ratio', `target <= ${STORES_VS_FS_TARGET}x`], rows)
  );
}

if (path.resolve(process.argv[1] ?? '') === __filename) {
  const args = process.argv.slice(2);
  const tmpRoot = path.resolve(args.find((a) => a.startsWith('--tmp='))?.slice('--tmp='.length) ?? os.tmpdir());
  storesVsFsBench({ tmpRoot, quick: args.includes('--quick') }, (l) => console.log(l))
    .then((r) => {
      removeDeferred();
      console.log(formatStoresVsFs(r));
    })
    .catch((err: unknown) => {
      removeDeferred();
      console.error(err);
      process.exit(1);
    });
}
