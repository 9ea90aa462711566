/**
 * CPU profile of the engine on the N-step runtime case (default N=1000, 5 runs, fn steps), taken in-process with
 * the inspector around the measured runs only (module loading and warm-up excluded). Prints the top self-time
 * functions, self time per source file, and inclusive time of selected engine functions; writes the profile to
 * bench/results/engine-N<n>.cpuprofile (open it in Chrome DevTools > Performance, or VS Code).
 *
 *   node bin/run-ts.js bench/profile.ts [N=1000] [runs=5] [fn|class]
 *   BENCH_TMPDIR=/dev/shm node bin/run-ts.js bench/profile.ts     # temp dirs on tmpfs (no disk noise)
 *
 * (`node --cpu-prof bin/run-ts.js ...` gives the same data but includes start-up and the swc compilation.)
 */
import './io-meter';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session } from 'node:inspector';
import { FileSystemCatalog, FileSystemRunLogStore } from '../src/index';
import { buildPipeline, stepFunctions, type StepStyle } from './steps';
import { table } from './stats';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const ROOT = path.resolve(__dirname, '..');

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))),
  );
}

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const p = url.replace(/^file:\/\//, '');
  if (p.startsWith(ROOT + '/')) return p.slice(ROOT.length + 1);
  return p.startsWith('node:') ? p : path.basename(p);
}

/** Top self-time functions, self time per file and inclusive time of src/ functions (also used by bench/map.ts --profile). */
export function summarizeProfile(profile: CpuProfile, topN = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time between sample i-1 and sample i: attribute it to sample i's node.
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs.entries()].filter(([id]) => /^\((idle|program)\)$/.test(byId.get(id)!.callFrame.functionName)).reduce((a, [, t]) => a + t, 0);

  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, t] of selfUs) {
    const n = byId.get(id)!;
    self.set(key(n), (self.get(key(n)) ?? 0) + t);
    const f = shortUrl(n.callFrame.url);
    byFile.set(f, (byFile.get(f) ?? 0) + t);
  }
  // Inclusive time: every function on a sample's stack, counted once per sample.
  const inclusive = new Map<string, number>();
  for (const [id, t] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (!n.callFrame.url.includes('/src/') && !/^(stringify|structuredClone|writeSync|writeFileSync|parse)$/.test(n.callFrame.functionName)) continue;
      const k = `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + t);
    }
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1)}%`;
  const ms = (t: number) => (t / 1000).toFixed(1);
  const top = (m: Map<string, number>, k: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k);
  return [
    `profile: ${ms(total)} ms sampled, of which idle/program ${ms(idle)} ms`,
    '',
    'Top self time (function  file:line):',
    table(['function', 'self ms', '%'], top(self, topN).map(([k, t]) => [k, ms(t), pct(t)])),
    '',
    'Self time by file:',
    table(['file', 'self ms', '%'], top(byFile, 15).map(([k, t]) => [k, ms(t), pct(t)])),
    '',
    'Inclusive time (src/ functions and selected builtins):',
    table(['function', 'incl ms', '%'], top(inclusive, 25).map(([k, t]) => [k, ms(t), pct(t)])),
  ].join('\n');
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1000);
  const runs = Number(process.argv[3] ?? 5);
  const style = (process.argv[4] ?? 'fn') as StepStyle;
  const p = buildPipeline(stepFunctions(n), style);
  let counter = 0;
  const once = async () => {
    const dir = fs.mkdtempSync(path.join(process.env.BENCH_TMPDIR || os.tmpdir(), 'rts-bench-prof-'));
    const t0 = performance.now();
    await p.execute({
      runLogStore: new FileSystemRunLogStore({ log_folder: path.join(dir, 'run-logs') }),
      catalog: new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog') }),
      quiet: true,
      runId: `prof-${process.pid}-${++counter}`,
    });
    const ms = performance.now() - t0;
    fs.rmSync(dir, { recursive: true, force: true });
    return ms;
  };
  await once(); // warm-up

  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  await post(session, 'Profiler.start');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  const { profile } = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');
  session.disconnect();

  const out = path.join(__dirname, 'results', `engine-${style}-N${n}.cpuprofile`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(profile));
  console.log(`N=${n}, ${style} steps, ${runs} profiled runs: ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
  console.log(summarizeProfile(profile));
  console.log(`\nprofile written to ${path.relative(process.cwd(), out)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
