/**
 * `npm run bench`: runtime overhead of the local executor with file-system stores (part A) and type-check time
 * of large pipelines (part B). Prints tables and a summary, and writes bench/results/latest.json
 * (partial runs: latest-partial.json).
 *
 *   npm run bench                          # everything (~2-4 minutes on 2 cores)
 *   npm run bench -- --only=runtime        # part A only   (--only=typecheck: part B only)
 *   npm run bench -- --quick               # fewer repetitions, sizes up to 100 / 200 steps (smoke run)
 *   npm run bench -- --tmp=/some/dir       # part A temp dirs in that folder only (default: os.tmpdir() and /dev/shm)
 *   npm run bench -- --keep-generated      # keep part B's generated files and tsconfigs (path printed)
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
import { fmtBytes, round, table } from './stats';
import type { StepStyle } from './steps';

const TARGET_RATIO = 2;
/** Per-step time counts as "flat in N" when (µs/step at N=1000) / (µs/step at N=100) stays below this. */
const FLAT_LIMIT = 1.25;

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const quick = args.includes('--quick');
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
      ['steps', 'variant', 'wall ms', 'cpu ms', 'check s', 'total s', 'instantiations', 'types', 'memory', 'errors', 'TS2589'],
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
        f.ts2589 ? 'YES' : 'no',
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
  const growth = typecheckGrowth(t);
  if (growth) {
    log(
      `   Growth ${growth.from}→${growth.to} steps (×${round(growth.to / growth.from, 2)}): pipeline-added check time ×${growth.checkFactor} ` +
        `(exponent ${growth.checkExponent}), added tsc CPU time ×${growth.cpuFactor} (exponent ${growth.cpuExponent}), added instantiations ×${growth.instFactor} (exponent ${growth.instExponent}); ` +
        `exponent 1 = linear, 2 = quadratic`,
    );
  }
}

/** How the pipeline's added cost (pipeline minus baseline) grows between the smallest and largest step counts. */
function typecheckGrowth(t: TypecheckResult) {
  const steps = [...new Set(t.runs.map((f) => f.steps))].sort((a, b) => a - b);
  if (steps.length < 2) return undefined;
  const delta = (k: number) => {
    const b = t.runs.find((f) => f.steps === k && f.variant === 'baseline');
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

function summary(locations: readonly RuntimeLocation[], t: TypecheckResult | undefined): Record<string, unknown> {
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
    out.typecheck = { growth, ts2589: t.runs.some((f) => f.ts2589), runsWithErrors: bad.map((f) => `${f.variant}-${f.steps}`) };
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
  if (only === undefined || only === 'runtime') {
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
  if (only === undefined || only === 'typecheck') {
    log('B. type-check ...');
    typecheck = typecheckBench(quick ? [200] : [200, 500], quick ? 1 : 3, log);
    if (!args.includes('--keep-generated')) fs.rmSync(typecheck.tempDir, { recursive: true, force: true });
  }

  for (const loc of runtime) printRuntime(loc);
  if (typecheck) printTypecheck(typecheck);
  const verdict = summary(runtime, typecheck);
  const seconds = round((performance.now() - t0) / 1000, 1);
  log(`  bench time: ${seconds} s`);

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    quick,
    benchSeconds: seconds,
    targets: { ratio: `< ${TARGET_RATIO}x`, flat: `µs/step(N=1000) / µs/step(N=100) < ${FLAT_LIMIT}` },
    verdict,
    runtime: Object.fromEntries(runtime.map((l) => [l.label, l.result])),
    typecheck,
  };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  // Partial runs (--quick, --only, --tmp) do not overwrite the figures of the last full run.
  const partial = quick || only !== undefined || args.some((a) => a.startsWith('--tmp='));
  const file = path.join(dir, partial ? 'latest-partial.json' : 'latest.json');
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  log(`  figures written to ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
