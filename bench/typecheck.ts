/**
 * Part B: type-check time of large generated pipelines.
 *
 * For K steps, generates `@Task` classes S0..S{K-1}: step i reads v{i-1} and v{floor(i/2)} and returns v{i};
 * v{i} is a number for even i and a string for odd i; every 4th run() is async. The pipeline file chains
 * `.step(Si)` for all of them; the baseline file has the same classes and no pipeline (so the difference is the
 * cost of the pipeline's data-flow types). Each file gets a tsconfig with the project's compilerOptions and is
 * checked by `tsc --noEmit --extendedDiagnostics`, with TypeScript 5.9 (the `typescript` dev dependency) and with
 * TypeScript 7's native compiler (`typescript-7`), runs alternated. Editor latency: through TypeScript 5.9's language
 * service (editor-latency.js) and through TypeScript 7's language server, `tsc --lsp --stdio`
 * (editor-latency-lsp.js).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { median, round } from './stats';

const ROOT = path.resolve(__dirname, '..');
// RUNNABLE_BENCH_LIBRARY: another copy of src/index.ts (e.g. an older commit's, extracted with git archive) to
// compare before/after figures in the same conditions.
const LIBRARY = process.env.RUNNABLE_BENCH_LIBRARY ? path.resolve(process.env.RUNNABLE_BENCH_LIBRARY) : path.join(ROOT, 'src', 'index.ts');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const CPU_PRELOAD = path.join(__dirname, 'cpu-usage-preload.js');
/**
 * TypeScript 7's native compiler (the dev dependency `typescript-7`, what `npm i typescript` installs from 7.0 on).
 * Its bin/tsc is a node launcher of this binary; the bench runs the binary itself, so that the CPU time measured is
 * the compiler's. Undefined when it is not installed.
 */
export function nativeTsc7(): { exe: string; version: string } | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts7 = require('typescript-7') as { version: string; nativeBinary(): string | undefined };
    const exe = ts7.nativeBinary();
    return exe ? { exe, version: ts7.version } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * baseline: the classes only; untyped: the same chain of .step() calls on an `any` builder (what the data-flow
 * types add is the difference to this); pipeline: the typed chain; composed: the typed pipeline built from
 * sub-pipelines of SEGMENT steps each, nested with .parallel(name, { main: part }) (the documented way for long
 * pipelines: each part's context is checked once, and no chain exceeds SEGMENT calls).
 */
export type Variant = 'baseline' | 'untyped' | 'pipeline' | 'composed';
export const VARIANTS: readonly Variant[] = ['baseline', 'untyped', 'pipeline', 'composed'];
export const SEGMENT = 100;

export interface TscFigures {
  steps: number;
  variant: Variant;
  file: string;
  reps: number;
  /** Median wall time of the tsc process (start-up, parse, bind, check). */
  wallMs: number;
  wallSamplesMs: number[];
  /** Median CPU time (user + system) of the tsc process: less sensitive to other load than wall/check time. */
  cpuMs: number;
  cpuSamplesMs: number[];
  checkSamplesS: number[];
  exitCode: number | null;
  checkTimeS: number | undefined;
  totalTimeS: number | undefined;
  instantiations: number | undefined;
  types: number | undefined;
  memoryUsedK: number | undefined;
  errorCount: number;
  /** Errors located in the generated file (the others are in the library or its dependencies). */
  errorsInGenerated: number;
  ts2589: boolean;
  /** tsc died of a stack overflow (the binder recurses once per chained call). */
  stackOverflow: boolean;
  errors: string[];
  /** Editor latency through the language service (median of `reps` fresh services), when measured. */
  editor?: EditorFigures;
  /** The same file checked by TypeScript 7's native `tsc --noEmit` (runs alternated with TypeScript 5.9's). */
  tsc7?: Tsc7Figures;
  /** Editor latency through TypeScript 7's language server, `tsc --lsp --stdio` (median of `reps` fresh servers). */
  editorLsp?: LspEditorFigures;
}

/** Figures of TypeScript 7's tsc on one file (medians of `reps` runs; CPU: user + system time of all its threads). */
export type Tsc7Figures = Pick<
  TscFigures,
  'wallMs' | 'wallSamplesMs' | 'cpuMs' | 'cpuSamplesMs' | 'checkSamplesS' | 'exitCode' | 'checkTimeS' | 'totalTimeS' | 'instantiations' | 'types' | 'memoryUsedK' | 'errorCount' | 'errorsInGenerated' | 'errors'
> & { version: string };

/** One request to TypeScript 7's language server (bench/editor-latency-lsp.js), median of the samples. */
export interface LspRequestFigures {
  /** Wall ms from the request to its response: what the editor waits. */
  ms: number;
  /** CPU ms of the server process over the same span (utime + stime from /proc, resolution `clockTickMs`). */
  cpuMs: number;
  /** What the server's own log says handling the request took. */
  serverMs: number;
  /** From didOpen (for the hover after an edit: from the edit) to the response: the project's load included. */
  wallSinceOpenMs: number;
  cpuSinceOpenMs: number;
  /** Server CPU in the 300 ms after the response (background work still going on). */
  cpuAfterMs: number;
  /** The first line of what the request shows (a hover's type on one line). */
  text: string;
}

export interface LspEditorFigures {
  /** e.g. "TypeScript 7.0.2 tsc --lsp --stdio". */
  server: string;
  /** The resolution of the CPU figures (one clock tick). */
  clockTickMs: number;
  /** textDocument/didOpen until the server logged it handled (it loads the project): wall ms and server CPU ms. */
  open: { ms: number; cpuMs: number };
  /** Hover on the pipeline's variable, the first request after opening the file. */
  hover: LspRequestFigures;
  /** The same hover after an edit (a comment line appended with didChange), same server. */
  hoverAfterEdit: LspRequestFigures;
  /** Hover on the first class name: a first request that needs almost no type work (the floor). */
  first: LspRequestFigures;
  /** As EditorFigures.requests, each the first request of a fresh server. */
  requests?: Record<EditorRequest, LspRequestFigures>;
  hoverCpuSamplesMs: number[];
  /** Every server exited by itself after shutdown and exit (none had to be killed). */
  serversExited: boolean;
}

export interface EditorFigures {
  /** Quick info (hover) on the pipeline's variable in a fresh language service: what an editor shows on first hover. */
  hoverMs: number;
  /** The same hover after an edit of the file (a new version of its text), the language service kept. */
  hoverAfterEditMs: number;
  /** CPU time of the fresh hover. */
  hoverCpuMs: number;
  /** CPU time of the hover after the edit. */
  hoverAfterEditCpuMs?: number;
  /** The first line of what the hover shows. */
  hoverText: string;
  samplesMs: number[];
  /**
   * The other editor requests on the same file, each in a fresh service (median wall / CPU ms): quick info on the
   * last `.step` of the chain (the builder before `.build()`), on the middle `.step` (an intermediate builder), and
   * signature help inside the middle `.step(`.
   */
  requests?: Record<EditorRequest, { ms: number; cpuMs: number; text: string }>;
  /** Quick info on the first class name (`S0`) in a fresh service: a request that needs almost no type work. */
  first?: { ms: number; cpuMs: number; text: string };
}

export type EditorRequest = 'chain-end' | 'mid-step' | 'signature';
export const EDITOR_REQUESTS: readonly EditorRequest[] = ['chain-end', 'mid-step', 'signature'];

export interface TypecheckResult {
  tempDir: string;
  libraryResolved: boolean;
  libraryImport: string;
  runs: TscFigures[];
}

const valueType = (j: number) => (j % 2 === 0 ? 'number' : 'string');

const readsOf = (i: number) => (i === 0 ? [] : [...new Set([i - 1, Math.floor(i / 2)])]);

/** The source of the K generated classes, plus the pipeline in the form of `variant`. */
export function generateSource(k: number, variantOrPipeline: Variant | boolean): string {
  const variant: Variant = variantOrPipeline === true ? 'pipeline' : variantOrPipeline === false ? 'baseline' : variantOrPipeline;
  const withPipeline = variant !== 'baseline';
  const lines: string[] = [];
  lines.push(`// Generated by bench/typecheck.ts: ${k} steps, variant ${variant}.`);
  lines.push(`import { Task${withPipeline ? ', pipeline' : ''} } from ${JSON.stringify(LIBRARY.replace(/\.ts$/, ''))};`);
  lines.push('');
  for (let i = 0; i < k; i++) {
    const reads = readsOf(i);
    const param = reads.length ? `{ ${reads.map((j) => `v${j}`).join(', ')} }: { ${reads.map((j) => `v${j}: ${valueType(j)}`).join('; ')} }` : '';
    const isNumber = i % 2 === 0;
    let expr: string;
    if (reads.length === 0) expr = isNumber ? '0' : `'s0'`;
    else if (isNumber) expr = reads.map((j) => `String(v${j}).length`).join(' + ');
    else expr = '`' + reads.map((j) => `\${v${j}}`).join(':') + '`';
    const isAsync = i % 4 === 3;
    lines.push(`@Task({ name: 's${i}', returns: ['v${i}'] })`);
    lines.push(`export class S${i} {`);
    lines.push(`  ${isAsync ? 'async ' : ''}run(${param}) {`);
    lines.push(`    return { v${i}: ${expr} };`);
    lines.push('  }');
    lines.push('}');
  }
  if (variant === 'pipeline' || variant === 'untyped') {
    lines.push('');
    lines.push(`export const generated = ${variant === 'untyped' ? `(pipeline('generated-${k}') as any)` : `pipeline('generated-${k}')`}`);
    for (let i = 0; i < k; i++) lines.push(`  .step(S${i})`);
    lines.push('  .build();');
  } else if (variant === 'composed') {
    lines.push('');
    const parts: string[] = [];
    for (let a = 0; a < k; a += SEGMENT) {
      const b = Math.min(k, a + SEGMENT);
      const outside = [...new Set(Array.from({ length: b - a }, (_, j) => readsOf(a + j)).flat())].filter((j) => j < a).sort((x, y) => x - y);
      const params = outside.length ? `.params<{ ${outside.map((j) => `v${j}: ${valueType(j)}`).join('; ')} }>()` : '';
      lines.push(`const part${a / SEGMENT} = pipeline('part-${a / SEGMENT}')${params}`);
      for (let i = a; i < b; i++) lines.push(`  .step(S${i})`);
      lines.push('  .build();');
      parts.push(`part${a / SEGMENT}`);
    }
    lines.push(`export const generated = pipeline('generated-${k}')`);
    for (const p of parts) lines.push(`  .parallel('${p}', { main: ${p} })`);
    lines.push('  .build();');
  }
  lines.push('');
  return lines.join('\n');
}

function projectCompilerOptions(): Record<string, unknown> {
  const file = path.join(ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (read.error) throw new Error(`cannot read ${file}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  return { ...(read.config.compilerOptions ?? {}) };
}

/**
 * Writes `<dir>/<name>/<name>.ts` and its `tsconfig.json` beside it (the name a language server looks for upwards
 * from an opened file, as in an editor); returns the tsconfig's path.
 */
export function writeProject(dir: string, name: string, source: string): string {
  fs.mkdirSync(path.join(dir, name), { recursive: true });
  const file = projectFile(dir, name);
  fs.writeFileSync(file, source);
  const tsconfig = {
    compilerOptions: {
      ...projectCompilerOptions(),
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      // The temp dir has no node_modules; find @types/node in the project.
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    },
    files: [file],
  };
  const config = path.join(dir, name, 'tsconfig.json');
  fs.writeFileSync(config, JSON.stringify(tsconfig, null, 2));
  return config;
}

/** The generated file that writeProject(dir, name, …) writes. */
export const projectFile = (dir: string, name: string): string => path.join(dir, name, `${name}.ts`);

function stat(out: string, label: string): number | undefined {
  const m = new RegExp(`^${label}:\\s+([\\d.]+)([sK]?)\\s*$`, 'm').exec(out);
  return m ? Number(m[1]) : undefined;
}

/**
 * V8's default stack (~984 KB) overflows in tsc's binder between 1,250 and 1,500 chained calls; tsc runs with a
 * larger one so that 2,000-step chains can be measured at all (8 MB is the main thread's stack on Linux).
 */
export const TSC_STACK_KB = 4000;

function runTscOnce(config: string): { wallMs: number; cpuMs: number; out: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [`--stack-size=${TSC_STACK_KB}`, '-r', CPU_PRELOAD, TSC, '--noEmit', '--extendedDiagnostics', '-p', config], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - t0;
  const cpu = /__BENCH_CPU__ (\d+) (\d+)/.exec(r.stderr ?? '');
  return { wallMs, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) / 1000 : NaN, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}`, status: r.status };
}

/** Figures of `reps` tsc runs of one file; times are medians, counts are deterministic. */
function summarize(runs: ReturnType<typeof runTscOnce>[], steps: number, variant: Variant, file: string, reps: number): TscFigures {
  const checkOf = (r: { out: string }) => stat(r.out, 'Check time') ?? Infinity;
  const sorted = [...runs].sort((a, b) => checkOf(a) - checkOf(b));
  const mid = sorted[(sorted.length - 1) >> 1]!;
  const errors = mid.out.split('\n').filter((l) => /error TS\d+/.test(l));
  return {
    steps,
    variant,
    file,
    reps,
    wallMs: round(median(runs.map((r) => r.wallMs)), 0),
    wallSamplesMs: runs.map((r) => round(r.wallMs, 0)),
    cpuMs: round(median(runs.map((r) => r.cpuMs)), 0),
    cpuSamplesMs: runs.map((r) => round(r.cpuMs, 0)),
    checkSamplesS: runs.map((r) => stat(r.out, 'Check time') ?? NaN),
    exitCode: mid.status,
    checkTimeS: stat(mid.out, 'Check time'),
    totalTimeS: stat(mid.out, 'Total time'),
    instantiations: stat(mid.out, 'Instantiations'),
    types: stat(mid.out, 'Types'),
    memoryUsedK: stat(mid.out, 'Memory used'),
    errorCount: errors.length,
    errorsInGenerated: errors.filter((e) => e.includes(path.basename(file))).length,
    ts2589: runs.some((r) => /error TS2589/.test(r.out)),
    stackOverflow: runs.some((r) => /Maximum call stack size exceeded/.test(r.out)),
    errors: errors.slice(0, 10).map((e) => e.slice(0, 400)),
  };
}

const EDITOR_CHILD = path.join(__dirname, 'editor-latency.js');

/** Hover latency through the language service, in a child process (a fresh service per sample). */
function measureEditor(config: string, file: string, reps: number): EditorFigures | undefined {
  const samples: { hoverMs: number; hoverAfterEditMs: number; hoverCpuMs: number; hoverAfterEditCpuMs: number; hoverText: string }[] = [];
  for (let i = 0; i < reps; i++) {
    const r = spawnSync(process.execPath, [`--stack-size=${TSC_STACK_KB}`, EDITOR_CHILD, config, file, 'generated'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
    if (r.status !== 0 || !line) return undefined;
    samples.push(JSON.parse(line));
  }
  const mid = [...samples].sort((a, b) => a.hoverMs - b.hoverMs)[(samples.length - 1) >> 1]!;
  // the other requests exist only on a chain of .step() calls (not on the composed variant's .parallel() chain)
  let requests: EditorFigures['requests'];
  let first: EditorFigures['first'];
  const chain = /\n {2}\.step\(/.test(fs.readFileSync(file, 'utf8'));
  {
    const out: Partial<Record<EditorRequest | 'first', { ms: number; cpuMs: number; text: string }>> = {};
    for (const op of chain ? [...EDITOR_REQUESTS, 'first' as const] : (['first'] as const)) {
      const runs: { ms: number; cpuMs: number; text: string }[] = [];
      for (let i = 0; i < reps; i++) {
        const r = spawnSync(process.execPath, [`--stack-size=${TSC_STACK_KB}`, EDITOR_CHILD, config, file, 'generated', op], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
        const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
        if (r.status === 0 && line) runs.push(JSON.parse(line));
      }
      if (runs.length) out[op] = { ms: round(median(runs.map((x) => x.ms)), 0), cpuMs: round(median(runs.map((x) => x.cpuMs)), 0), text: runs[0]!.text };
    }
    first = out.first;
    delete out.first;
    if (Object.keys(out).length === EDITOR_REQUESTS.length) requests = out as NonNullable<EditorFigures['requests']>;
  }
  return {
    ...(requests && { requests }),
    ...(first && { first }),
    hoverMs: round(median(samples.map((x) => x.hoverMs)), 0),
    hoverAfterEditMs: round(median(samples.map((x) => x.hoverAfterEditMs)), 0),
    hoverCpuMs: round(median(samples.map((x) => x.hoverCpuMs)), 0),
    hoverAfterEditCpuMs: round(median(samples.map((x) => x.hoverAfterEditCpuMs)), 0),
    hoverText: mid.hoverText,
    samplesMs: samples.map((x) => round(x.hoverMs, 0)),
  };
}

/** One run of TypeScript 7's native tsc; its CPU time is bash's `times` for its children (getrusage, ms). */
function runTsc7Once(exe: string, config: string): ReturnType<typeof runTscOnce> {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', '"$@"; status=$?; times >&2; exit $status', 'bash', exe, '--noEmit', '--extendedDiagnostics', '--pretty', 'false', '-p', config], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - t0;
  // `times` prints the shell's user/system time, then its children's: "0m1.849s 0m0.236s"
  const times = [...(r.stderr ?? '').matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)].at(-1);
  const cpuMs = times ? (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1000 : NaN;
  return { wallMs, cpuMs, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}`, status: r.status };
}

const EDITOR_LSP_CHILD = path.join(__dirname, 'editor-latency-lsp.js');
type LspOperation = 'hover' | 'first' | EditorRequest;
interface LspChildOutput {
  clockTickMs: number;
  open: { ms: number; cpuMs: number; serverMs: number };
  hover?: LspRequestFigures;
  hoverAfterEdit?: LspRequestFigures;
  request?: LspRequestFigures;
  serverExit: { code: number | null; signal: string | null; killed: boolean };
}

function medianRequest(samples: LspRequestFigures[]): LspRequestFigures {
  const m = (f: (x: LspRequestFigures) => number, digits = 0) => round(median(samples.map(f)), digits);
  return {
    ms: m((x) => x.ms),
    cpuMs: m((x) => x.cpuMs),
    serverMs: m((x) => x.serverMs),
    wallSinceOpenMs: m((x) => x.wallSinceOpenMs),
    cpuSinceOpenMs: m((x) => x.cpuSinceOpenMs),
    cpuAfterMs: m((x) => x.cpuAfterMs),
    text: samples[0]!.text,
  };
}

/**
 * Editor latency through TypeScript 7's language server, in a child process per sample and request (each the first
 * request of a fresh server, after didOpen), the operations alternated.
 */
function measureEditorLsp(config: string, file: string, reps: number, tsc7: { exe: string; version: string }): LspEditorFigures | undefined {
  const ops: LspOperation[] = ['hover', 'first'];
  if (/\n {2}\.step\(/.test(fs.readFileSync(file, 'utf8'))) ops.push(...EDITOR_REQUESTS);
  const samples = new Map<LspOperation, LspChildOutput[]>(ops.map((op) => [op, []]));
  for (let i = 0; i < reps; i++) {
    for (const op of ops) {
      const r = spawnSync(process.execPath, [EDITOR_LSP_CHILD, config, file, 'generated', op], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, RUNNABLE_BENCH_TSC7: tsc7.exe },
      });
      const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
      if (r.status !== 0 || !line) return undefined;
      samples.get(op)!.push(JSON.parse(line) as LspChildOutput);
    }
  }
  const all = [...samples.values()].flat();
  const hovers = samples.get('hover')!;
  const requestsOf = (op: LspOperation) => samples.get(op)!.map((x) => x.request!);
  let requests: LspEditorFigures['requests'];
  if (ops.length > 2) requests = Object.fromEntries(EDITOR_REQUESTS.map((op) => [op, medianRequest(requestsOf(op))])) as NonNullable<LspEditorFigures['requests']>;
  return {
    server: `TypeScript ${tsc7.version} tsc --lsp --stdio`,
    clockTickMs: all[0]!.clockTickMs,
    open: { ms: round(median(all.map((x) => x.open.ms)), 0), cpuMs: round(median(all.map((x) => x.open.cpuMs)), 0) },
    hover: medianRequest(hovers.map((x) => x.hover!)),
    hoverAfterEdit: medianRequest(hovers.map((x) => x.hoverAfterEdit!)),
    first: medianRequest(requestsOf('first')),
    ...(requests && { requests }),
    hoverCpuSamplesMs: hovers.map((x) => x.hover!.cpuMs),
    serversExited: all.every((x) => !x.serverExit.killed && (x.serverExit.code !== null || x.serverExit.signal === null)),
  };
}

export interface TypecheckOptions {
  /** Which variants to run (default: all). */
  variants?: readonly Variant[];
  /** Measure hover latency through the language service (default: true). */
  editor?: boolean;
  /** Also check with TypeScript 7's tsc and measure through its language server, when installed (default: true). */
  ts7?: boolean;
}

export function typecheckBench(stepCounts: readonly number[], reps: number, log: (line: string) => void, opts: TypecheckOptions = {}): TypecheckResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rts-bench-tsc-'));
  const libraryImport = LIBRARY.replace(/\.ts$/, '');
  const variants = opts.variants ?? VARIANTS;
  const tsc7 = opts.ts7 === false ? undefined : nativeTsc7();
  if (opts.ts7 !== false && !tsc7) log('  WARNING: TypeScript 7 (the typescript-7 dev dependency) is not installed: its figures are skipped');

  // Check that the absolute import resolves to the library source (a cheap tsc run: no checking).
  const probe = writeProject(dir, 'probe', generateSource(1, true));
  const list = spawnSync(process.execPath, [TSC, '--listFilesOnly', '-p', probe], { cwd: ROOT, encoding: 'utf8' });
  const libraryResolved = list.status === 0 && list.stdout.split('\n').some((l) => path.resolve(l.trim()) === LIBRARY);
  if (!libraryResolved) log(`  WARNING: ${libraryImport} did not resolve to ${LIBRARY}:\n${list.stdout}${list.stderr}`);

  const runs: TscFigures[] = [];
  for (const k of stepCounts) {
    const configs = new Map(variants.map((v) => [v, writeProject(dir, `${v}-${k}`, generateSource(k, v))] as const));
    // Alternate the variants (one run of each in turn, `reps` rounds) so that load on the shared machine hits
    // them alike, instead of running all repetitions of one variant back to back.
    // TypeScript 7's runs alternate with TypeScript 5.9's
    const samples = new Map<Variant, ReturnType<typeof runTscOnce>[]>(variants.map((v) => [v, []]));
    const samples7 = new Map<Variant, ReturnType<typeof runTscOnce>[]>(variants.map((v) => [v, []]));
    for (let r = 0; r < reps; r++)
      for (const v of variants) {
        samples.get(v)!.push(runTscOnce(configs.get(v)!));
        if (tsc7) samples7.get(v)!.push(runTsc7Once(tsc7.exe, configs.get(v)!));
      }
    for (const variant of variants) {
      const file = projectFile(dir, `${variant}-${k}`);
      const f = summarize(samples.get(variant)!, k, variant, file, reps);
      if (tsc7) {
        const { steps: _s, variant: _v, file: _f, reps: _r, ts2589: _t, stackOverflow: _o, ...t7 } = summarize(samples7.get(variant)!, k, variant, file, reps);
        f.tsc7 = { version: tsc7.version, ...t7 };
      }
      if (opts.editor !== false && variant !== 'baseline') {
        const e = measureEditor(configs.get(variant)!, file, reps);
        if (e) f.editor = e;
        if (tsc7) {
          const l = measureEditorLsp(configs.get(variant)!, file, reps, tsc7);
          if (l) f.editorLsp = l;
          else log(`  WARNING: the TypeScript 7 language server measurement failed on ${file}`);
        }
      }
      runs.push(f);
      log(
        `  ${String(k).padStart(4)} steps ${variant.padEnd(8)}: wall ${f.wallMs} ms, CPU ${f.cpuMs} ms, check ${f.checkTimeS ?? '?'} s (runs: ${f.checkSamplesS.join(', ')}), ` +
          `instantiations ${f.instantiations ?? '?'}, errors ${f.errorCount}${f.ts2589 ? ' (TS2589!)' : ''}${f.stackOverflow ? ' (STACK OVERFLOW)' : ''}` +
          (f.editor ? `; hover ${f.editor.hoverMs} ms (CPU ${f.editor.hoverCpuMs} ms), after an edit ${f.editor.hoverAfterEditMs} ms` : '') +
          (f.editor?.requests ? `; ${EDITOR_REQUESTS.map((op) => `${op} ${f.editor!.requests![op].ms} ms (CPU ${f.editor!.requests![op].cpuMs} ms)`).join(', ')}` : ''),
      );
      if (f.tsc7) {
        const t = f.tsc7;
        const l = f.editorLsp;
        log(
          `        TypeScript ${t.version}: tsc wall ${t.wallMs} ms, CPU ${t.cpuMs} ms, check ${t.checkTimeS ?? '?'} s, instantiations ${t.instantiations ?? '?'}, errors ${t.errorCount}` +
            (l
              ? `; language server: open ${l.open.ms} ms (CPU ${l.open.cpuMs} ms), hover ${l.hover.ms} ms (CPU ${l.hover.cpuMs} ms), after an edit ${l.hoverAfterEdit.ms} ms (CPU ${l.hoverAfterEdit.cpuMs} ms)` +
                (l.requests ? `; ${EDITOR_REQUESTS.map((op) => `${op} ${l.requests![op].ms} ms (CPU ${l.requests![op].cpuMs} ms)`).join(', ')}` : '') +
                `; hover shows: ${l.hover.text.slice(0, 80)}`
              : ''),
        );
      }
      for (const e of f.errors.slice(0, 3)) log(`      ${e}`);
      for (const e of f.tsc7?.errors.slice(0, 3) ?? []) log(`      (TypeScript 7) ${e}`);
    }
  }
  return { tempDir: dir, libraryResolved, libraryImport, runs };
}
