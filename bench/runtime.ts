/**
 * Part A: per-step overhead of the local executor with the file-system stores, against a floor of a plain loop
 * that calls the same step functions and writes one small JSON file per step.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileSystemCatalog, FileSystemRunLogStore, type Pipeline } from '../src/index';
import { gitCodeIdentity } from '../src/engine/code-identity';
import { folderSize, stopWatching, watchWrites, type IoCounts } from './io-meter';
import { buildPipeline, stepFunctions, type StepFn, type StepStyle, type V } from './steps';
import { collectGarbage, linearFit, median, round } from './stats';

export interface RuntimeConfig {
  /** Folder the per-run temp dirs are created in (os.tmpdir() = disk here; /dev/shm = tmpfs). */
  tmpRoot: string;
  sizes: readonly number[];
  /** Repetitions per size (the median is reported). */
  reps: (n: number) => number;
  styles: readonly StepStyle[];
}

export interface EngineFigures {
  samplesMs: number[];
  medianMs: number;
  /** Median CPU time (user + system) of this process during the run; excludes child processes (git). */
  cpuMs: number;
  cpuRatioToFloor: number;
  usPerStep: number;
  ratioToFloor: number;
  /** min(engine) / min(floor): less sensitive to interference from other load on the machine. */
  ratioOfMins: number;
}

export interface SizeResult {
  n: number;
  reps: number;
  buildMs: Record<StepStyle, number>;
  /** The floor of the brief: plain loop + one fs.writeFileSync (a new file) per step. */
  floor: { samplesMs: number[]; medianMs: number; usPerStep: number; cpuMs: number };
  /** A second, tighter floor for a journaled design: plain loop + one line appended (fs.writeSync) per step. */
  appendFloor: { samplesMs: number[]; medianMs: number; usPerStep: number; cpuMs: number };
  engine: Partial<Record<StepStyle, EngineFigures>>;
  runLogIo: IoCounts & { finalBytes: number; finalFiles: number; bytesWrittenPerStep: number; finalBytesPerStep: number; catalogBytes: number };
}

export interface RuntimeResult {
  config: { tmpRoot: string; sizes: readonly number[]; reps: Record<number, number>; styles: readonly StepStyle[]; cwd: string; gcExposed: boolean };
  gitIdentityMs: number;
  sizes: SizeResult[];
  linearity: { engine: Partial<Record<StepStyle, number>>; floor: number } | undefined;
  /** Least-squares fit of median ms = fixedMs + usPerStep * N / 1000 over the sizes: fixed per-run cost and marginal per-step cost. */
  fit: Partial<Record<StepStyle | 'floor' | 'appendFloor', { fixedMs: number; marginalUsPerStep: number }>>;
  /** Marginal µs/step between consecutive sizes: (T(N2) - T(N1)) / (N2 - N1). Flat when per-step cost does not grow with N. */
  marginal: { from: number; to: number; engine: Partial<Record<StepStyle, number>>; floor: number; appendFloor: number }[];
}

let runCounter = 0;
let tmpRoot = os.tmpdir();

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(tmpRoot, prefix));
}

interface Sample {
  ms: number;
  cpuMs: number;
}
const cpuSince = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

async function engineOnce(p: Pipeline<any, any>, n: number, io = false): Promise<Sample & { io?: SizeResult['runLogIo'] }> {
  const dir = tempDir('rts-bench-engine-');
  const logFolder = path.join(dir, 'run-logs');
  const catalogFolder = path.join(dir, 'catalog');
  const runLogStore = new FileSystemRunLogStore({ log_folder: logFolder });
  const catalog = new FileSystemCatalog({ catalog_location: catalogFolder });
  const runId = `bench-${process.pid}-${++runCounter}`;
  collectGarbage();
  if (io) watchWrites(logFolder);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await p.execute({ runLogStore, catalog, quiet: true, runId });
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  const counts = io ? stopWatching() : undefined;
  // Sanity: the run succeeded and the last value is the last step's.
  const last = result.runLog.parameters['v']?.value as V | undefined;
  if (result.status !== 'SUCCESS' || last?.i !== n - 1 || Object.keys(result.runLog.steps).length !== n + 1) {
    throw new Error(`bench: unexpected run result for N=${n}: status ${result.status}, last v ${JSON.stringify(last)}`);
  }
  let ioFigures: SizeResult['runLogIo'] | undefined;
  if (counts) {
    const final = folderSize(logFolder);
    ioFigures = {
      ...counts,
      finalBytes: final.bytes,
      finalFiles: final.files,
      bytesWrittenPerStep: round(counts.bytesWritten / n, 1),
      finalBytesPerStep: round(final.bytes / n, 1),
      catalogBytes: folderSize(catalogFolder).bytes,
    };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms, cpuMs, io: ioFigures };
}

function floorOnce(fns: readonly StepFn[]): Sample {
  const dir = tempDir('rts-bench-floor-');
  collectGarbage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let v: V | undefined;
  for (let i = 0; i < fns.length; i++) {
    const out = fns[i]!({ v });
    v = out.v;
    fs.writeFileSync(path.join(dir, `s${i}.json`), JSON.stringify(out));
  }
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  if (v?.i !== fns.length - 1) throw new Error('bench: floor loop did not run every step');
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms, cpuMs };
}

function appendFloorOnce(fns: readonly StepFn[]): Sample {
  const dir = tempDir('rts-bench-append-');
  collectGarbage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const fd = fs.openSync(path.join(dir, 'journal.jsonl'), 'a');
  let v: V | undefined;
  for (let i = 0; i < fns.length; i++) {
    const out = fns[i]!({ v });
    v = out.v;
    fs.writeSync(fd, JSON.stringify(out) + '\n');
  }
  fs.closeSync(fd);
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  if (v?.i !== fns.length - 1) throw new Error('bench: append floor loop did not run every step');
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms, cpuMs };
}

function fitMs(points: readonly { n: number; ms: number }[]): { fixedMs: number; marginalUsPerStep: number } {
  const { fixed, slope } = linearFit(points.map((p) => ({ n: p.n, y: p.ms })));
  return { fixedMs: round(fixed, 2), marginalUsPerStep: round(slope * 1000, 1) };
}

export async function runtimeBench(cfg: RuntimeConfig, log: (line: string) => void): Promise<RuntimeResult> {
  tmpRoot = cfg.tmpRoot;
  // The engine computes the git identity of the code once per run (it spawns git); time it on its own.
  const gitSamples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    gitCodeIdentity();
    gitSamples.push(performance.now() - t0);
  }

  // Warm-up: JIT the engine, the stores and the floor loop.
  {
    const fns = stepFunctions(100);
    for (const style of cfg.styles) await engineOnce(buildPipeline(fns, style), 100);
    floorOnce(fns);
    appendFloorOnce(fns);
  }

  const sizes: SizeResult[] = [];
  for (const n of cfg.sizes) {
    const fns = stepFunctions(n);
    const buildMs = {} as Record<StepStyle, number>;
    const pipelines = {} as Record<StepStyle, Pipeline<any, any>>;
    for (const style of cfg.styles) {
      const t0 = performance.now();
      pipelines[style] = buildPipeline(fns, style);
      buildMs[style] = round(performance.now() - t0, 3);
    }
    const reps = cfg.reps(n);
    const floorS: Sample[] = [];
    const appendS: Sample[] = [];
    const engineS: Record<string, Sample[]> = {};
    for (const style of cfg.styles) engineS[style] = [];
    // Alternate engine and floor runs so that drift (thermal, page cache, other load) hits both.
    for (let r = 0; r < reps; r++) {
      const order = r % 2 === 0 ? [...cfg.styles] : [...cfg.styles].reverse();
      engineS[order[0]!]!.push(await engineOnce(pipelines[order[0]!], n));
      floorS.push(floorOnce(fns));
      appendS.push(appendFloorOnce(fns));
      for (const style of order.slice(1)) engineS[style]!.push(await engineOnce(pipelines[style], n));
    }
    // One more, untimed run to count the bytes written to the run-log folder.
    const io = (await engineOnce(pipelines[cfg.styles[0]!], n, true)).io!;
    const wall = (xs: Sample[]) => xs.map((x) => x.ms);
    const cpu = (xs: Sample[]) => xs.map((x) => x.cpuMs);
    const floorMs = wall(floorS);
    const appendMs = wall(appendS);
    const engineMs: Record<string, number[]> = {};
    for (const style of cfg.styles) engineMs[style] = wall(engineS[style]!);
    const floorMed = median(floorMs);
    const floorCpu = median(cpu(floorS));
    const engine: SizeResult['engine'] = {};
    for (const style of cfg.styles) {
      const med = median(engineMs[style]!);
      engine[style] = {
        samplesMs: engineMs[style]!.map((x) => round(x, 3)),
        medianMs: round(med, 3),
        usPerStep: round((med * 1000) / n, 1),
        ratioToFloor: round(med / floorMed, 2),
        ratioOfMins: round(Math.min(...engineMs[style]!) / Math.min(...floorMs), 2),
        cpuMs: round(median(cpu(engineS[style]!)), 3),
        cpuRatioToFloor: round(median(cpu(engineS[style]!)) / floorCpu, 2),
      };
    }
    sizes.push({
      n,
      reps,
      buildMs,
      floor: { samplesMs: floorMs.map((x) => round(x, 3)), medianMs: round(floorMed, 3), usPerStep: round((floorMed * 1000) / n, 1), cpuMs: round(floorCpu, 3) },
      appendFloor: {
        samplesMs: appendMs.map((x) => round(x, 3)),
        medianMs: round(median(appendMs), 3),
        usPerStep: round((median(appendMs) * 1000) / n, 1),
        cpuMs: round(median(cpu(appendS)), 3),
      },
      engine,
      runLogIo: io,
    });
    log(
      `  N=${n}: ` +
        cfg.styles.map((s) => `engine(${s}) ${engine[s]!.medianMs.toFixed(1)} ms`).join(', ') +
        `, floor ${floorMed.toFixed(1)} ms, append floor ${median(appendMs).toFixed(1)} ms (${reps} reps)`,
    );
  }

  const at = (n: number) => sizes.find((s) => s.n === n);
  const s100 = at(100);
  const s1000 = at(1000);
  let linearity: RuntimeResult['linearity'];
  if (s100 && s1000) {
    const engine: Partial<Record<StepStyle, number>> = {};
    for (const style of cfg.styles) engine[style] = round(s1000.engine[style]!.usPerStep / s100.engine[style]!.usPerStep, 2);
    linearity = { engine, floor: round(s1000.floor.usPerStep / s100.floor.usPerStep, 2) };
  }

  const fit: RuntimeResult['fit'] = {};
  const marginal: RuntimeResult['marginal'] = [];
  if (sizes.length >= 2) {
    for (const style of cfg.styles) fit[style] = fitMs(sizes.map((s) => ({ n: s.n, ms: s.engine[style]!.medianMs })));
    fit.floor = fitMs(sizes.map((s) => ({ n: s.n, ms: s.floor.medianMs })));
    fit.appendFloor = fitMs(sizes.map((s) => ({ n: s.n, ms: s.appendFloor.medianMs })));
    for (let i = 1; i < sizes.length; i++) {
      const a = sizes[i - 1]!;
      const b = sizes[i]!;
      const per = (x: number, y: number) => round(((y - x) * 1000) / (b.n - a.n), 1);
      const engine: Partial<Record<StepStyle, number>> = {};
      for (const style of cfg.styles) engine[style] = per(a.engine[style]!.medianMs, b.engine[style]!.medianMs);
      marginal.push({ from: a.n, to: b.n, engine, floor: per(a.floor.medianMs, b.floor.medianMs), appendFloor: per(a.appendFloor.medianMs, b.appendFloor.medianMs) });
    }
  }

  const repsMap: Record<number, number> = {};
  for (const n of cfg.sizes) repsMap[n] = cfg.reps(n);
  return {
    config: { tmpRoot: cfg.tmpRoot, sizes: cfg.sizes, reps: repsMap, styles: cfg.styles, cwd: process.cwd(), gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function' },
    gitIdentityMs: round(median(gitSamples), 2),
    sizes,
    linearity,
    fit,
    marginal,
  };
}
