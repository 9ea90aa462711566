/**
 * Part C (`--only=stores`): does the run-log store's write cost per step stay flat as the run grows?
 *
 * Runs pipelines of N trivial `task()` steps (bench/steps.ts, N = 10, 100, 1000) with the chunked-fs store, and
 * with the file-system store for reference, in temp dirs, and reports the time per step with the run's fixed cost
 * (run-log creation, git code identity, final read of the run log, ...) taken out.
 *
 * Fixed cost: the headline "flatness" figure is the ratio of MARGINAL costs,
 *     [T(1000) - T(100)] / 900   ÷   [T(100) - T(10)] / 90
 * (T = median wall time of a run): it needs no model of the fixed cost and shows growth of the per-step cost with
 * N directly (a per-step cost growing like N would give ~10x; flat gives ~1x). For reference the table also shows
 * a least-squares fit T(N) = F + m·N over the three sizes; the other option, subtracting the fitted F and comparing
 * [(T(1000) - F)/1000] ÷ [(T(10) - F)/10], divides the N=10 residual by 10 and came out between -4x and 11x on this
 * VM, so it is only kept in the JSON (fitRatio).
 *
 * Temp dirs are removed at the end of the bench, not after each run (see bench/cleanup.ts).
 *
 * Bytes written: one extra, untimed run per store and N counts the bytes passed to write calls under the run-log
 * folder (bench/io-meter.ts) and the bytes on disk at the end.
 *
 *   node --expose-gc bin/run-ts.js bench/stores.ts [--quick] [--tmp=DIR]
 */
import './io-meter'; // must come first: it wraps node:fs before the library copies it
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChunkedFsRunLogStore, EnvSecretsManager, FileSystemCatalog, FileSystemRunLogStore, type Pipeline, type RunLogStore } from '../src/index';
import { LocalExecutor } from '../src/executors/local';
import { deferRemoval, removeDeferred } from './cleanup';
import { folderSize, stopWatching, watchWrites } from './io-meter';
import { buildPipeline, stepFunctions, type V } from './steps';
import { collectGarbage, fmtBytes, linearFit, median, round, table } from './stats';

export type StoreKind = 'chunked-fs' | 'file-system';
export const STORE_KINDS: readonly StoreKind[] = ['chunked-fs', 'file-system'];
/** Target: marginal per-step cost at the largest N within this factor of the one at the smallest N. */
export const STORES_FLAT_TARGET = 1.5;

export interface StoresConfig {
  tmpRoot: string;
  sizes: readonly number[];
  reps: (n: number) => number;
}

export interface StoreSize {
  n: number;
  reps: number;
  samplesMs: number[];
  medianMs: number;
  /** Median CPU time (user + system) of this process; child processes (git) excluded. */
  cpuMs: number;
  /** Raw median ms / N (fixed cost included). */
  msPerStep: number;
  /** (median - fitted fixed cost) / N. */
  msPerStepFitted: number;
  io: { bytesWritten: number; writeCalls: number; bytesWrittenPerStep: number; finalBytes: number; finalFiles: number; finalBytesPerStep: number };
}

export interface StoreResult {
  store: StoreKind;
  sizes: StoreSize[];
  /** Least-squares fit of the medians: T(N) = fixedMs + msPerStep * N. */
  fit: { fixedMs: number; msPerStep: number };
  /** (T(b) - T(a)) / (b - a) between consecutive sizes, in ms per step. */
  marginal: { from: number; to: number; msPerStep: number; bytesWrittenPerStep: number }[];
  /** Headline: marginal ms/step of the last interval ÷ that of the first (e.g. 100→1000 vs 10→100). */
  marginalRatio: number;
  /** Per-step cost at the largest N ÷ at the smallest N, fitted fixed cost subtracted. */
  fitRatio: number;
  /** Raw ms/step at the largest N ÷ at the smallest N (fixed cost included: falls with N). */
  rawRatio: number;
  /** Marginal bytes written per step, last interval ÷ first. */
  bytesRatio: number;
}

export interface StoresBenchResult {
  config: { tmpRoot: string; sizes: readonly number[]; reps: Record<number, number>; target: string; stepKind: string };
  stores: StoreResult[];
}

let counter = 0;

function makeStore(kind: StoreKind, folder: string): RunLogStore {
  return kind === 'chunked-fs' ? new ChunkedFsRunLogStore({ log_folder: folder }) : new FileSystemRunLogStore({ log_folder: folder });
}

async function runOnce(
  kind: StoreKind,
  p: Pipeline<any, any>,
  n: number,
  tmpRoot: string,
  countIo = false,
): Promise<{ ms: number; cpuMs: number; io?: StoreSize['io'] }> {
  const dir = fs.mkdtempSync(path.join(tmpRoot, `rts-bench-stores-${kind}-`));
  deferRemoval(dir); // removed at the end of the bench: see bench/cleanup.ts
  const logFolder = path.join(dir, 'run-logs');
  const options = {
    runLogStore: makeStore(kind, logFolder),
    catalog: new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog') }),
    // all four services given: no configuration file is looked for
    secrets: new EnvSecretsManager({}),
    executor: new LocalExecutor(),
    quiet: true,
    env: {},
    runId: `bench-stores-${process.pid}-${++counter}`,
  };
  collectGarbage();
  if (countIo) watchWrites(logFolder);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await p.execute(options);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const counts = countIo ? stopWatching() : undefined;
  const last = result.runLog.parameters['v']?.value as V | undefined;
  if (result.status !== 'SUCCESS' || last?.i !== n - 1 || Object.keys(result.runLog.steps).length !== n + 1) {
    throw new Error(`bench stores: unexpected result for ${kind} N=${n}: status ${result.status}, last v ${JSON.stringify(last)}`);
  }
  let io: StoreSize['io'] | undefined;
  if (counts) {
    const final = folderSize(logFolder);
    io = {
      bytesWritten: counts.bytesWritten,
      writeCalls: counts.writeCalls,
      bytesWrittenPerStep: round(counts.bytesWritten / n, 1),
      finalBytes: final.bytes,
      finalFiles: final.files,
      finalBytesPerStep: round(final.bytes / n, 1),
    };
  }
  return { ms, cpuMs: (c.user + c.system) / 1000, io };
}

export async function storesBench(cfg: StoresConfig, log: (line: string) => void): Promise<StoresBenchResult> {
  // Warm-up: JIT the engine and both stores.
  {
    const p = buildPipeline(stepFunctions(100), 'fn');
    for (const kind of STORE_KINDS) for (let i = 0; i < 2; i++) await runOnce(kind, p, 100, cfg.tmpRoot);
  }
  const samples: Record<StoreKind, Map<number, { ms: number[]; cpu: number[]; io: StoreSize['io'] }>> = {
    'chunked-fs': new Map(),
    'file-system': new Map(),
  };
  const pipelines = new Map(cfg.sizes.map((n) => [n, buildPipeline(stepFunctions(n), 'fn')]));
  const acc = new Map(cfg.sizes.map((n) => [n, { 'chunked-fs': { ms: [] as number[], cpu: [] as number[] }, 'file-system': { ms: [] as number[], cpu: [] as number[] } }]));
  // Interleave the sizes (each size's repetitions spread evenly over the rounds) and alternate the stores and their
  // order, so that drift in machine load and disk state hits every size and both stores alike.
  const rounds = Math.max(...cfg.sizes.map((n) => cfg.reps(n)));
  for (let r = 0; r < rounds; r++) {
    for (const n of cfg.sizes) {
      const k = cfg.reps(n);
      if (Math.floor(((r + 1) * k) / rounds) === Math.floor((r * k) / rounds)) continue;
      const order = r % 2 === 0 ? STORE_KINDS : [...STORE_KINDS].reverse();
      for (const kind of order) {
        const s = await runOnce(kind, pipelines.get(n)!, n, cfg.tmpRoot);
        acc.get(n)![kind].ms.push(s.ms);
        acc.get(n)![kind].cpu.push(s.cpuMs);
      }
    }
  }
  for (const n of cfg.sizes) {
    const a = acc.get(n)!;
    for (const kind of STORE_KINDS) {
      const io = (await runOnce(kind, pipelines.get(n)!, n, cfg.tmpRoot, true)).io!;
      samples[kind].set(n, { ...a[kind], io });
    }
    log(`  N=${n}: ${STORE_KINDS.map((k) => `${k} ${median(a[k].ms).toFixed(1)} ms`).join(', ')} (median of ${a['chunked-fs'].ms.length})`);
  }

  const stores: StoreResult[] = STORE_KINDS.map((kind) => {
    const m = samples[kind];
    const meds = cfg.sizes.map((n) => ({ n, y: median(m.get(n)!.ms) }));
    const fit = linearFit(meds);
    const sizes: StoreSize[] = cfg.sizes.map((n) => {
      const s = m.get(n)!;
      const med = median(s.ms);
      return {
        n,
        reps: s.ms.length,
        samplesMs: s.ms.map((x) => round(x, 2)),
        medianMs: round(med, 3),
        cpuMs: round(median(s.cpu), 2),
        msPerStep: round(med / n, 4),
        msPerStepFitted: round((med - fit.fixed) / n, 4),
        io: s.io,
      };
    });
    const marginal: StoreResult['marginal'] = [];
    for (let i = 1; i < sizes.length; i++) {
      const a = sizes[i - 1]!;
      const b = sizes[i]!;
      marginal.push({
        from: a.n,
        to: b.n,
        msPerStep: round((b.medianMs - a.medianMs) / (b.n - a.n), 4),
        bytesWrittenPerStep: round((b.io.bytesWritten - a.io.bytesWritten) / (b.n - a.n), 1),
      });
    }
    const first = sizes[0]!;
    const lastS = sizes.at(-1)!;
    return {
      store: kind,
      sizes,
      fit: { fixedMs: round(fit.fixed, 2), msPerStep: round(fit.slope, 4) },
      marginal,
      marginalRatio: round(marginal.at(-1)!.msPerStep / marginal[0]!.msPerStep, 2),
      fitRatio: round(lastS.msPerStepFitted / first.msPerStepFitted, 2),
      rawRatio: round(lastS.msPerStep / first.msPerStep, 3),
      bytesRatio: round(marginal.at(-1)!.bytesWrittenPerStep / marginal[0]!.bytesWrittenPerStep, 2),
    };
  });
  const repsMap: Record<number, number> = {};
  for (const n of cfg.sizes) repsMap[n] = cfg.reps(n);
  return {
    config: {
      tmpRoot: cfg.tmpRoot,
      sizes: cfg.sizes,
      reps: repsMap,
      target: `marginal ms/step (last interval) / marginal ms/step (first interval) <= ${STORES_FLAT_TARGET}`,
      stepKind: 'task() functions (bench/steps.ts), local executor, file-system catalog, all services given in code',
    },
    stores,
  };
}

export function formatStoresBench(r: StoresBenchResult, label?: string): string {
  const out: string[] = [];
  const sizes = r.config.sizes;
  out.push(`C${label ? `[${label}]` : ''}. Run-log stores: ${r.config.stepKind}; temp dirs in ${r.config.tmpRoot}; median of reps`);
  out.push(
    table(
      ['store', 'N', 'reps', 'median ms', 'cpu ms', 'ms/step raw', 'written', 'written/step', 'write calls', 'on disk', 'files'],
      r.stores.flatMap((s) =>
        s.sizes.map((z) => [
          s.store,
          z.n,
          z.reps,
          z.medianMs.toFixed(1),
          z.cpuMs.toFixed(1),
          z.msPerStep.toFixed(3),
          fmtBytes(z.io.bytesWritten),
          fmtBytes(z.io.bytesWrittenPerStep),
          z.io.writeCalls,
          fmtBytes(z.io.finalBytes),
          z.io.finalFiles,
        ]),
      ),
    ),
  );
  out.push('');
  out.push('   Per-step cost with the fixed cost taken out (headline: marginal ratio; the target is for chunked-fs, file-system is shown for reference):');
  out.push(
    table(
      [
        'store',
        ...r.stores[0]!.marginal.map((m) => `marginal ms/step ${m.from}→${m.to}`),
        'marginal ratio',
        'fit: fixed ms + ms/step',
        'raw ratio',
        ...r.stores[0]!.marginal.map((m) => `written/step ${m.from}→${m.to}`),
        'bytes ratio',
        `target <= ${STORES_FLAT_TARGET}x`,
      ],
      r.stores.map((s) => [
        s.store,
        ...s.marginal.map((m) => m.msPerStep.toFixed(3)),
        `${s.marginalRatio.toFixed(2)}x`,
        `${s.fit.fixedMs.toFixed(1)} + ${s.fit.msPerStep.toFixed(3)}·N`,
        `${s.rawRatio.toFixed(3)}x`,
        ...s.marginal.map((m) => fmtBytes(m.bytesWrittenPerStep)),
        `${s.bytesRatio.toFixed(2)}x`,
        s.store !== 'chunked-fs' ? '(reference)' : s.marginalRatio <= STORES_FLAT_TARGET ? 'met' : 'NOT met',
      ]),
    ),
  );
  out.push(
    `   marginal ms/step a→b = (T(b) - T(a)) / (b - a), T = median run time: no fixed cost in it. marginal ratio = last ÷ first interval` +
      ` (flat = 1x; a per-step cost growing with N would show ~${sizes.length >= 3 ? Math.round(sizes.at(-1)! / sizes.at(-2)!) : '?'}x).` +
      ` fit = least-squares T(N) = F + m·N over the sizes (its fixed cost F is too noisy to subtract from the N=${sizes[0]} run: (T(${sizes[0]})-F)/${sizes[0]} comes out near zero or negative;` +
      ` that ratio is kept in the JSON as fitRatio).` +
      ` raw ratio = ms/step with the fixed cost included (falls with N). bytes ratio = marginal bytes written per step, last ÷ first interval.`,
  );
  return out.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const tmpRoot = args.find((a) => a.startsWith('--tmp='))?.slice('--tmp='.length) ?? os.tmpdir();
  storesBench(
    { tmpRoot: path.resolve(tmpRoot), sizes: quick ? [10, 100, 300] : [10, 100, 1000], reps: (n) => (quick ? 3 : n >= 1000 ? 5 : 21) },
    (l) => process.stdout.write(l + '\n'),
  ).then(
    (r) => {
      process.stdout.write(formatStoresBench(r) + '\n');
      removeDeferred();
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
