/**
 * `npm run bench`: runtime overhead of the local executor with file-system stores (part A, `runtime`), type-check
 * time and editor latency of large pipelines with TypeScript 5.9 and 7 (part B, `typecheck`), per-step write cost of the run-log stores as the run grows (part C,
 * `stores`, bench/stores.ts, and chunked-fs against file-system on a 2,000-step run and a 10,000-item map,
 * bench/stores-vs-fs.ts), catalog file sync vs cp (part D, `catalog`, bench/catalog-files.ts), and large maps
 * and map concurrency (part E, `map`, bench/map.ts), the HTML report of a map of 100 and 10,000 items (part F,
 * `report`, bench/report.ts), the cost of integrity checks and the attempt watch per step (part G, `guards`,
 * bench/guards.ts), executors (part H, `executors`, bench/executors.ts) and start-up of the CLI (part I, `startup`,
 * bench/startup.ts), large pickled artifacts between steps (part J, `artifacts`, bench/artifacts.ts), the cost of run
 * ownership (part K, `ownership`, bench/ownership.ts) and the step cache (part L, `cache`, bench/cache.ts: the cost of
 * fingerprinting per step, the time saved on the tutorial's second run). Prints tables and a summary, and writes
 * bench/results/latest.json (partial runs: latest-partial.json).
 *
 *   npm run bench                          # everything (part B type-checks 500/1000/2000-step files: allow 20+ minutes on 2 cores)
 *   npm run bench -- --only=runtime        # part A only; a comma list selects several: --only=stores,catalog,map
 *   npm run bench -- --quick               # fewer repetitions, smaller sizes (smoke run; catalog with 64/256 MiB files)
 *   npm run bench -- --tmp=/some/dir       # temp dirs in that folder only (default: os.tmpdir(), and /dev/shm too for A and C)
 *   npm run bench -- --keep-generated      # keep part B's generated files and tsconfigs (path printed)
 *   npm run bench -- --only=typecheck --steps=500   # part B at these sizes only (a comma list: --steps=500,1000)
 *
 * Profile of the N=1000 case: node bin/run-ts.js bench/profile.ts [N] [runs] [fn|class]
 *
 * This is a measurement, not a test: it asserts nothing about the figures (it only fails if a run fails).
 */
import './io-meter'; // must come first: it wraps node:fs before the library copies it
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runtimeBench, type RuntimeResult } from './runtime';
import { typecheckBench, type TypecheckResult } from './typecheck';
import { formatStoresBench, storesBench, STORES_FLAT_TARGET, type StoresBenchResult } from './stores';
import { formatStoresVsFs, storesVsFsBench, STORES_VS_FS_TARGET, type StoresVsFsResult } from './stores-vs-fs';
import { formatCatalogBench, runCatalogBench, type CatalogBenchResult } from './catalog-files';
import { formatMapBench, mapBench, type MapBenchResult } from './map';
import { formatReportBench, reportBench, type ReportBenchRow } from './report';
import { formatGuardsBench, guardsBench, type GuardsResult } from './guards';
import { artifactsBench, artifactsSummary, formatArtifactsBench, type ArtifactsResult } from './artifacts';
import { removeDeferred } from './cleanup';
import { formatStartup, startupBench, STARTUP_TARGET, type StartupResult } from './startup';
import { executorsBench, formatExecutors, SPEEDUP_TARGET, type ExecutorsResult } from './executors';
import { formatOwnershipBench, ownershipBench, type OwnershipBenchResult } from './ownership';
import { cacheBench, formatCacheBench, type CacheBenchResult } from './cache';
import { fmtBytes, round, table } from './stats';
import type { StepStyle } from './steps';

const TARGET_RATIO = 2;
/** Per-step time counts as "flat in N" when (µs/step at N=1000) / (µs/step at N=100) stays below this. */
const FLAT_LIMIT = 1.25;

const args = process.argv.slice(2);
const PARTS = ['runtime', 'typecheck', 'stores', 'catalog', 'map', 'report', 'guards', 'startup', 'executors', 'artifacts', 'ownership', 'cache'] as const;
/** Ownership (part K) target: a 1000-step run with the owner record within this ratio of the same run without it. */
const OWNERSHIP_TARGET_RATIO = 1.1;
type Part = (typeof PARTS)[number];
/** `--only=a,b` (or several `--only=` flags): the parts to run; undefined = all. */
const only: ReadonlySet<Part> | undefined = (() => {
  const given = args.filter((a) => a.startsWith('--only=')).flatMap((a) => a.slice('--only='.length).split(',')).map((x) => x.trim()).filter(Boolean);
  if (given.length === 0) return undefined;
  const unknown = given.filter((x) => !(PARTS as readonly string[]).includes(x));
  if (unknown.length) {
    process.stderr.write(`bench: unknown --only part(s) ${unknown.join(', ')}; known: ${PARTS.join(', ')}\n`);
    process.exit(2);
  }
  return new Set(given as Part[]);
})();
const runs = (part: Part) => only === undefined || only.has(part);
const quick = args.includes('--quick');
/** Catalog (part D) target: both put and get at no less than this fraction of cp's throughput at the largest size. */
const CATALOG_TARGET_RATIO = 0.5;
const log = (line = '') => process.stdout.write(line + '\n');

interface RuntimeLocation {
  label: string;
  result: RuntimeResult;
}

function printRuntime({ label, result: r }: RuntimeLocation): void {
  const styles = r.config.styles;
  log('');
  log(`A[${label}]. Runtime: local executor + file-system stores vs. floor (plain loop + one writeFileSync per step)`);
  log(`   temp dirs in ${r.config.tmpRoot}; cwd ${r.config.cwd}; median of reps; fn = task() functions, class = @Task classes (tsyringe)`);
  const headers = ['N', 'reps', 'floor ms', 'floor µs/step'];
  for (const s of styles) headers.push(`engine(${s}) ms`, `µs/step`, `ratio`);
  headers.push('append-floor ms', 'µs/step', 'engine(fn)/append');
  const rows = r.sizes.map((s) => {
    const row: (string | number)[] = [s.n, s.reps, s.floor.medianMs.toFixed(2), s.floor.usPerStep.toFixed(1)];
    for (const st of styles) {
      const e = s.engine[st]!;
      row.push(e.medianMs.toFixed(2), e.usPerStep.toFixed(1), `${e.ratioToFloor.toFixed(2)}x`);
    }
    const a = s.appendFloor;
    row.push(a.medianMs.toFixed(2), a.usPerStep.toFixed(1), `${(s.engine.fn ? s.engine.fn.medianMs / a.medianMs : NaN).toFixed(1)}x`);
    return row;
  });
  log(table(headers, rows));
  for (const s of r.sizes) {
    const mm = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
    log(`   N=${s.n} min–max ms: floor ${mm(s.floor.samplesMs)}, ${styles.map((st) => `engine(${st}) ${mm(s.engine[st]!.samplesMs)}`).join(', ')}, append floor ${mm(s.appendFloor.samplesMs)}`);
  }
  log('   CPU time of this process (user+sys; git children excluded), medians:');
  log(
    table(
      ['N', 'floor cpu ms', ...styles.flatMap((st) => [`engine(${st}) cpu ms`, 'cpu µs/step', 'cpu ratio'])],
      r.sizes.map((s) => [
        s.n,
        s.floor.cpuMs.toFixed(2),
        ...styles.flatMap((st) => {
          const e = s.engine[st]!;
          return [e.cpuMs.toFixed(2), ((e.cpuMs * 1000) / s.n).toFixed(1), `${e.cpuRatioToFloor.toFixed(2)}x`];
        }),
      ]),
    ),
  );
  log('   ratio = engine / floor (the target). append-floor = plain loop appending one JSON line per step to one open');
  log('   file (closer to what the journaled store does); shown for context only.');
  log('');
  log('   Run-log folder writes (one extra, untimed fn-style run per N):');
  log(
    table(
      ['N', 'bytes written', 'per step', 'journal appends', 'append bytes', 'snapshot writes', 'snapshot bytes', 'final on disk', 'per step', 'catalog'],
      r.sizes.map((s) => [
        s.n,
        fmtBytes(s.runLogIo.bytesWritten),
        fmtBytes(s.runLogIo.bytesWrittenPerStep),
        s.runLogIo.writeCalls - s.runLogIo.fileWrites,
        fmtBytes(s.runLogIo.appendBytes),
        s.runLogIo.fileWrites,
        fmtBytes(s.runLogIo.fileWriteBytes),
        fmtBytes(s.runLogIo.finalBytes),
        fmtBytes(s.runLogIo.finalBytesPerStep),
        fmtBytes(s.runLogIo.catalogBytes),
      ]),
    ),
  );
  log('   (journal design: each mutation appends one JSON line to <run>.journal.jsonl; the <run>.json snapshot is');
  log('    rewritten when the journal outgrows max(256 KiB, snapshot) and once at the end, so rewrites are geometric');
  log('    and total bytes written stay linear in N. snapshot writes = create + mid-run compactions + final compaction.)');
  log('');
  log(`   Pipeline build time (builder, not timed above): ${r.sizes.map((s) => `N=${s.n}: ${styles.map((st) => `${st} ${s.buildMs[st].toFixed(1)} ms`).join(' / ')}`).join('; ')}`);
  log(`   Fixed per-run cost hint: git code identity (3 git spawns, once per run) = ${r.gitIdentityMs} ms`);
  if (r.linearity) {
    log(
      `   Linearity (µs/step at N=1000 ÷ µs/step at N=100): ` +
        styles.map((s) => `engine(${s}) ${r.linearity!.engine[s]}`).join(', ') +
        `, floor ${r.linearity.floor}`,
    );
  }
  for (const m of r.marginal) {
    log(
      `   Marginal µs/step N=${m.from}→${m.to}: ` +
        styles.map((s) => `engine(${s}) ${m.engine[s]}`).join(', ') +
        `, floor ${m.floor}, append floor ${m.appendFloor}`,
    );
  }
  const fits = Object.entries(r.fit).map(([k, f]) => `${k}: ${f!.fixedMs} ms + ${f!.marginalUsPerStep} µs × N`);
  if (fits.length) log(`   Linear fit of the medians (fixed per-run ms + µs per step): ${fits.join('; ')}`);
}

function printTypecheck(t: TypecheckResult): void {
  log('');
  log(`B. Type-check: tsc --noEmit --extendedDiagnostics on generated files (median of ${t.runs[0]?.reps ?? '?'} runs)`);
  log(
    `   library import ${t.libraryImport} resolves to src/index.ts: ${t.libraryResolved ? 'yes' : 'NO'}; generated files in ${t.tempDir}` +
      (args.includes('--keep-generated') ? '' : ' (removed; --keep-generated keeps them)'),
  );
  log(
    table(
      ['steps', 'variant', 'wall ms', 'cpu ms', 'check s', 'total s', 'instantiations', 'types', 'memory', 'errors', 'TS2589', 'hover ms (cpu)', 'hover after edit ms (cpu)', 'chain-end hover ms (cpu)', 'mid-chain hover ms (cpu)', '.step( signature help ms (cpu)', 'first request ms (cpu)'],
      t.runs.map((f) => [
        f.steps,
        f.variant,
        f.wallMs,
        f.cpuMs,
        f.checkTimeS ?? '?',
        f.totalTimeS ?? '?',
        f.instantiations ?? '?',
        f.types ?? '?',
        f.memoryUsedK !== undefined ? `${Math.round(f.memoryUsedK / 1024)} MiB` : '?',
        f.errorCount === f.errorsInGenerated ? f.errorCount : `${f.errorCount} (${f.errorCount - f.errorsInGenerated} in library)`,
        f.ts2589 ? 'YES' : f.stackOverflow ? 'stack overflow' : 'no',
        f.editor ? `${f.editor.hoverMs} (${f.editor.hoverCpuMs})` : '-',
        f.editor ? `${f.editor.hoverAfterEditMs}${f.editor.hoverAfterEditCpuMs !== undefined ? ` (${f.editor.hoverAfterEditCpuMs})` : ''}` : '-',
        ...(['chain-end', 'mid-step', 'signature'] as const).map((op) => (f.editor?.requests ? `${f.editor.requests[op].ms} (${f.editor.requests[op].cpuMs})` : '-')),
        f.editor?.first ? `${f.editor.first.ms} (${f.editor.first.cpuMs})` : '-',
      ]),
    ),
  );
  const steps = [...new Set(t.runs.map((f) => f.steps))];
  for (const k of steps) {
    const b = t.runs.find((f) => f.steps === k && f.variant === 'baseline');
    const p = t.runs.find((f) => f.steps === k && f.variant === 'pipeline');
    if (b && p && b.checkTimeS !== undefined && p.checkTimeS !== undefined && b.instantiations !== undefined && p.instantiations !== undefined) {
      log(
        `   ${k} steps: the pipeline adds ${round(p.checkTimeS - b.checkTimeS, 2)} s check time ` +
          `(${round(((p.checkTimeS - b.checkTimeS) * 1000) / k, 2)} ms/step) and ${p.instantiations - b.instantiations} instantiations ` +
          `(${Math.round((p.instantiations - b.instantiations) / k)}/step); tsc CPU time +${round((p.cpuMs - b.cpuMs) / 1000, 2)} s`,
      );
    }
  }
  // The issue-10 targets: typed ≤ 1.5x untyped tsc CPU at 1000 steps; editor hover ≤ 1 s at 500 steps.
  for (const k of steps) {
    const u = t.runs.find((f) => f.steps === k && f.variant === 'untyped');
    if (!u) continue;
    for (const v of ['pipeline', 'composed'] as const) {
      const f = t.runs.find((x) => x.steps === k && x.variant === v);
      if (!f) continue;
      const ratio = round(f.cpuMs / u.cpuMs, 2);
      log(
        `   ${k} steps ${v}: tsc CPU ${ratio}x untyped${k === 1000 ? ` (target ≤ 1.5x: ${ratio <= 1.5 ? 'MET' : 'NOT MET'})` : ''}` +
          (f.editor ? `; hover ${f.editor.hoverMs} ms wall, ${f.editor.hoverCpuMs} ms CPU (untyped ${u.editor?.hoverCpuMs ?? '?'} ms CPU)${k === 500 ? ` (target ≤ 1000 ms: ${f.editor.hoverMs <= 1000 ? 'MET' : 'NOT MET'} by wall time, ${f.editor.hoverCpuMs <= 1000 ? 'MET' : 'NOT MET'} by CPU time)` : ''}` : '') +
          (f.editor?.requests ? `; signature help in a mid-chain .step( ${f.editor.requests.signature.cpuMs} ms CPU, mid-chain hover ${f.editor.requests['mid-step'].cpuMs} ms CPU` : '') +
          (f.stackOverflow ? '; tsc STACK OVERFLOW' : ''),
      );
    }
  }
  printTypecheckTs7(t);
  const growth = typecheckGrowth(t);
  if (growth) {
    log(
      `   Growth ${growth.from}→${growth.to} steps (×${round(growth.to / growth.from, 2)}): pipeline-added check time ×${growth.checkFactor} ` +
        `(exponent ${growth.checkExponent}), added tsc CPU time ×${growth.cpuFactor} (exponent ${growth.cpuExponent}), added instantiations ×${growth.instFactor} (exponent ${growth.instExponent}); ` +
        `exponent 1 = linear, 2 = quadratic`,
    );
  }
}

/** TypeScript 7's figures: its native tsc on the same files, and the editor requests through its language server. */
function printTypecheckTs7(t: TypecheckResult): void {
  const withTs7 = t.runs.filter((f) => f.tsc7);
  if (!withTs7.length) return;
  const version = withTs7[0]!.tsc7!.version;
  const tick = withTs7.find((f) => f.editorLsp)?.editorLsp?.clockTickMs;
  const ms = (r: { ms: number; cpuMs: number } | undefined) => (r ? `${r.ms} (${r.cpuMs})` : '-');
  log('');
  log(`   TypeScript ${version} (the native compiler): tsc --noEmit --extendedDiagnostics on the same files, runs alternated with 5.9's (CPU: user + system`);
  log(`   of all its threads); editor requests through its language server (tsc --lsp --stdio), each the first request of a fresh server once`);
  log(`   didOpen is handled (open = loading the project), wall ms (server CPU ms${tick ? `, resolution ${tick} ms` : ''}), median of ${t.runs[0]?.reps ?? '?'}`);
  log(
    table(
      ['steps', 'variant', 'tsc wall ms', 'tsc cpu ms', 'cpu / untyped', 'check s', 'instantiations', 'memory', 'errors', 'open ms (cpu)', 'hover ms (cpu)', 'hover after edit ms (cpu)', 'chain-end hover ms (cpu)', 'mid-chain hover ms (cpu)', '.step( signature help ms (cpu)', 'first request ms (cpu)'],
      withTs7.map((f) => {
        const x = f.tsc7!;
        const u = t.runs.find((r) => r.steps === f.steps && r.variant === 'untyped')?.tsc7;
        const l = f.editorLsp;
        return [
          f.steps,
          f.variant,
          x.wallMs,
          x.cpuMs,
          u ? `${round(x.cpuMs / u.cpuMs, 2)}x` : '-',
          x.checkTimeS ?? '?',
          x.instantiations ?? '?',
          x.memoryUsedK !== undefined ? `${Math.round(x.memoryUsedK / 1024)} MiB` : '?',
          x.errorCount,
          ms(l?.open),
          ms(l?.hover),
          ms(l?.hoverAfterEdit),
          ...(['chain-end', 'mid-step', 'signature'] as const).map((op) => ms(l?.requests?.[op])),
          ms(l?.first),
        ];
      }),
    ),
  );
  for (const f of withTs7) {
    const l = f.editorLsp;
    if (!l) continue;
    const e = f.editor;
    log(
      `   ${f.steps} steps ${f.variant}: hover on the built pipeline, TypeScript 5.9 language service ${e ? `${e.hoverCpuMs} ms CPU (${e.hoverMs} ms wall)` : '?'}, ` +
        `TypeScript ${version} language server ${l.hover.cpuMs} ms CPU (${l.hover.ms} ms wall; ${l.hover.cpuSinceOpenMs} ms CPU since didOpen)` +
        (f.steps === 500 && f.variant !== 'untyped' ? ` (target ≤ 1000 ms with TypeScript ${version}: ${l.hover.ms <= 1000 && l.hover.cpuMs <= 1000 ? 'MET' : 'NOT MET'} by wall and CPU time)` : '') +
        `; it shows: ${l.hover.text.slice(0, 70)}${l.serversExited ? '' : '; a server did NOT exit by itself'}` +
        // a typed pipeline's hover must show its type: `any` would mean the server did not resolve the library
        (f.variant !== 'untyped' && !/^const generated: Pipeline<\{\}, \{ v0: number;/.test(l.hover.text) ? ' — WARNING: not the pipeline\'s type' : ''),
    );
  }
}

/** How the pipeline's added cost (pipeline minus baseline) grows between the smallest and largest step counts. */
function typecheckGrowth(t: TypecheckResult) {
  const steps = [...new Set(t.runs.map((f) => f.steps))].sort((a, b) => a - b);
  if (steps.length < 2) return undefined;
  const delta = (k: number) => {
    // against the untyped chain when measured (what the data-flow types add), else against the classes alone
    const b = t.runs.find((f) => f.steps === k && f.variant === 'untyped') ?? t.runs.find((f) => f.steps === k && f.variant === 'baseline');
    const p = t.runs.find((f) => f.steps === k && f.variant === 'pipeline');
    return {
      check: (p?.checkTimeS ?? NaN) - (b?.checkTimeS ?? NaN),
      cpu: (p?.cpuMs ?? NaN) - (b?.cpuMs ?? NaN),
      inst: (p?.instantiations ?? NaN) - (b?.instantiations ?? NaN),
    };
  };
  const from = steps[0]!;
  const to = steps.at(-1)!;
  const a = delta(from);
  const b = delta(to);
  const exp = (x: number) => round(Math.log(x) / Math.log(to / from), 2);
  return {
    from,
    to,
    checkFactor: round(b.check / a.check, 2),
    cpuFactor: round(b.cpu / a.cpu, 2),
    cpuExponent: exp(b.cpu / a.cpu),
    checkExponent: exp(b.check / a.check),
    instFactor: round(b.inst / a.inst, 2),
    instExponent: exp(b.inst / a.inst),
  };
}

interface Extra {
  stores: { label: string; result: StoresBenchResult }[];
  /** Part C's second table: chunked-fs against file-system on a 2,000-step run and a 10,000-item map. */
  storesVsFs?: StoresVsFsResult;
  catalog: CatalogBenchResult | undefined;
  map: MapBenchResult | undefined;
  report?: ReportBenchRow[];
  guards: GuardsResult | undefined;
  artifacts?: ArtifactsResult;
}

function summary(locations: readonly RuntimeLocation[], t: TypecheckResult | undefined, x: Extra): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  log('');
  log('Summary');
  for (const { label, result: r } of locations) {
    const o: Record<string, unknown> = {};
    out[label] = o;
    log(`  [${label}: ${r.config.tmpRoot}]`);
    for (const style of r.config.styles) {
      const ratios = r.sizes.map((s) => `N=${s.n}: ${s.engine[style]!.ratioToFloor.toFixed(2)}x`).join(', ');
      const worst = Math.max(...r.sizes.map((s) => s.engine[style]!.ratioToFloor));
      const ratioMet = worst < TARGET_RATIO;
      const lin = r.linearity?.engine[style];
      const flat = lin !== undefined ? lin < FLAT_LIMIT : undefined;
      const perN = r.sizes.map((s) => `N=${s.n} ${s.engine[style]!.ratioToFloor < TARGET_RATIO ? 'met' : 'NOT met'}`).join(', ');
      log(`  engine(${style}) / floor: ${ratios}  -> target < ${TARGET_RATIO}x: ${ratioMet ? 'MET' : `NOT MET (${perN})`}`);
      log(`    (ratio of minimums instead of medians: ${r.sizes.map((s) => `N=${s.n}: ${s.engine[style]!.ratioOfMins.toFixed(2)}x`).join(', ')}; ratio of CPU times: ${r.sizes.map((s) => `N=${s.n}: ${s.engine[style]!.cpuRatioToFloor.toFixed(2)}x`).join(', ')})`);
      if (lin !== undefined) log(`  engine(${style}) per-step time N=1000 vs N=100: ${lin}x  -> target flat (< ${FLAT_LIMIT}x): ${flat ? 'MET' : 'NOT MET'}`);
      o[style] = { worstRatio: worst, ratioTargetMet: ratioMet, ratioByN: Object.fromEntries(r.sizes.map((s) => [s.n, s.engine[style]!.ratioToFloor])), linearity: lin, flatTargetMet: flat };
    }
    if (r.marginal.length >= 2) {
      const m = r.marginal;
      log(`  engine(fn) marginal µs/step: N=${m[0]!.from}→${m[0]!.to} ${m[0]!.engine.fn}, N=${m.at(-1)!.from}→${m.at(-1)!.to} ${m.at(-1)!.engine.fn} (fixed per-run cost excluded)`);
    }
    const io = r.sizes.map((s) => `N=${s.n}: ${fmtBytes(s.runLogIo.bytesWrittenPerStep)}/step`).join(', ');
    log(`  run-log bytes written per step: ${io}`);
  }
  if (t) {
    const bad = t.runs.filter((f) => f.errorCount > 0 || f.exitCode !== 0);
    const worst = t.runs.filter((f) => f.variant === 'pipeline').map((f) => `${f.steps} steps: check ${f.checkTimeS ?? '?'} s`).join(', ');
    log(`  type-check: ${worst}; TS2589: ${t.runs.some((f) => f.ts2589) ? 'YES' : 'none'}; runs with errors: ${bad.length ? bad.map((f) => `${f.variant}-${f.steps}`).join(', ') : 'none'}`);
    for (const f of bad.slice(0, 1)) for (const e of f.errors.slice(0, 5)) log(`    e.g. ${e}`);
    const growth = typecheckGrowth(t);
    if (growth) log(`  type-check growth of the pipeline's added cost ${growth.from}→${growth.to} steps: check time exponent ${growth.checkExponent}, tsc CPU time exponent ${growth.cpuExponent}, instantiations exponent ${growth.instExponent} (1 = linear)`);
    // TypeScript 7: typed / untyped tsc CPU, and the hover on the built pipeline through its language server
    const ts7 = t.runs
      .filter((f) => f.tsc7 && f.variant !== 'untyped' && f.variant !== 'baseline')
      .map((f) => {
        const u = t.runs.find((x) => x.steps === f.steps && x.variant === 'untyped')?.tsc7;
        return { steps: f.steps, variant: f.variant, tscCpuRatio: u ? round(f.tsc7!.cpuMs / u.cpuMs, 2) : undefined, tscErrors: f.tsc7!.errorCount, hoverCpuMs: f.editorLsp?.hover.cpuMs, hoverMs: f.editorLsp?.hover.ms };
      });
    if (ts7.length) {
      log(
        `  type-check with TypeScript ${t.runs.find((f) => f.tsc7)!.tsc7!.version}: ` +
          ts7.map((x) => `${x.steps} steps ${x.variant}: tsc CPU ${x.tscCpuRatio ?? '?'}x untyped, hover ${x.hoverCpuMs ?? '?'} ms CPU (${x.hoverMs ?? '?'} ms wall)`).join('; '),
      );
    }
    out.typecheck = { growth, ts2589: t.runs.some((f) => f.ts2589), runsWithErrors: bad.map((f) => `${f.variant}-${f.steps}`), ...(ts7.length && { ts7 }) };
  }
  if (x.stores.length) {
    const o: Record<string, unknown> = {};
    out.stores = o;
    for (const { label, result } of x.stores) {
      const ns = result.config.sizes;
      for (const st of result.stores) {
        // the target is for chunked-fs; the file-system store is measured for reference
        const met = st.store === 'chunked-fs' ? st.marginalRatio <= STORES_FLAT_TARGET : undefined;
        const m = st.marginal;
        log(
          `  [stores, ${label}] ${st.store}: marginal ms/step ${m.map((i) => `${i.from}→${i.to} ${i.msPerStep.toFixed(3)}`).join(', ')}; ` +
            `ratio ${st.marginalRatio}x -> ${met === undefined ? '(reference, no target)' : `target <= ${STORES_FLAT_TARGET}x: ${met ? 'MET' : 'NOT MET'}`} ` +
            `(fit: ${st.fit.fixedMs} ms + ${st.fit.msPerStep} ms×N, fitted ratio N=${ns.at(-1)}/N=${ns[0]} ${st.fitRatio}x); ` +
            `written/step ${st.sizes.map((z) => `N=${z.n} ${fmtBytes(z.io.bytesWrittenPerStep)}`).join(', ')}`,
        );
        o[`${label}/${st.store}`] = {
          marginalMsPerStep: Object.fromEntries(m.map((i) => [`${i.from}-${i.to}`, i.msPerStep])),
          marginalRatio: st.marginalRatio,
          fitRatio: st.fitRatio,
          fit: st.fit,
          targetMet: met,
          bytesWrittenPerStep: Object.fromEntries(st.sizes.map((z) => [z.n, z.io.bytesWrittenPerStep])),
        };
      }
    }
  }
  if (x.storesVsFs) {
    const o: Record<string, unknown> = {};
    for (const c of x.storesVsFs.cases) {
      log(
        `  [stores vs file-system] ${c.name}: chunked-fs ${(c.medianWallMs['chunked-fs'] / 1000).toFixed(2)} s, file-system ${(c.medianWallMs['file-system'] / 1000).toFixed(2)} s, ` +
          `ratio ${c.ratio}x (${c.ratioMin}–${c.ratioMax}) -> target <= ${STORES_VS_FS_TARGET}x: ${c.targetMet ? 'MET' : 'NOT MET'}`,
      );
      o[c.name] = { ratio: c.ratio, ratioMin: c.ratioMin, ratioMax: c.ratioMax, cpuRatio: c.cpuRatio, targetMet: c.targetMet };
    }
    out.storesVsFs = o;
  }
  if (x.catalog) {
    const c = x.catalog;
    const largest = c.sizes.at(-1)!;
    const smallest = c.sizes[0]!;
    const speedMet = largest.put.ratio >= CATALOG_TARGET_RATIO && largest.get.ratio >= CATALOG_TARGET_RATIO;
    const growth = (s: typeof largest) => Math.max(s.put.catalog.peakRssGrowthBytes ?? 0, s.get.catalog.peakRssGrowthBytes ?? 0);
    // "independent of size": the peak RSS growth at the largest size at most 1.5x that at the smallest (sizes differ 4x),
    // or below 64 MiB outright (below that, the sampled figures are allocator noise)
    const memMet = c.sizes.length < 2 ? undefined : growth(largest) <= Math.max(1.5 * growth(smallest), 64 * 1024 * 1024);
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
    log(
      `  [catalog] ${mib(largest.sizeBytes)} (${largest.hash}): put ${largest.put.ratio.toFixed(2)}x cp, get ${largest.get.ratio.toFixed(2)}x cp ` +
        `-> target >= ${CATALOG_TARGET_RATIO}x: ${speedMet ? 'MET' : 'NOT MET'}` +
        (c.sizes.length > 1 ? `; at ${mib(smallest.sizeBytes)} (${smallest.hash}): put ${smallest.put.ratio.toFixed(2)}x, get ${smallest.get.ratio.toFixed(2)}x` : ''),
    );
    log(
      `  [catalog] peak RSS growth ${c.sizes.map((s) => `${mib(s.sizeBytes)}: ${mib(growth(s))}`).join(', ')} ` +
        `-> memory independent of size: ${memMet === undefined ? 'n/a (one size)' : memMet ? 'MET' : 'NOT MET'}`,
    );
    out.catalog = {
      sizeBytes: largest.sizeBytes,
      putRatio: largest.put.ratio,
      getRatio: largest.get.ratio,
      speedTargetMet: speedMet,
      peakRssGrowthBytes: Object.fromEntries(c.sizes.map((s) => [s.sizeBytes, growth(s)])),
      memoryTargetMet: memMet,
    };
  }
  if (x.map) {
    const v = x.map.verdict;
    const big = x.map.scale.at(-1)!;
    log(
      `  [map] ${big.items} items: ${(big.totalMs / 1000).toFixed(1)} s (${big.msPerItem.toFixed(3)} ms/item); peak RSS ${(v.peakBytes / 1e6).toFixed(0)} MB -> target < 500 MB: ${v.peakTargetMet ? 'MET' : 'NOT MET'}; ` +
        `bytes written/item ${x.map.scale.map((s) => `${s.items}: ${fmtBytes(s.io.bytesWrittenPerItem)}`).join(', ')} -> linear: ${v.bytesLinear ? 'yes' : 'NO'}; ` +
        `ms/item ×${x.map.linearity.msPerItemRatio} from ${x.map.scale[0]!.items} to ${big.items} items`,
    );
    const c = x.map.concurrency;
    log(
      `  [map] concurrency ${c.concurrencies[0]} vs ${c.concurrencies[1]} (${c.items} items × ${c.delayMs} ms): ` +
        c.stores.map((s) => `${s.store} ${s.speedup}x`).join(', ') +
        ` -> target >= 6x (memory stores): ${v.speedupTargetMet ? 'MET' : 'NOT MET'}`,
    );
    out.map = v;
  }
  if (x.artifacts) {
    log(artifactsSummary(x.artifacts));
    out.artifacts = x.artifacts.verdict;
  }
  return out;
}

/**
 * Where part A creates its temp dirs: the OS temp dir (disk), and /dev/shm (tmpfs) when it exists. On disk the
 * floor is dominated by file creation, whose cost varies a lot with other disk activity; on tmpfs both sides
 * are CPU-bound, so the ratio shows the engine's own overhead. `--tmp=DIR` uses DIR only.
 */
function tempLocations(): [string, string][] {
  const given = args.find((a) => a.startsWith('--tmp='))?.slice('--tmp='.length);
  if (given) return [['custom', path.resolve(given)]];
  const out: [string, string][] = [['disk', os.tmpdir()]];
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    if (path.resolve(os.tmpdir()) !== '/dev/shm') out.push(['tmpfs', '/dev/shm']);
  } catch {
    /* no /dev/shm */
  }
  return out;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  log(`runnable-ts bench: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})${quick ? ', --quick' : ''}`);
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') log('  (no --expose-gc: garbage is not collected between measurements)');

  const runtime: RuntimeLocation[] = [];
  let typecheck: TypecheckResult | undefined;
  const extra: Extra = { stores: [], catalog: undefined, map: undefined, guards: undefined };
  const givenTmp = args.find((a) => a.startsWith('--tmp='))?.slice('--tmp='.length);
  // Execution order: stores and map first, so that the files the other parts delete do not slow down their file
  // creation (bench/cleanup.ts); their own temp dirs are removed at the very end.
  if (runs('stores')) {
    for (const [label, tmpRoot] of tempLocations()) {
      log(`C[${label}]. run-log stores, temp dirs in ${tmpRoot} ...`);
      const result = await storesBench(
        { tmpRoot, sizes: quick ? [10, 100, 300] : [10, 100, 1000], reps: (n) => (quick ? 3 : n >= 1000 ? 5 : 21) },
        log,
      );
      extra.stores.push({ label, result });
    }
    const [vsLabel, vsTmp] = tempLocations()[0]!;
    log(`C[vs file-system, ${vsLabel}]. chunked-fs against file-system, temp dirs in ${vsTmp} ...`);
    extra.storesVsFs = await storesVsFsBench({ tmpRoot: vsTmp, quick }, log);
  }
  if (runs('map')) {
    const tmpRoot = givenTmp ? path.resolve(givenTmp) : os.tmpdir();
    log(`E. map, temp dirs in ${tmpRoot} ...`);
    extra.map = await mapBench({ tmpRoot, sizes: quick ? [300, 1000] : [1000, 3000, 10000], ioReps: quick ? 1 : 3 }, log);
  }
  if (runs('report')) {
    const tmpRoot = givenTmp ? path.resolve(givenTmp) : os.tmpdir();
    log(`F. HTML report of a map, temp dirs in ${tmpRoot} ...`);
    extra.report = await reportBench({ tmpRoot, sizes: [100, 10_000], reps: quick ? 1 : 3 }, log);
  }
  if (runs('guards')) {
    const tmpRoot = givenTmp ? path.resolve(givenTmp) : os.tmpdir();
    log(`G. integrity check and attempt watch, temp dirs in ${tmpRoot} ...`);
    extra.guards = await guardsBench({ tmpRoot, n: 1000, reps: quick ? 3 : 7 }, log);
  }
  if (runs('runtime')) {
    for (const [label, tmpRoot] of tempLocations()) {
      log(`A[${label}]. runtime, temp dirs in ${tmpRoot} ...`);
      const styles: StepStyle[] = ['fn', 'class'];
      const result = await runtimeBench(
        {
          tmpRoot,
          sizes: quick ? [10, 100] : [10, 100, 1000],
          reps: (n) => (quick ? 3 : n >= 1000 ? 7 : 11),
          styles,
        },
        log,
      );
      runtime.push({ label, result });
    }
  }
  if (runs('catalog')) {
    // --quick: smaller files (below 1 GiB the catalog hashes the whole file with SHA-256; from 1 GiB a fingerprint)
    const sizesMiB = quick ? [64, 256] : [256, 1024];
    log(`D. catalog file sync vs cp, ${sizesMiB.join(' and ')} MiB ...`);
    extra.catalog = await runCatalogBench({ sizesMiB, reps: quick ? 1 : 3, ...(givenTmp && { tmpRoot: path.resolve(givenTmp) }) });
  }
  if (runs('artifacts')) {
    log('J. artifacts (pickled values between steps), whole processes ...');
    extra.artifacts = artifactsBench({ quick }, log);
  }
  let ownership: OwnershipBenchResult | undefined;
  if (runs('ownership')) {
    log('K. run ownership ...');
    ownership = await ownershipBench({ tmpRoot: givenTmp ? path.resolve(givenTmp) : os.tmpdir(), n: quick ? 300 : 1000, reps: quick ? 5 : 11 });
  }
  let cache: CacheBenchResult | undefined;
  if (runs('cache')) {
    log('L. step cache ...');
    cache = await cacheBench({ ...(givenTmp && { tmpRoot: path.resolve(givenTmp) }), n: quick ? 100 : 300, reps: quick ? 3 : 9, tutorialReps: quick ? 2 : 7 });
  }
  if (runs('typecheck')) {
    log('B. type-check ...');
    // tsc runs with a larger stack (TSC_STACK_KB): a 2,000-call chain overflows V8's default one in the binder
    // --steps=500 (or a comma list) checks only those sizes, e.g. the editor figures at 500 steps
    const stepsArg = args.find((a) => a.startsWith('--steps='));
    const stepCounts = stepsArg ? stepsArg.slice('--steps='.length).split(',').map(Number).filter((n) => n > 0) : quick ? [200] : [500, 1000, 2000];
    typecheck = typecheckBench(stepCounts, quick ? 1 : 2, log);
    if (!args.includes('--keep-generated')) fs.rmSync(typecheck.tempDir, { recursive: true, force: true });
  }

  let startup: StartupResult | undefined;
  if (runs('startup')) {
    log('I. start-up ...');
    startup = startupBench(quick ? 5 : 21);
  }

  let executors: ExecutorsResult | undefined;
  if (runs('executors')) {
    log('H. executors ...');
    executors = executorsBench(quick ? 1 : 3);
  }

  const removed = removeDeferred();
  if (removed.dirs) log(`  (removed ${removed.dirs} deferred temp dirs in ${(removed.ms / 1000).toFixed(1)} s)`);

  for (const loc of runtime) printRuntime(loc);
  if (typecheck) printTypecheck(typecheck);
  for (const { label, result } of extra.stores) {
    log('');
    log(formatStoresBench(result, label));
  }
  if (extra.storesVsFs) {
    log('');
    log(formatStoresVsFs(extra.storesVsFs));
  }
  if (extra.catalog) {
    log('');
    log('D. ' + formatCatalogBench(extra.catalog));
  }
  if (extra.map) {
    log('');
    log(formatMapBench(extra.map));
  }
  if (extra.report) {
    log('');
    log(formatReportBench(extra.report));
  }
  if (startup) {
    log('');
    log(formatStartup(startup));
  }
  if (executors) {
    log('');
    log(formatExecutors(executors));
  }
  if (extra.guards) {
    log('');
    log(formatGuardsBench(extra.guards));
  }
  if (extra.artifacts) {
    log('');
    log(formatArtifactsBench(extra.artifacts));
  }
  if (ownership) {
    log('');
    log(formatOwnershipBench(ownership));
  }
  if (cache) {
    log('');
    log(formatCacheBench(cache));
  }
  const verdict = summary(runtime, typecheck, extra);
  if (ownership) {
    const met = ownership.ratio <= OWNERSHIP_TARGET_RATIO;
    log(`  [ownership] ${ownership.n}-step run with / without the owner record: ${ownership.ratio.toFixed(3)}x -> target <= ${OWNERSHIP_TARGET_RATIO}x: ${met ? 'MET' : 'NOT MET'}`);
    verdict.ownership = { ratio: ownership.ratio, targetMet: met };
  }
  if (cache) {
    const f = cache.fingerprint;
    const t = cache.tutorial;
    log(`  [cache] fingerprinting: ${f.n}-step run with the cache on (all misses) / without: ${f.ratio.toFixed(3)}x (${f.usPerStep.toFixed(1)} µs/step); tutorial second run --cache / --no-cache: ${t.ratio.toFixed(3)}x (reused ${t.reused.join(', ')})`);
    verdict.cache = { fingerprintRatio: f.ratio, usPerStep: f.usPerStep, tutorialRatio: t.ratio, reused: t.reused };
  }
  const seconds = round((performance.now() - t0) / 1000, 1);
  log(`  bench time: ${seconds} s`);

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    quick,
    benchSeconds: seconds,
    targets: {
      ratio: `< ${TARGET_RATIO}x`,
      flat: `µs/step(N=1000) / µs/step(N=100) < ${FLAT_LIMIT}`,
      stores: `marginal ms/step (100→1000) / marginal ms/step (10→100) <= ${STORES_FLAT_TARGET}`,
      storesVsFs: `chunked-fs wall / file-system wall <= ${STORES_VS_FS_TARGET} on a 2,000-step run and a map over 10,000 items`,
      catalog: `put and get throughput >= ${CATALOG_TARGET_RATIO}x cp at the largest size; peak RSS growth independent of size`,
      ownership: `1000-step run with the owner record / without <= ${OWNERSHIP_TARGET_RATIO}x`,
      cache: 'reported, no target: N-step run with the cache on and all misses / without; tutorial second run --cache / --no-cache',
      map: 'map over 10,000 items completes with peak RSS < 500 MB, bytes written per item constant; speed-up conc 8 / conc 1 >= 6x',
      startup: `1-step pipeline from a .ts file <= ${STARTUP_TARGET}x node -e 0`,
      executors: `emulator >= ${SPEEDUP_TARGET}x local on a map of 8 CPU-bound items`,
      guards: 'integrity check + attempt watch on a 1000-step run <= 1.1x the same run without them',
      artifacts: 'numbers 1e6 through 4 steps <= 1.5x the floor wall and <= 2x its peak RSS; 1e7 linear from 1e6; rows with Dates 1e6 <= 3x the floor wall',
    },
    parts: only === undefined ? [...PARTS] : [...only],
    verdict,
    runtime: Object.fromEntries(runtime.map((l) => [l.label, l.result])),
    typecheck,
    stores: extra.stores.length ? Object.fromEntries(extra.stores.map((l) => [l.label, l.result])) : undefined,
    storesVsFs: extra.storesVsFs,
    catalog: extra.catalog,
    map: extra.map,
    startup,
    executors,
    report: extra.report,
    guards: extra.guards,
    artifacts: extra.artifacts,
    ownership,
    cache,
  };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  // Partial runs (--quick, --only, --tmp) do not overwrite the figures of the last full run.
  const partial = quick || only !== undefined || args.some((a) => a.startsWith('--tmp=') || a.startsWith('--steps='));
  const file = path.join(dir, partial ? 'latest-partial.json' : 'latest.json');
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  log(`  figures written to ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
