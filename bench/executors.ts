/**
 * Executors (part H of `npm run bench`): what running each step elsewhere costs, and what it buys.
 *
 *   overhead   a 50-step pipeline of trivial steps with local, emulator and local-container (podman): wall time per
 *              step, and the ratio of each to local, measured round-robin in the same run
 *   speed-up   a map over 8 CPU-bound items (~1 s of arithmetic each) with local (one thread) and emulator (one process
 *              per item, maxProcesses = CPUs): target emulator ≥ 1.8x faster on 2 cores
 *
 * local-container is measured only where podman works (the image is built offline by scripts/node-image.sh).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './stats';
import { containerConfigYaml, ensureNodeImage } from '../test/helpers/podman';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'runnable.js');
export const SPEEDUP_TARGET = 1.8;

const PIPELINES = `import 'reflect-metadata';
import { pipeline, task } from 'runnable-ts';

const step = (i: number) => task(({ n = 0 }: { n?: number }) => ({ n: n + 1 }), { name: \`s\${i}\`, returns: ['n'] });
let b = pipeline('fifty').step(step(0));
for (let i = 1; i < 50; i++) b = b.step(step(i)) as typeof b;
export const fifty = b.build();

/** About a second of arithmetic that never yields. */
const burn = task(({ item }: { item: number }) => {
  let x = item;
  for (let i = 0; i < 150_000_000; i++) x = (x * 1103515245 + 12345) % 2147483648;
  return { burnt: x };
}, { name: 'burn', returns: ['burnt'] });
export const cpuMap = pipeline('cpu-map')
  .params<{ items: number[] }>({ items: [1, 2, 3, 4, 5, 6, 7, 8] })
  .map('each', { over: 'items', as: 'item', branch: pipeline('one').params<{ item: number }>().step(burn).build() })
  .build();
`;

const CONFIGS: Record<string, string> = {
  local: 'executor:\n  type: local\nrunLogStore:\n  type: chunked-fs\n',
  emulator: `executor:\n  type: emulator\n  config:\n    maxProcesses: ${os.availableParallelism()}\nrunLogStore:\n  type: chunked-fs\n`,
};

/** The local-container configuration the tests use (podman, the offline node image), or undefined without podman. */
function podmanConfig(): string | undefined {
  try {
    ensureNodeImage();
    return containerConfigYaml();
  } catch {
    return undefined;
  }
}

export interface ExecutorsResult {
  reps: number;
  overhead: { executor: string; medianMs: number; msPerStep: number; ratioToLocal: number }[];
  speedup: { localMs: number; emulatorMs: number; speedup: number; cpus: number };
  skipped: string[];
}

function runOnce(file: string, exportName: string, config: string): number {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'runnable-bench-exec-'));
  try {
    fs.writeFileSync(path.join(cwd, 'runnable.config.yaml'), config);
    fs.writeFileSync(path.join(cwd, 'package.json'), '{"private":true}');
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, 'run', file, '--export', exportName, '--quiet'], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`executors bench: ${exportName} failed:\n${r.stderr}`);
    return ms;
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

export function executorsBench(reps: number): ExecutorsResult {
  const dir = fs.mkdtempSync(path.join(ROOT, 'bench', '.executors-'));
  const file = path.join(dir, 'pipelines.ts');
  fs.writeFileSync(file, PIPELINES);
  const configs = { ...CONFIGS };
  const skipped: string[] = [];
  const container = podmanConfig();
  if (container) configs['local-container'] = container;
  else skipped.push('local-container (podman not available)');
  try {
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
    for (let r = -1; r < reps; r++) {
      for (const [name, cfg] of Object.entries(configs)) {
        const ms = runOnce(file, 'fifty', cfg);
        if (r >= 0) times[name]!.push(ms);
      }
    }
    const local = median(times.local!);
    const overhead = Object.entries(times).map(([executor, xs]) => ({ executor, medianMs: median(xs), msPerStep: median(xs) / 50, ratioToLocal: median(xs) / local }));
    const l: number[] = [];
    const e: number[] = [];
    for (let r = 0; r < Math.max(1, Math.min(reps, 3)); r++) {
      l.push(runOnce(file, 'cpuMap', CONFIGS.local!));
      e.push(runOnce(file, 'cpuMap', CONFIGS.emulator!));
    }
    const speedup = { localMs: median(l), emulatorMs: median(e), speedup: median(l) / median(e), cpus: os.availableParallelism() };
    return { reps, overhead, speedup, skipped };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatExecutors(r: ExecutorsResult): string {
  const lines = [`H. Executors: a 50-step pipeline, whole \`runnable run\` processes, round-robin, median of ${r.reps}`];
  for (const o of r.overhead) {
    lines.push(`   ${o.executor.padEnd(16)} ${o.medianMs.toFixed(0).padStart(6)} ms  ${o.msPerStep.toFixed(1).padStart(6)} ms/step  ${o.ratioToLocal.toFixed(2)}x local`);
  }
  const s = r.speedup;
  lines.push(
    `   map of 8 CPU-bound items: local ${(s.localMs / 1000).toFixed(1)} s, emulator ${(s.emulatorMs / 1000).toFixed(1)} s -> ${s.speedup.toFixed(2)}x on ${s.cpus} CPUs (target ≥ ${SPEEDUP_TARGET}x: ${s.speedup >= SPEEDUP_TARGET ? 'MET' : 'NOT MET'})`,
  );
  for (const k of r.skipped) lines.push(`   skipped: ${k}`);
  return lines.join('\n');
}

if (path.resolve(process.argv[1] ?? '') === __filename) {
  const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 3);
  process.stdout.write(formatExecutors(executorsBench(reps)) + '\n');
}
