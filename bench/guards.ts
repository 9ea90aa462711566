/**
 * Part F: the cost of issue 9's guarantees per step, on a 1000-step run with the file-system stores: the SHA-256
 * check of every pickled value a step loads, and the attempt watch (uncaught errors, process.exit, never-settled
 * promises, timeouts). Each is switched off through an internal switch to measure the same run without it; the
 * configurations alternate, and the median of the repetitions is compared.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSystemCatalog, FileSystemRunLogStore, pickled, pipeline, task, type Pipeline } from '../src/index';
import { loadValueSync, pickleValue, setHashVerification } from '../src/engine/values';
import { setAttemptWatch } from '../src/engine/guard';
import { deferRemoval } from './cleanup';
import { median, round, table } from './stats';

export interface GuardsConfig {
  tmpRoot: string;
  n: number;
  reps: number;
}

type Variant = 'baseline' | 'hash' | 'watch' | 'both';
const VARIANTS: readonly Variant[] = ['baseline', 'hash', 'watch', 'both'];

export interface GuardsResult {
  config: GuardsConfig;
  /** Per chain ('pickled': every step loads the previous step's pickled value; 'json': JSON values only). */
  chains: Record<
    'pickled' | 'json',
    Record<Variant, { samplesMs: number[]; medianMs: number; usPerStep: number; cpuMedianMs: number }> & {
      ratioBoth: number;
      ratioHash: number;
      ratioWatch: number;
      minRatioBoth: number;
      /** Ratios of the median CPU time of this process (user + system): less disturbed by other processes than wall time. */
      cpuRatioBoth: number;
      cpuRatioHash: number;
      cpuRatioWatch: number;
    }
  >;
  /** One pickled value (the chain's, ~0.5 KB) loaded 20,000 times: CPU µs per load with and without the hash check. */
  perLoad: { cpuUsOff: number; cpuUsOn: number; addedUs: number };
}

interface V {
  i: number;
  rows: number[];
}

function chain(n: number, kind: 'pickled' | 'json'): Pipeline<any, any> {
  let b: any = pipeline(`guards-${kind}-${n}`);
  for (let i = 0; i < n; i++) {
    const fn = ({ v }: { v?: V }) => ({ v: { i, rows: v ? v.rows.map((x) => x + 1) : Array.from({ length: 100 }, (_, k) => k) } });
    b = b.step(task(fn as any, { name: `s${i}`, returns: [kind === 'pickled' ? pickled('v') : 'v'] } as any));
  }
  return b.build();
}

let counter = 0;
async function once(p: Pipeline<any, any>, tmpRoot: string, v: Variant): Promise<{ wall: number; cpu: number }> {
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'rt-guards-'));
  setHashVerification(v === 'hash' || v === 'both');
  setAttemptWatch(v === 'watch' || v === 'both');
  try {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await p.execute({
      runId: `g-${++counter}`,
      runLogStore: new FileSystemRunLogStore({ log_folder: path.join(dir, 'logs') }),
      catalog: new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog'), compute_data_folder: dir }),
      quiet: true,
    });
    if (r.status !== 'SUCCESS') throw new Error(`guards bench run failed: ${r.status}`);
    const c = process.cpuUsage(c0);
    return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
  } finally {
    setHashVerification(true);
    setAttemptWatch(true);
    deferRemoval(dir);
  }
}

/** The hash check alone: CPU time of loading one pickled value many times, with and without it (alternating rounds). */
async function perLoad(tmpRoot: string): Promise<GuardsResult['perLoad']> {
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'rt-guards-load-'));
  const vs = { catalog: new FileSystemCatalog({ catalog_location: dir }), runId: 'load' };
  const { parameter } = await pickleValue(vs, { i: 1, rows: Array.from({ length: 100 }, (_, k) => k) }, 'v', 's0');
  const rounds: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const loads = 20_000;
  try {
    for (let r = 0; r < 6; r++) {
      for (const mode of r % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        setHashVerification(mode === 'on');
        const c0 = process.cpuUsage();
        for (let i = 0; i < loads; i++) loadValueSync(vs, 'v', parameter);
        const c = process.cpuUsage(c0);
        rounds[mode].push((c.user + c.system) / loads);
      }
    }
  } finally {
    setHashVerification(true);
    deferRemoval(dir);
  }
  const on = median(rounds.on);
  const off = median(rounds.off);
  return { cpuUsOff: round(off, 2), cpuUsOn: round(on, 2), addedUs: round(on - off, 2) };
}

export async function guardsBench(config: GuardsConfig, log: (line?: string) => void): Promise<GuardsResult> {
  const chains = {} as GuardsResult['chains'];
  for (const kind of ['pickled', 'json'] as const) {
    const p = chain(config.n, kind);
    await once(p, config.tmpRoot, 'both'); // warm-up
    const samples: Record<Variant, number[]> = { baseline: [], hash: [], watch: [], both: [] };
    const cpu: Record<Variant, number[]> = { baseline: [], hash: [], watch: [], both: [] };
    for (let r = 0; r < config.reps; r++) {
      // alternate the order so drift on a shared machine falls on every variant alike
      const order = r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const v of order) {
        const t = await once(p, config.tmpRoot, v);
        samples[v].push(t.wall);
        cpu[v].push(t.cpu);
      }
    }
    const fig = (v: Variant) => ({ samplesMs: samples[v].map((x) => round(x, 1)), medianMs: round(median(samples[v]), 1), usPerStep: round((median(samples[v]) * 1000) / config.n, 1), cpuMedianMs: round(median(cpu[v]), 1) });
    const base = median(samples.baseline);
    chains[kind] = {
      baseline: fig('baseline'),
      hash: fig('hash'),
      watch: fig('watch'),
      both: fig('both'),
      ratioBoth: round(median(samples.both) / base, 3),
      ratioHash: round(median(samples.hash) / base, 3),
      ratioWatch: round(median(samples.watch) / base, 3),
      // min / min: less sensitive to other load on a shared machine
      minRatioBoth: round(Math.min(...samples.both) / Math.min(...samples.baseline), 3),
      cpuRatioBoth: round(median(cpu.both) / median(cpu.baseline), 3),
      cpuRatioHash: round(median(cpu.hash) / median(cpu.baseline), 3),
      cpuRatioWatch: round(median(cpu.watch) / median(cpu.baseline), 3),
    };
    log(`  G. ${kind} chain N=${config.n}: with both ${chains[kind].both.medianMs} ms, without ${chains[kind].baseline.medianMs} ms (${chains[kind].ratioBoth}x wall, ${chains[kind].cpuRatioBoth}x cpu)`);
  }
  const load = await perLoad(config.tmpRoot);
  log(`  G. hash check: ${load.addedUs} µs CPU added per pickled value loaded (${load.cpuUsOff} → ${load.cpuUsOn} µs)`);
  return { config, chains, perLoad: load };
}

export function formatGuardsBench(r: GuardsResult): string {
  const rows = (['pickled', 'json'] as const).map((k) => {
    const c = r.chains[k];
    return [
      k,
      c.baseline.medianMs,
      c.both.medianMs,
      `${c.ratioHash.toFixed(3)}x`,
      `${c.ratioWatch.toFixed(3)}x`,
      `${c.ratioBoth.toFixed(3)}x`,
      `${c.minRatioBoth.toFixed(3)}x`,
      c.baseline.cpuMedianMs,
      c.both.cpuMedianMs,
      `${c.cpuRatioHash.toFixed(3)}x`,
      `${c.cpuRatioWatch.toFixed(3)}x`,
      `${c.cpuRatioBoth.toFixed(3)}x`,
    ];
  });
  return (
    `G. Cost of the integrity check and the attempt watch: ${r.config.n}-step run, file-system stores, median of ${r.config.reps} (${r.config.tmpRoot})\n` +
    table(
      ['chain', 'wall without ms', 'wall both ms', 'hash/without', 'watch/without', 'both/without', 'min both/min without', 'cpu without ms', 'cpu both ms', 'cpu hash/without', 'cpu watch/without', 'cpu both/without'],
      rows,
    ) +
    `\nHash check alone: loading one ~0.5 KB pickled value costs ${r.perLoad.cpuUsOff} µs CPU without it, ${r.perLoad.cpuUsOn} µs with it (+${r.perLoad.addedUs} µs per value read).`
  );
}
