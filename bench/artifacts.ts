/**
 * Artifacts (part G of `npm run bench`, `--only=artifacts`): the cost of handing large `pickled` values between
 * steps, against a plain Node floor measured in the same run.
 *
 * Whole processes, round-robin (floor, runnable-ts, floor, ...), so the machine's noise hits both alike; wall time,
 * CPU time (user + system) and peak RSS (the child's own maxRSS) of each process; medians and min–max.
 *
 *   numbers 1e6   4 steps: make 1,000,000 random numbers → ×2 → +1 → sum (a metric); each array a pickled artifact
 *   numbers 1e7   the same with 10,000,000 numbers (linearity: per-number cost against 1e6)
 *   rows 1e6      4 steps over 1,000,000 small objects { id, name, score, at: Date } (superjson metadata needed)
 *
 * The floor does the same steps in one process with `JSON.stringify` + `writeFileSync` and `readFileSync` +
 * `JSON.parse` (for rows, turning the `at` strings back into Dates where a step uses them); runnable-ts is the CLI
 * (`runnable run pipeline.ts --quiet`, default file-system stores) in a fresh temp folder.
 *
 * Also, in this process: encoding/decoding alone (serialize/deserialize of the library vs JSON.stringify/JSON.parse,
 * and superjson's own stringify/parse once, for reference).
 *
 * Targets (issue 16): numbers 1e6 ≤ 1.5x the floor's wall time and ≤ 2x its peak RSS; numbers 1e7 linear from 1e6;
 * rows 1e6 ≤ 3x the floor's wall time.
 *
 *   node --expose-gc bin/run-ts.js bench/artifacts.ts [--quick] [--reps=N]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SuperJSON } from 'superjson';
import { deserialize, serialize } from '../src/serialization';
import { collectGarbage, median, table } from './stats';

const ROOT = path.resolve(__dirname, '..');
export const ARTIFACT_TARGETS = { numbersWall: 1.5, numbersRss: 2, rowsWall: 3 } as const;

const PRELOAD = `'use strict';
process.on('exit', () => {
  const u = process.cpuUsage();
  process.stderr.write('\\n__BENCH_RES__ ' + u.user + ' ' + u.system + ' ' + process.resourceUsage().maxRSS + '\\n');
});
`;

const PIPELINE_NUMBERS = `import 'reflect-metadata';
import { task, pipeline, pickled, metric } from 'runnable-ts';
const N = Number(process.env.ART_N);
const make = task(() => ({ xs: Array.from({ length: N }, () => Math.random()) }), { name: 'make', returns: [pickled('xs')] });
const double = task(({ xs }: { xs: number[] }) => ({ ys: xs.map((x) => x * 2) }), { name: 'double', returns: [pickled('ys')] });
const inc = task(({ ys }: { ys: number[] }) => ({ zs: ys.map((x) => x + 1) }), { name: 'inc', returns: [pickled('zs')] });
const sum = task(({ zs }: { zs: number[] }) => ({ total: zs.reduce((a, b) => a + b, 0) }), { name: 'sum', returns: [metric('total')] });
export default pipeline('artifact-numbers').step(make).step(double).step(inc).step(sum).build();
`;

const FLOOR_NUMBERS = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const N = Number(process.env.ART_N);
const dir = process.argv[2];
const put = (name, v) => fs.writeFileSync(path.join(dir, name), JSON.stringify(v));
const get = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
put('xs.json', Array.from({ length: N }, () => Math.random()));
put('ys.json', get('xs.json').map((x) => x * 2));
put('zs.json', get('ys.json').map((x) => x + 1));
put('total.json', get('zs.json').reduce((a, b) => a + b, 0));
`;

const PIPELINE_ROWS = `import 'reflect-metadata';
import { task, pipeline, pickled, metric } from 'runnable-ts';
const N = Number(process.env.ART_N);
const T0 = Date.UTC(2024, 0, 1);
interface Row { id: number; name: string; score: number; at: Date }
const make = task(() => ({ rows: Array.from({ length: N }, (_, i): Row => ({ id: i, name: 'row-' + i, score: Math.random(), at: new Date(T0 + i * 1000) })) }), { name: 'make', returns: [pickled('rows')] });
const shift = task(({ rows }: { rows: Row[] }) => ({ shifted: rows.map((r) => ({ ...r, at: new Date(r.at.getTime() + 3600e3) })) }), { name: 'shift', returns: [pickled('shifted')] });
const rescore = task(({ shifted }: { shifted: Row[] }) => ({ scored: shifted.map((r) => ({ ...r, score: r.score * 2 })) }), { name: 'rescore', returns: [pickled('scored')] });
const latest = task(({ scored }: { scored: Row[] }) => ({ latest: scored.reduce((a, r) => Math.max(a, r.at.getTime()), 0) }), { name: 'latest', returns: [metric('latest')] });
export default pipeline('artifact-rows').step(make).step(shift).step(rescore).step(latest).build();
`;

const FLOOR_ROWS = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const N = Number(process.env.ART_N);
const T0 = Date.UTC(2024, 0, 1);
const dir = process.argv[2];
const put = (name, v) => fs.writeFileSync(path.join(dir, name), JSON.stringify(v));
const get = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
put('rows.json', Array.from({ length: N }, (_, i) => ({ id: i, name: 'row-' + i, score: Math.random(), at: new Date(T0 + i * 1000) })));
put('shifted.json', get('rows.json').map((r) => ({ ...r, at: new Date(new Date(r.at).getTime() + 3600e3) })));
put('scored.json', get('shifted.json').map((r) => ({ ...r, score: r.score * 2 })));
put('latest.json', get('scored.json').reduce((a, r) => Math.max(a, new Date(r.at).getTime()), 0));
`;

interface Sample {
  wallMs: number;
  cpuMs: number;
  maxRssBytes: number;
}

export interface ArtifactRow {
  name: string;
  samples: Sample[];
  wallMs: number;
  cpuMs: number;
  maxRssBytes: number;
  wallRatio: number;
  cpuRatio: number;
  rssRatio: number;
}

export interface ArtifactCase {
  name: string;
  n: number;
  reps: number;
  floor: ArtifactRow;
  engine: ArtifactRow;
  /** Bytes of one artifact file written by the engine (the first step's). */
  artifactBytes: number;
}

export interface CodecRow {
  name: string;
  n: number;
  jsonStringifyMs: number;
  serializeMs: number;
  superjsonStringifyMs: number;
  jsonParseMs: number;
  deserializeMs: number;
  superjsonParseMs: number;
  bytes: number;
}

export interface ArtifactsResult {
  cases: ArtifactCase[];
  codec: CodecRow[];
  /** (engine wall / n at 1e7) ÷ (engine wall / n at 1e6): 1 = linear. */
  linearity?: { engine: number; floor: number };
  verdict: { numbersWallMet: boolean; numbersRssMet: boolean; rowsWallMet: boolean; linear?: boolean };
}

function runChild(args: string[], cwd: string, env: NodeJS.ProcessEnv, what: string): Sample {
  const t0 = performance.now();
  const res = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  const m = /__BENCH_RES__ (\d+) (\d+) (\d+)/.exec(res.stderr ?? '');
  if (res.status !== 0 || !m) throw new Error(`artifacts bench: ${what} exited ${res.status}${res.signal ? ` (${res.signal})` : ''}:\n${(res.stderr ?? '').slice(-2000)}`);
  return { wallMs, cpuMs: (Number(m[1]) + Number(m[2])) / 1000, maxRssBytes: Number(m[3]) * 1024 };
}

function summarize(name: string, samples: Sample[], floor?: { wallMs: number; cpuMs: number; maxRssBytes: number }): ArtifactRow {
  const wallMs = median(samples.map((s) => s.wallMs));
  const cpuMs = median(samples.map((s) => s.cpuMs));
  const maxRssBytes = median(samples.map((s) => s.maxRssBytes));
  return {
    name,
    samples,
    wallMs,
    cpuMs,
    maxRssBytes,
    wallRatio: floor ? wallMs / floor.wallMs : 1,
    cpuRatio: floor ? cpuMs / floor.cpuMs : 1,
    rssRatio: floor ? maxRssBytes / floor.maxRssBytes : 1,
  };
}

function pipelineCase(dir: string, name: string, kind: 'numbers' | 'rows', n: number, reps: number, log: (l: string) => void): ArtifactCase {
  const pipelineFile = path.join(dir, `${kind}.ts`);
  const floorFile = path.join(dir, `${kind}-floor.js`);
  const preload = path.join(dir, 'preload.js');
  const bin = path.join(ROOT, 'bin', 'runnable.js');
  const env = { ...process.env, ART_N: String(n) };
  const floorSamples: Sample[] = [];
  const engineSamples: Sample[] = [];
  let artifactBytes = 0;
  // r = -1: warm-up (OS file cache, the CLI's compile cache), not counted
  for (let r = -1; r < reps; r++) {
    const cwdF = fs.mkdtempSync(path.join(os.tmpdir(), 'rts-art-floor-'));
    const cwdE = fs.mkdtempSync(path.join(os.tmpdir(), 'rts-art-engine-'));
    try {
      const f = runChild(['-r', preload, floorFile, cwdF], cwdF, env, `${name} floor`);
      fs.rmSync(cwdF, { recursive: true, force: true });
      const e = runChild(['-r', preload, bin, 'run', pipelineFile, '--quiet'], cwdE, env, `${name} runnable-ts`);
      if (r >= 0) {
        floorSamples.push(f);
        engineSamples.push(e);
      }
      if (!artifactBytes) artifactBytes = firstArtifactSize(path.join(cwdE, '.catalog'));
      log(`   ${name} ${r < 0 ? 'warm-up' : `rep ${r + 1}/${reps}`}: floor ${(f.wallMs / 1000).toFixed(2)} s, runnable-ts ${(e.wallMs / 1000).toFixed(2)} s`);
    } finally {
      fs.rmSync(cwdF, { recursive: true, force: true });
      fs.rmSync(cwdE, { recursive: true, force: true });
    }
  }
  const floor = summarize('floor (JSON + fs)', floorSamples);
  const engine = summarize('runnable-ts (CLI, file-system stores)', engineSamples, floor);
  return { name, n, reps, floor, engine, artifactBytes };
}

function firstArtifactSize(catalog: string): number {
  const sizes: number[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.superjson')) sizes.push(fs.statSync(p).size);
    }
  };
  if (fs.existsSync(catalog)) walk(catalog);
  return sizes.length ? Math.max(...sizes) : 0;
}

function timeIt(fn: () => unknown, reps: number): number {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    collectGarbage();
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** Encoding/decoding alone, in this process. superjson's own functions are timed once (they are the slow "before"). */
function codecBench(n: number, reps: number): CodecRow[] {
  const sj = new SuperJSON();
  const T0 = Date.UTC(2024, 0, 1);
  const values: [string, () => unknown][] = [
    ['numbers', () => Array.from({ length: n }, () => Math.random())],
    ['rows with Dates', () => Array.from({ length: n }, (_, i) => ({ id: i, name: 'row-' + i, score: Math.random(), at: new Date(T0 + i * 1000) }))],
    ['Float64Array', () => Float64Array.from({ length: n }, () => Math.random())],
  ];
  const out: CodecRow[] = [];
  for (const [name, make] of values) {
    const v = make();
    // the floor for a typed array: its numbers as a JSON array (JSON.stringify of the typed array itself writes an
    // object with one key per element)
    const plain = ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v;
    const json = JSON.stringify(plain);
    const text = serialize(v);
    const row: CodecRow = {
      name,
      n,
      jsonStringifyMs: timeIt(() => JSON.stringify(plain), reps),
      serializeMs: timeIt(() => serialize(v), reps),
      superjsonStringifyMs: timeIt(() => sj.stringify(v as never), 1),
      jsonParseMs: timeIt(() => JSON.parse(json), reps),
      deserializeMs: timeIt(() => deserialize(text), reps),
      superjsonParseMs: timeIt(() => sj.parse(text), 1),
      bytes: Buffer.byteLength(text),
    };
    out.push(row);
  }
  return out;
}

export function artifactsBench(opts: { quick: boolean; reps?: number }, log: (l: string) => void): ArtifactsResult {
  const reps = opts.reps ?? (opts.quick ? 2 : 5);
  // Inside the package folder, so `runnable-ts` in the pipeline files resolves to this repository (self-reference).
  const dir = fs.mkdtempSync(path.join(ROOT, 'bench', '.artifacts-'));
  const cases: ArtifactCase[] = [];
  let codec: CodecRow[];
  try {
    fs.writeFileSync(path.join(dir, 'preload.js'), PRELOAD);
    fs.writeFileSync(path.join(dir, 'numbers.ts'), PIPELINE_NUMBERS);
    fs.writeFileSync(path.join(dir, 'numbers-floor.js'), FLOOR_NUMBERS);
    fs.writeFileSync(path.join(dir, 'rows.ts'), PIPELINE_ROWS);
    fs.writeFileSync(path.join(dir, 'rows-floor.js'), FLOOR_ROWS);
    log('   encoding/decoding alone, in-process ...');
    codec = codecBench(opts.quick ? 2e5 : 1e6, opts.quick ? 3 : 5);
    cases.push(pipelineCase(dir, 'numbers 1e6', 'numbers', 1e6, reps, log));
    cases.push(pipelineCase(dir, 'rows 1e6', 'rows', 1e6, reps, log));
    cases.push(pipelineCase(dir, 'numbers 1e7', 'numbers', 1e7, opts.quick ? 1 : Math.max(1, Math.min(reps, 3)), log));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const n6 = cases.find((c) => c.name === 'numbers 1e6')!;
  const n7 = cases.find((c) => c.name === 'numbers 1e7');
  const rows = cases.find((c) => c.name === 'rows 1e6')!;
  const linearity = n7
    ? { engine: n7.engine.wallMs / n7.n / (n6.engine.wallMs / n6.n), floor: n7.floor.wallMs / n7.n / (n6.floor.wallMs / n6.n) }
    : undefined;
  return {
    cases,
    codec,
    linearity,
    verdict: {
      numbersWallMet: n6.engine.wallRatio <= ARTIFACT_TARGETS.numbersWall,
      numbersRssMet: n6.engine.rssRatio <= ARTIFACT_TARGETS.numbersRss,
      rowsWallMet: rows.engine.wallRatio <= ARTIFACT_TARGETS.rowsWall,
      // "linear": per-number wall time at 1e7 within 1.25x of that at 1e6, or no worse than the floor's own growth
      linear: linearity ? linearity.engine <= Math.max(1.25, linearity.floor * 1.1) : undefined,
    },
  };
}

export function formatArtifactsBench(r: ArtifactsResult): string {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  const mm = (xs: number[]) => `${s(Math.min(...xs))}–${s(Math.max(...xs))}`;
  const lines = [
    'J. Artifacts: 4 steps handing a large pickled value; whole processes, round-robin, medians (min–max wall)',
    table(
      ['case', 'reps', 'artifact', 'floor wall s', 'engine wall s', 'wall ratio', 'floor cpu s', 'engine cpu s', 'cpu ratio', 'floor peak RSS', 'engine peak RSS', 'RSS ratio'],
      r.cases.map((c) => [
        c.name,
        c.reps,
        mib(c.artifactBytes),
        `${s(c.floor.wallMs)} (${mm(c.floor.samples.map((x) => x.wallMs))})`,
        `${s(c.engine.wallMs)} (${mm(c.engine.samples.map((x) => x.wallMs))})`,
        `${c.engine.wallRatio.toFixed(2)}x`,
        s(c.floor.cpuMs),
        s(c.engine.cpuMs),
        `${c.engine.cpuRatio.toFixed(2)}x`,
        mib(c.floor.maxRssBytes),
        mib(c.engine.maxRssBytes),
        `${c.engine.rssRatio.toFixed(2)}x`,
      ]),
    ),
  ];
  if (r.linearity) {
    lines.push(`   per-number wall time at 1e7 ÷ at 1e6: runnable-ts ${r.linearity.engine.toFixed(2)}x, floor ${r.linearity.floor.toFixed(2)}x (1 = linear)`);
  }
  lines.push('   Encoding/decoding alone (in-process, median ms; superjson = its own stringify/parse, once):');
  lines.push(
    table(
      ['value', 'n', 'bytes', 'JSON.stringify', 'serialize', 'ratio', 'superjson.stringify', 'JSON.parse', 'deserialize', 'ratio', 'superjson.parse'],
      r.codec.map((c) => [
        c.name,
        c.n,
        mib(c.bytes),
        c.jsonStringifyMs.toFixed(0),
        c.serializeMs.toFixed(0),
        `${(c.serializeMs / c.jsonStringifyMs).toFixed(2)}x`,
        c.superjsonStringifyMs.toFixed(0),
        c.jsonParseMs.toFixed(0),
        c.deserializeMs.toFixed(0),
        `${(c.deserializeMs / c.jsonParseMs).toFixed(2)}x`,
        c.superjsonParseMs.toFixed(0),
      ]),
    ),
  );
  lines.push('   (JSON.parse of rows leaves the dates as strings; deserialize turns them back into Dates.)');
  return lines.join('\n');
}

export function artifactsSummary(r: ArtifactsResult): string {
  const n6 = r.cases.find((c) => c.name === 'numbers 1e6')!;
  const rows = r.cases.find((c) => c.name === 'rows 1e6')!;
  const v = r.verdict;
  return (
    `  [artifacts] numbers 1e6: wall ${n6.engine.wallRatio.toFixed(2)}x floor -> target <= ${ARTIFACT_TARGETS.numbersWall}x: ${v.numbersWallMet ? 'MET' : 'NOT MET'}; ` +
    `peak RSS ${n6.engine.rssRatio.toFixed(2)}x -> target <= ${ARTIFACT_TARGETS.numbersRss}x: ${v.numbersRssMet ? 'MET' : 'NOT MET'}; ` +
    `rows 1e6: wall ${rows.engine.wallRatio.toFixed(2)}x -> target <= ${ARTIFACT_TARGETS.rowsWall}x: ${v.rowsWallMet ? 'MET' : 'NOT MET'}` +
    (r.linearity ? `; 1e7 per-number time ${r.linearity.engine.toFixed(2)}x that at 1e6 (floor ${r.linearity.floor.toFixed(2)}x) -> linear: ${v.linear ? 'MET' : 'NOT MET'}` : '')
  );
}

if (path.resolve(process.argv[1] ?? '') === __filename) {
  const quick = process.argv.includes('--quick');
  const repsArg = process.argv.find((a) => a.startsWith('--reps='));
  const result = artifactsBench({ quick, ...(repsArg && { reps: Number(repsArg.slice(7)) }) }, (l) => process.stdout.write(l + '\n'));
  process.stdout.write(formatArtifactsBench(result) + '\n' + artifactsSummary(result) + '\n');
}
