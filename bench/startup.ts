/**
 * Start-up (part I of `npm run bench`): wall time of whole processes, measured round-robin in the same run so the
 * machine's noise hits every command alike.
 *
 *   floor        node -e 0
 *   version      node bin/runnable.js --version
 *   one-step     node bin/runnable.js run one.ts --quiet   (a 1-step pipeline from a .ts file, compile cache warm)
 *   one-step-cold                                          (the same with RUNNABLE_TS_CACHE=0: swc compiles the file)
 *
 * Target: one-step ≤ 2.5x the floor.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './stats';

const ROOT = path.resolve(__dirname, '..');
export const STARTUP_TARGET = 2.5;

export interface StartupRow {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  ratioToFloor: number;
}

export interface StartupResult {
  reps: number;
  rows: StartupRow[];
}

const PIPELINE = `import 'reflect-metadata';
import { task, pipeline } from 'runnable-ts';

const hello = task(() => ({ greeting: 'hello' }), { name: 'hello', returns: ['greeting'] });
export default pipeline('one-step').step(hello).build();
`;

export function startupBench(reps: number): StartupResult {
  // Inside the package folder, so `runnable-ts` resolves to this repository's build (package self-reference).
  const dir = fs.mkdtempSync(path.join(ROOT, 'bench', '.startup-'));
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'runnable-startup-'));
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'runnable-startup-cache-'));
  const file = path.join(dir, 'one.ts');
  fs.writeFileSync(file, PIPELINE);
  const bin = path.join(ROOT, 'bin', 'runnable.js');
  const env = { ...process.env, RUNNABLE_TS_CACHE_DIR: cache };
  const commands: { name: string; args: string[]; env: NodeJS.ProcessEnv }[] = [
    { name: 'node -e 0 (floor)', args: ['-e', '0'], env },
    { name: 'runnable --version', args: [bin, '--version'], env },
    { name: 'runnable run one-step.ts', args: [bin, 'run', file, '--quiet'], env },
    { name: 'same, compile cache off', args: [bin, 'run', file, '--quiet'], env: { ...env, RUNNABLE_TS_CACHE: '0' } },
  ];
  const times = commands.map(() => [] as number[]);
  try {
    for (let r = -1; r < reps; r++) {
      commands.forEach((c, i) => {
        const t0 = performance.now();
        const res = spawnSync(process.execPath, c.args, { cwd, env: c.env, stdio: 'ignore' });
        const ms = performance.now() - t0;
        if (res.status !== 0) throw new Error(`startup bench: '${c.name}' exited ${res.status}`);
        if (r >= 0) times[i]!.push(ms); // r = -1 warms the compile cache and the OS file cache
      });
    }
  } finally {
    for (const d of [dir, cwd, cache]) fs.rmSync(d, { recursive: true, force: true });
  }
  const floor = median(times[0]!);
  return {
    reps,
    rows: commands.map((c, i) => {
      const m = median(times[i]!);
      return { name: c.name, medianMs: m, minMs: Math.min(...times[i]!), maxMs: Math.max(...times[i]!), ratioToFloor: m / floor };
    }),
  };
}

export function formatStartup(r: StartupResult): string {
  const lines = [`I. Start-up: whole processes, round-robin, median of ${r.reps} (target: 1-step run ≤ ${STARTUP_TARGET}x the floor)`];
  for (const row of r.rows) {
    lines.push(`   ${row.name.padEnd(28)} ${row.medianMs.toFixed(0).padStart(5)} ms  (${row.minMs.toFixed(0)}–${row.maxMs.toFixed(0)})  ${row.ratioToFloor.toFixed(2)}x`);
  }
  return lines.join('\n');
}

if (path.resolve(process.argv[1] ?? '') === __filename) {
  const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 15);
  process.stdout.write(formatStartup(startupBench(reps)) + '\n');
}
