/**
 * Part E (`--only=map`): large maps and map concurrency.
 *
 * (a) Scale: `.map('m', { over: 'items', as: 'item', branch, concurrency: 8 })` over 1,000, 3,000 and 10,000 numbers,
 *     the branch one `task()` returning a small number, with the chunked-fs run-log store and the file-system catalog
 *     in a temp dir. Each size runs in a FRESH child process (node --expose-gc bin/run-ts.js bench/map.ts --child ...),
 *     so that process.resourceUsage().maxRSS is that run's own peak (start-up and a 100-item warm-up map included)
 *     and no garbage of one size is collected during another. The child reports: wall time of execute() and its
 *     phases (run-log creation, the map step, the final read of the run log), time per item, the per-item rate in
 *     the first and the last 10% of the iterations (a rate that degrades within one run points at superlinear
 *     work), peak RSS sampled every 50 ms FROM A WORKER THREAD (the engine does not yield to the event loop while a
 *     map over a synchronous store runs, so a main-thread timer would not fire: the child also reports how many
 *     main-thread 50 ms ticks it got and the longest event-loop stall), maxRSS, the heap retained after the run,
 *     and the bytes written under the run-log folder (write calls, counted by bench/io-meter.ts) and left on disk.
 *     Targets: completes; peak memory < 500 MB; bytes per item about constant (linear growth). The run folders are
 *     removed at the end of the bench (bench/cleanup.ts), not between sizes.
 *
 * (b) Concurrency: a map over 48 items whose branch is one step awaiting a 50 ms timer (I/O-bound), at
 *     concurrency 1 and 8; speed-up = time(concurrency 1) / time(concurrency 8) (ideal 8x). Headline with the
 *     in-memory run-log store and catalog (the engine's scheduling alone); the chunked-fs store in a temp dir for
 *     reference. Target: speed-up >= 6x.
 *
 *   node --expose-gc bin/run-ts.js bench/map.ts [--quick] [--tmp=DIR] [--sizes=1000,3000] [--profile]
 *   (--profile: the children run with --cpu-prof; the top functions of each profile are printed.)
 */
import './io-meter'; // must come first: it wraps node:fs before the library copies it
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import {
  ChunkedFsRunLogStore,
  EnvSecretsManager,
  FileSystemCatalog,
  MemoryCatalog,
  MemoryRunLogStore,
  pipeline,
  task,
  type Catalog,
  type Reporter,
  type RunLogStore,
  type StepEvent,
} from '../src/index';
import { LocalExecutor } from '../src/executors/local';
import { deferRemoval, removeDeferred } from './cleanup';
import { folderSize, stopWatching, watchWrites } from './io-meter';
import { summarizeProfile } from './profile';
import { collectGarbage, fmtBytes, median, round, table } from './stats';

const MB = 1e6;
const MiB = 1024 * 1024;
export const MAP_PEAK_TARGET_BYTES = 500 * MB;
export const MAP_SPEEDUP_TARGET = 6;
const SAMPLE_MS = 50;
const RESULT_TAG = '__BENCH_MAP_RESULT__ ';

// ---------------------------------------------------------------------------------------------------------------
// Pipelines

/** The scale pipeline: map over `items`, the branch one trivial task. */
function scalePipeline(concurrency: number) {
  const double = task(({ item }: { item: number }) => ({ y: item * 2 }), { name: 'double', returns: ['y'] });
  const branch = pipeline('bench_map_item').params<{ item: number }>().step(double).build();
  return pipeline('bench_map').params<{ items: number[] }>().map('m', { over: 'items', as: 'item', branch, concurrency }).build();
}

/** The I/O-bound pipeline: each iteration awaits a `delayMs` timer. */
function ioPipeline(concurrency: number, delayMs: number) {
  const wait = task(
    async ({ item }: { item: number }) => {
      await sleep(delayMs);
      return { y: item };
    },
    { name: 'wait', returns: ['y'] },
  );
  const branch = pipeline('bench_io_item').params<{ item: number }>().step(wait).build();
  return pipeline('bench_io').params<{ items: number[] }>().map('m', { over: 'items', as: 'item', branch, concurrency }).build();
}

const services = (runLogStore: RunLogStore, catalog: Catalog) => ({
  runLogStore,
  catalog,
  // all four services given: no configuration file is looked for
  secrets: new EnvSecretsManager({}),
  executor: new LocalExecutor(),
  env: {},
});

// ---------------------------------------------------------------------------------------------------------------
// Peak RSS sampling from a worker thread (RSS is per process, so the worker sees the main thread's memory)

interface Sampler {
  stop(): Promise<{ peakBytes: number; samples: number }>;
}

async function startRssSampler(intervalMs: number): Promise<Sampler> {
  const shared = new Float64Array(new SharedArrayBuffer(3 * 8)); // [peak, samples, stop]
  const code = `
    const { workerData } = require('node:worker_threads');
    const a = new Float64Array(workerData.buffer);
    const tick = () => { const r = process.memoryUsage.rss(); if (r > a[0]) a[0] = r; a[1]++; };
    tick();
    const iv = setInterval(() => { if (a[2]) clearInterval(iv); else tick(); }, workerData.intervalMs);
  `;
  const worker = new Worker(code, { eval: true, workerData: { buffer: shared.buffer, intervalMs } });
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      shared[2] = 1;
      const rss = process.memoryUsage.rss();
      await worker.terminate();
      return { peakBytes: Math.max(shared[0]!, rss), samples: shared[1]! };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// (a) one size, in a child process

export interface MapScaleResult {
  items: number;
  concurrency: number;
  totalMs: number;
  msPerItem: number;
  cpuMs: number;
  /** execute() start → runStarted (run-log creation, git identity); → map step finished; → execute() returned (final read of the run log, close). */
  phases: { setupMs: number; mapMs: number; finishMs: number };
  /**
   * ms per completed iteration in the first and last 10% of the iterations, and last / first; per decile (10% of the
   * iterations each, in completion order), and the slowest of them (a slow decile in the middle, with fast first and
   * last ones, is interference from outside, e.g. other disk activity, rather than growth).
   */
  rate: { firstDecileMsPerItem: number; lastDecileMsPerItem: number; ratio: number; decilesMsPerItem: number[]; slowestDecileMsPerItem: number };
  rssBeforeBytes: number;
  peakRssSampledBytes: number;
  rssSamples: number;
  /** process.resourceUsage().maxRSS of the child (whole process life: start-up, warm-up, the run), in bytes. */
  maxRssBytes: number;
  /** Heap used after the run and a full GC, minus the same before the run: memory the run retains. */
  heapRetainedBytes: number;
  /** Main-thread 50 ms timer ticks during the run (vs. the number expected from its duration), and the longest event-loop stall. */
  eventLoop: { ticks: number; expectedTicks: number; maxStallMs: number };
  io: { bytesWritten: number; writeCalls: number; bytesWrittenPerItem: number; finalBytes: number; finalFiles: number; finalBytesPerItem: number };
  cpuProfile?: string;
}

/** `base`: an empty dir made (and removed, at the end of the bench) by the parent. */
async function childMain(items: number, concurrency: number, base: string): Promise<void> {
  const p = scalePipeline(concurrency);
  // warm-up: JIT the engine and the store on a small map
  {
    const dir = path.join(base, 'warmup');
    await p.execute({
      ...services(new ChunkedFsRunLogStore({ log_folder: path.join(dir, 'run-logs') }), new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog') })),
      quiet: true,
      params: { items: Array.from({ length: 100 }, (_, i) => i) },
    });
    // (not removed here: see bench/cleanup.ts)
  }
  const list = Array.from({ length: items }, (_, i) => i);
  const dir = path.join(base, 'run');
  const logFolder = path.join(dir, 'run-logs');
  const marks: { runStarted?: number; mapFinished?: number } = {};
  const done: number[] = [];
  const reporter: Reporter = {
    runStarted: () => void (marks.runStarted = performance.now()),
    stepStarted: () => undefined,
    stepSkipped: () => undefined,
    attemptFailed: () => undefined,
    stepFinished: (e: StepEvent) => {
      if (e.internalName === 'm') marks.mapFinished = performance.now();
      else done.push(performance.now());
    },
    runFinished: () => undefined,
    warn: (m: string) => void process.stderr.write(`bench map: warning from the engine: ${m}\n`),
  };
  const store = new ChunkedFsRunLogStore({ log_folder: logFolder });
  const catalog = new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog') });

  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const sampler = await startRssSampler(SAMPLE_MS);
  const rssBefore = process.memoryUsage.rss();
  let ticks = 0;
  const ticker = setInterval(() => ticks++, SAMPLE_MS);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  watchWrites(logFolder);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await p.execute({ ...services(store, catalog), reporter, params: { items: list } });
  const t1 = performance.now();
  const cpu = process.cpuUsage(c0);
  const counts = stopWatching();
  const ticksDuring = ticks;
  // let the event loop turn once, so that the delay monitor records the stall the run caused
  await sleep(20);
  loop.disable();
  clearInterval(ticker);
  const rss = await sampler.stop();
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;

  const y = result.runLog.parameters['y']?.value as number[] | undefined;
  if (result.status !== 'SUCCESS' || !Array.isArray(y) || y.length !== items || y.some((v, i) => v !== i * 2)) {
    throw new Error(`bench map: unexpected result for ${items} items: status ${result.status}, y ${JSON.stringify(y)?.slice(0, 200)}`);
  }
  if (done.length !== items) throw new Error(`bench map: ${done.length} iterations reported finished, expected ${items}`);
  const k = Math.max(2, Math.floor(items / 10));
  const first = (done[k - 1]! - done[0]!) / (k - 1);
  const last = (done[items - 1]! - done[items - k]!) / (k - 1);
  const deciles: number[] = [];
  for (let d = 0; d < 10; d++) {
    const from = Math.floor((d * items) / 10);
    const to = Math.floor(((d + 1) * items) / 10) - 1;
    // the first decile is timed from the first completion, the others from the previous decile's last completion
    deciles.push(round(d === 0 ? (done[to]! - done[0]!) / (to - from) : (done[to]! - done[from - 1]!) / (to - from + 1), 4));
  }
  const final = folderSize(logFolder);
  // drop the result before measuring what the run retains
  (result as { runLog?: unknown }).runLog = undefined;
  collectGarbage();
  const heapAfter = process.memoryUsage().heapUsed;
  const totalMs = t1 - t0;
  const out: MapScaleResult = {
    items,
    concurrency,
    totalMs: round(totalMs, 1),
    msPerItem: round(totalMs / items, 4),
    cpuMs: round((cpu.user + cpu.system) / 1000, 1),
    phases: {
      setupMs: round((marks.runStarted ?? NaN) - t0, 1),
      mapMs: round((marks.mapFinished ?? NaN) - (marks.runStarted ?? NaN), 1),
      finishMs: round(t1 - (marks.mapFinished ?? NaN), 1),
    },
    rate: {
      firstDecileMsPerItem: round(first, 4),
      lastDecileMsPerItem: round(last, 4),
      ratio: round(last / first, 2),
      decilesMsPerItem: deciles,
      slowestDecileMsPerItem: Math.max(...deciles),
    },
    rssBeforeBytes: rssBefore,
    peakRssSampledBytes: rss.peakBytes,
    rssSamples: rss.samples,
    maxRssBytes,
    heapRetainedBytes: heapAfter - heapBefore,
    eventLoop: { ticks: ticksDuring, expectedTicks: Math.floor(totalMs / SAMPLE_MS), maxStallMs: round(loop.max / 1e6, 1) },
    io: {
      bytesWritten: counts.bytesWritten,
      writeCalls: counts.writeCalls,
      bytesWrittenPerItem: round(counts.bytesWritten / items, 1),
      finalBytes: final.bytes,
      finalFiles: final.files,
      finalBytesPerItem: round(final.bytes / items, 1),
    },
  };
  process.stdout.write(RESULT_TAG + JSON.stringify(out) + '\n');
}

/** Runs one size in a fresh child process; resolves with its figures. */
function runChild(items: number, concurrency: number, tmpRoot: string, profileDir?: string): Promise<MapScaleResult> {
  const runTs = path.join(__dirname, '..', 'bin', 'run-ts.js');
  const nodeArgs = ['--expose-gc', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=map-${items}.cpuprofile`] : [])];
  const base = fs.mkdtempSync(path.join(tmpRoot, 'rts-bench-map-'));
  deferRemoval(base);
  const args = [...nodeArgs, runTs, __filename, '--child', `--items=${items}`, `--concurrency=${concurrency}`, `--dir=${base}`];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_TAG));
      if (code !== 0 || !line) {
        reject(new Error(`bench map child (${items} items) exited with ${code ?? signal}; output:\n${stdout.slice(-2000)}`));
        return;
      }
      const r = JSON.parse(line.slice(RESULT_TAG.length)) as MapScaleResult;
      if (profileDir) r.cpuProfile = path.join(profileDir, `map-${items}.cpuprofile`);
      resolve(r);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// (b) concurrency speed-up, in this process

export interface ConcurrencyStoreResult {
  store: 'memory' | 'chunked-fs';
  byConcurrency: { concurrency: number; samplesMs: number[]; medianMs: number; idealMs: number }[];
  speedup: number;
}

export interface ConcurrencyResult {
  items: number;
  delayMs: number;
  concurrencies: [number, number];
  reps: number;
  stores: ConcurrencyStoreResult[];
}

async function concurrencyBench(items: number, delayMs: number, concurrencies: [number, number], reps: number, tmpRoot: string): Promise<ConcurrencyResult> {
  const list = Array.from({ length: items }, (_, i) => i);
  const pipelines = new Map(concurrencies.map((c) => [c, ioPipeline(c, delayMs)]));
  const once = async (store: 'memory' | 'chunked-fs', c: number): Promise<number> => {
    let svc;
    if (store === 'memory') svc = services(new MemoryRunLogStore(), new MemoryCatalog());
    else {
      const dir = fs.mkdtempSync(path.join(tmpRoot, 'rts-bench-mapconc-'));
      deferRemoval(dir);
      svc = services(new ChunkedFsRunLogStore({ log_folder: path.join(dir, 'run-logs') }), new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog') }));
    }
    collectGarbage();
    const t0 = performance.now();
    const r = await pipelines.get(c)!.execute({ ...svc, quiet: true, params: { items: list } });
    const ms = performance.now() - t0;
    const y = r.runLog.parameters['y']?.value as number[] | undefined;
    if (r.status !== 'SUCCESS' || y?.length !== items) throw new Error(`bench map concurrency: unexpected result (${store}, concurrency ${c})`);
    return ms;
  };
  const stores: ConcurrencyStoreResult[] = [];
  for (const store of ['memory', 'chunked-fs'] as const) {
    await once(store, concurrencies[1]); // warm-up
    const samples = new Map<number, number[]>(concurrencies.map((c) => [c, []]));
    for (let r = 0; r < reps; r++) {
      const order = r % 2 === 0 ? concurrencies : [...concurrencies].reverse();
      for (const c of order) samples.get(c)!.push(await once(store, c));
    }
    const byConcurrency = concurrencies.map((c) => ({
      concurrency: c,
      samplesMs: samples.get(c)!.map((x) => round(x, 1)),
      medianMs: round(median(samples.get(c)!), 1),
      idealMs: Math.ceil(items / c) * delayMs,
    }));
    stores.push({ store, byConcurrency, speedup: round(byConcurrency[0]!.medianMs / byConcurrency[1]!.medianMs, 2) });
  }
  return { items, delayMs, concurrencies, reps, stores };
}

// ---------------------------------------------------------------------------------------------------------------
// Entry

export interface MapBenchOptions {
  tmpRoot: string;
  sizes: readonly number[];
  concurrency?: number;
  /** (b): items, reps. */
  ioItems?: number;
  ioReps?: number;
  /** Folder for --cpu-prof profiles of the children (none when undefined). */
  profileDir?: string;
}

export interface MapBenchResult {
  config: { tmpRoot: string; sizes: readonly number[]; concurrency: number; sampleMs: number; peakTargetBytes: number; speedupTarget: number; store: string };
  scale: MapScaleResult[];
  /** Growth between the smallest and the largest size. */
  linearity: { msPerItemRatio: number; marginalMsPerItem: { from: number; to: number; msPerItem: number }[]; bytesPerItemRatio: number };
  concurrency: ConcurrencyResult;
  verdict: { completed: boolean; peakBytes: number; peakTargetMet: boolean; bytesLinear: boolean; speedup: number; speedupTargetMet: boolean };
}

export async function mapBench(o: MapBenchOptions, log: (line: string) => void): Promise<MapBenchResult> {
  const concurrency = o.concurrency ?? 8;
  const scale: MapScaleResult[] = [];
  for (const items of o.sizes) {
    const r = await runChild(items, concurrency, o.tmpRoot, o.profileDir);
    log(`  map over ${items} items: ${(r.totalMs / 1000).toFixed(2)} s (${r.msPerItem.toFixed(3)} ms/item), peak RSS ${(Math.max(r.peakRssSampledBytes, r.maxRssBytes) / MB).toFixed(0)} MB, ${fmtBytes(r.io.bytesWrittenPerItem)} written per item`);
    scale.push(r);
  }
  const ioItems = o.ioItems ?? 48;
  log(`  concurrency: ${ioItems} items x 50 ms, concurrency 1 vs ${concurrency} ...`);
  const conc = await concurrencyBench(ioItems, 50, [1, concurrency], o.ioReps ?? 3, o.tmpRoot);

  const a = scale[0]!;
  const b = scale.at(-1)!;
  const marginal: MapBenchResult['linearity']['marginalMsPerItem'] = [];
  for (let i = 1; i < scale.length; i++) {
    const x = scale[i - 1]!;
    const y = scale[i]!;
    marginal.push({ from: x.items, to: y.items, msPerItem: round((y.totalMs - x.totalMs) / (y.items - x.items), 4) });
  }
  const bytesPerItemRatio = round(b.io.bytesWrittenPerItem / a.io.bytesWrittenPerItem, 3);
  const peakBytes = Math.max(...scale.map((s) => Math.max(s.peakRssSampledBytes, s.maxRssBytes)));
  const speedup = conc.stores.find((s) => s.store === 'memory')!.speedup;
  return {
    config: {
      tmpRoot: o.tmpRoot,
      sizes: o.sizes,
      concurrency,
      sampleMs: SAMPLE_MS,
      peakTargetBytes: MAP_PEAK_TARGET_BYTES,
      speedupTarget: MAP_SPEEDUP_TARGET,
      store: 'chunked-fs run-log store + file-system catalog (scale); memory stores (concurrency headline), chunked-fs (reference)',
    },
    scale,
    linearity: { msPerItemRatio: round(b.msPerItem / a.msPerItem, 2), marginalMsPerItem: marginal, bytesPerItemRatio },
    concurrency: conc,
    verdict: {
      completed: true,
      peakBytes,
      peakTargetMet: peakBytes < MAP_PEAK_TARGET_BYTES,
      bytesLinear: Math.abs(bytesPerItemRatio - 1) <= 0.1,
      speedup,
      speedupTargetMet: speedup >= MAP_SPEEDUP_TARGET,
    },
  };
}

export function formatMapBench(r: MapBenchResult): string {
  const mb = (b: number) => (b / MB).toFixed(0);
  const out: string[] = [];
  out.push(`E(a). Map scale: ${r.config.store.split(';')[0]}; branch = one task() returning a number; concurrency ${r.config.concurrency}; each size in a fresh child process; temp dir in ${r.config.tmpRoot}`);
  out.push(
    table(
      ['items', 'total s', 'ms/item', 'cpu s', 'setup ms', 'map s', 'final read ms', 'ms/item first 10%', 'last 10%', 'last/first', 'slowest 10%', 'RSS before MB', 'peak RSS MB (sampled)', 'maxRSS MB', 'heap retained MiB', 'loop ticks', 'max stall s'],
      r.scale.map((s) => [
        s.items,
        (s.totalMs / 1000).toFixed(2),
        s.msPerItem.toFixed(3),
        (s.cpuMs / 1000).toFixed(2),
        s.phases.setupMs.toFixed(0),
        (s.phases.mapMs / 1000).toFixed(2),
        s.phases.finishMs.toFixed(0),
        s.rate.firstDecileMsPerItem.toFixed(3),
        s.rate.lastDecileMsPerItem.toFixed(3),
        `${s.rate.ratio.toFixed(2)}x`,
        s.rate.slowestDecileMsPerItem.toFixed(3),
        mb(s.rssBeforeBytes),
        `${mb(s.peakRssSampledBytes)} (${s.rssSamples})`,
        mb(s.maxRssBytes),
        (s.heapRetainedBytes / MiB).toFixed(1),
        `${s.eventLoop.ticks}/${s.eventLoop.expectedTicks}`,
        (s.eventLoop.maxStallMs / 1000).toFixed(2),
      ]),
    ),
  );
  out.push(
    table(
      ['items', 'bytes written', 'per item', 'write calls', 'per item', 'on disk', 'per item', 'files'],
      r.scale.map((s) => [
        s.items,
        fmtBytes(s.io.bytesWritten),
        fmtBytes(s.io.bytesWrittenPerItem),
        s.io.writeCalls,
        (s.io.writeCalls / s.items).toFixed(2),
        fmtBytes(s.io.finalBytes),
        fmtBytes(s.io.finalBytesPerItem),
        s.io.finalFiles,
      ]),
    ),
  );
  const l = r.linearity;
  out.push(
    `   Growth ${r.scale[0]!.items}→${r.scale.at(-1)!.items} items: ms/item ×${l.msPerItemRatio}; marginal ms/item ${l.marginalMsPerItem.map((m) => `${m.from}→${m.to}: ${m.msPerItem.toFixed(3)}`).join(', ')}; bytes written/item ×${l.bytesPerItemRatio}`,
  );
  out.push(
    `   peak RSS sampled every ${r.config.sampleMs} ms from a worker thread (count of samples in brackets); maxRSS = the child's lifetime peak (start-up and a 100-item warm-up included).` +
      ` heap retained = heap used after the run and a full GC minus before. loop ticks = main-thread ${r.config.sampleMs} ms timer ticks during the run / expected; max stall = longest event-loop delay.` +
      ` last/first = ms per finished iteration in the last 10% of the iterations ÷ in the first 10%; slowest 10% = the slowest tenth of the iterations` +
      ` (all deciles in the JSON: a slow middle decile with fast first and last ones is outside interference, not growth).`,
  );
  const c = r.concurrency;
  out.push('');
  out.push(`E(b). Map concurrency: ${c.items} items, branch = one step awaiting a ${c.delayMs} ms timer; median of ${c.reps}`);
  out.push(
    table(
      ['store', ...c.concurrencies.flatMap((k) => [`conc ${k} ms`, `ideal ms`]), 'speed-up', `target >= ${MAP_SPEEDUP_TARGET}x`, 'samples ms'],
      c.stores.map((s) => [
        s.store,
        ...s.byConcurrency.flatMap((b) => [b.medianMs.toFixed(0), b.idealMs]),
        `${s.speedup.toFixed(2)}x`,
        s.store === 'memory' ? (s.speedup >= MAP_SPEEDUP_TARGET ? 'met' : 'NOT met') : '(reference)',
        s.byConcurrency.map((b) => b.samplesMs.map((x) => x.toFixed(0)).join('/')).join(' vs '),
      ]),
    ),
  );
  return out.join('\n');
}

function argValue(args: readonly string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  const args = process.argv.slice(2);
  const tmpRoot = path.resolve(argValue(args, 'tmp') ?? os.tmpdir());
  if (args.includes('--child')) {
    childMain(Number(argValue(args, 'items')), Number(argValue(args, 'concurrency') ?? 8), path.resolve(argValue(args, 'dir')!)).catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
  } else {
    const quick = args.includes('--quick');
    const sizes = argValue(args, 'sizes')?.split(',').map(Number) ?? (quick ? [300, 1000] : [1000, 3000, 10000]);
    const profileDir = args.includes('--profile') ? fs.mkdtempSync(path.join(os.tmpdir(), 'rts-bench-map-prof-')) : undefined;
    mapBench({ tmpRoot, sizes, ioReps: quick ? 1 : 3, ...(profileDir && { profileDir }) }, (l) => process.stdout.write(l + '\n')).then(
      (r) => {
        removeDeferred();
        process.stdout.write(formatMapBench(r) + '\n');
        if (profileDir) {
          for (const s of r.scale) {
            process.stdout.write(`\nCPU profile of the ${s.items}-item child (whole process: start-up, warm-up, run, cleanup): ${s.cpuProfile}\n`);
            process.stdout.write(summarizeProfile(JSON.parse(fs.readFileSync(s.cpuProfile!, 'utf8')), 20) + '\n');
          }
        }
      },
      (err) => {
        console.error(err);
        process.exitCode = 1;
      },
    );
  }
}
