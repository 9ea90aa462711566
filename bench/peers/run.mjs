// The peers benchmark: the same pipelines with runnable-ts, LangGraph.js + SqliteSaver, Mastra + LibSQLStore and a
// plain Node floor, each case a whole separate process, round-robin, N runs; one table of wall time, CPU time
// (user + system) and peak RSS, medians and ranges, ratios to the floor. See docs/performance.md.
//
//   npm run bench:peers                    # 5 runs of every case
//   npm run bench:peers -- --runs 3        # fewer runs (about 10 minutes on 2 cores)
//   npm run bench:peers -- --cases=steps:100,map:1000 --tools=floor,runnable-ts
//
// It installs bench/peers' own dependencies (npm ci --prefix bench/peers) when they are missing, and builds the main
// project (npm run build) when lib/ is missing: runnable-ts is measured as built.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expected } from './tools/cases.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
};

const RUNS = Number(flag('runs') ?? 5);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive integer (got ${flag('runs')})`);

const TOOLS = [
  { name: 'node floor', id: 'floor', file: 'tools/floor.mjs' },
  { name: 'runnable-ts', id: 'runnable-ts', file: 'tools/runnable.cjs' },
  { name: 'LangGraph + SqliteSaver', id: 'langgraph', file: 'tools/langgraph.mjs' },
  { name: 'Mastra + LibSQLStore', id: 'mastra', file: 'tools/mastra.mjs' },
];
const CASES = [
  { id: 'steps:1', name: 'cold start, 1 step' },
  { id: 'steps:100', name: '100 sequential steps' },
  { id: 'steps:500', name: '500 sequential steps' },
  { id: 'steps:2000', name: '2,000 sequential steps' },
  { id: 'artifact:1000000', name: '1e6 numbers through 4 steps' },
  { id: 'map:1000', name: 'map over 1,000 items' },
];
/** What each tool does for a case, when it is not the obvious thing (shown under the table). */
const NOTES = {
  'runnable-ts': 'file-system run log + catalog (the defaults); the arrays of the artifact case are `pickled` artifacts; the map is `.map(..., { concurrency: 8 })`.',
  langgraph: 'StateGraph, one node per step, SqliteSaver on a file (a checkpoint per super-step); the arrays of the artifact case are state channels; the map is one `Send` per item (their writes are checkpointed as pending writes of the super-step).',
  mastra: 'createWorkflow + createStep with zod schemas, LibSQLStore on a file (the workflow snapshot is persisted as steps finish); the arrays are step outputs (validated by their zod schema); the map is `.foreach(step, { concurrency: 8 })`.',
  floor: 'a plain loop writing the state to a file after each step / item (JSON.stringify + writeFileSync); the arrays written and read back as JSON files.',
};

const pick = (list, given) => {
  if (!given) return list;
  const wanted = given.split(',').map((s) => s.trim());
  const unknown = wanted.filter((w) => !list.some((x) => x.id === w));
  if (unknown.length) throw new Error(`unknown: ${unknown.join(', ')}; known: ${list.map((x) => x.id).join(', ')}`);
  return list.filter((x) => wanted.includes(x.id));
};
const tools = pick(TOOLS, flag('tools'));
const cases = pick(CASES, flag('cases'));
const TIMEOUT_MS = Number(flag('timeout') ?? 600) * 1000;

function sh(cmd, cmdArgs, cwd) {
  const r = spawnSync(cmd, cmdArgs, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status})`);
}

// ----- set-up ------------------------------------------------------------------------------------------------------

if (!fs.existsSync(path.join(HERE, 'node_modules', '@langchain', 'langgraph'))) {
  console.log('bench:peers: installing bench/peers dependencies (npm ci --prefix bench/peers) ...');
  sh('npm', ['ci', '--prefix', HERE, '--no-audit', '--no-fund'], ROOT);
}
if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
  console.log('bench:peers: building runnable-ts (npm run build) ...');
  sh('npm', ['run', 'build'], ROOT);
}

const version = (pkg, from) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(from, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
};
const versions = {
  node: process.version,
  'runnable-ts': JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
  '@langchain/langgraph': version('@langchain/langgraph', HERE),
  '@langchain/langgraph-checkpoint-sqlite': version('@langchain/langgraph-checkpoint-sqlite', HERE),
  '@mastra/core': version('@mastra/core', HERE),
  '@mastra/libsql': version('@mastra/libsql', HERE),
};
const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', memGiB: Math.round(os.totalmem() / 2 ** 30), loadBefore: os.loadavg().map((x) => +x.toFixed(2)) };

// ----- measuring ---------------------------------------------------------------------------------------------------

const PRELOAD = path.join(HERE, 'tools', 'preload.cjs');
const RES = '__PEER_RES__ ';

function runOne(tool, c) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `rts-peers-${tool.id}-`));
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['-r', PRELOAD, path.join(HERE, tool.file), c.id, work], {
      cwd: work,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: TIMEOUT_MS,
      env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1' },
    });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.error || r.status !== 0) return { error: r.error ? String(r.error.message) : `exit ${r.status}: ${out.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}` };
    const res = out.split('\n').find((l) => l.startsWith(RES));
    const result = out.split('\n').find((l) => l.startsWith('__PEER_RESULT__ '));
    if (!res || !result) return { error: `no result line: ${out.slice(-300)}` };
    const [user, system, maxRssKiB] = res.slice(RES.length).trim().split(' ').map(Number);
    const got = JSON.parse(result.slice('__PEER_RESULT__ '.length));
    const [kind, n] = c.id.split(':');
    const want = expected(kind, Number(n));
    if (JSON.stringify(got) !== JSON.stringify(want)) return { error: `wrong result ${JSON.stringify(got)}, expected ${JSON.stringify(want)}` };
    return { wallMs, cpuMs: (user + system) / 1000, rssBytes: maxRssKiB * 1024 };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const samples = new Map(); // `${case}|${tool}` → [{ wallMs, cpuMs, rssBytes } | { error }]
const key = (c, t) => `${c.id}|${t.id}`;
const t0 = Date.now();
console.log(`bench:peers: ${RUNS} run(s) of ${cases.length} case(s) × ${tools.length} tool(s), each a separate process, round-robin`);
console.log(`  node ${versions.node}, ${machine.cpus} CPUs (${machine.cpuModel}), load ${machine.loadBefore.join(' ')}`);
for (let r = 0; r < RUNS; r++) {
  for (const c of cases) {
    // rotate the order every run and case, so that no tool always runs right after another
    const shift = (r + cases.indexOf(c)) % tools.length;
    const order = [...tools.slice(shift), ...tools.slice(0, shift)];
    const line = [];
    for (const t of order) {
      const s = runOne(t, c);
      if (!samples.has(key(c, t))) samples.set(key(c, t), []);
      samples.get(key(c, t)).push(s);
      line.push(`${t.id} ${s.error ? 'FAILED' : `${(s.wallMs / 1000).toFixed(2)} s`}`);
    }
    console.log(`  run ${r + 1}/${RUNS} ${c.id}: ${line.join(', ')}`);
  }
}
machine.loadAfter = os.loadavg().map((x) => +x.toFixed(2));

// ----- the table ---------------------------------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sec = (ms) => (ms >= 10_000 ? (ms / 1000).toFixed(1) : (ms / 1000).toFixed(2));
const mib = (b) => Math.round(b / 2 ** 20).toLocaleString('en-US');
const ratio = (x) => (x >= 10 ? x.toFixed(0) : x.toFixed(1)) + 'x';

const rows = [];
const json = [];
for (const c of cases) {
  const floorOk = (samples.get(key(c, TOOLS[0])) ?? []).filter((s) => !s.error);
  const floor = floorOk.length ? { wallMs: median(floorOk.map((s) => s.wallMs)), cpuMs: median(floorOk.map((s) => s.cpuMs)), rssBytes: median(floorOk.map((s) => s.rssBytes)) } : undefined;
  for (const t of tools) {
    const all = samples.get(key(c, t)) ?? [];
    const ok = all.filter((s) => !s.error);
    const failed = all.filter((s) => s.error);
    if (!ok.length) {
      rows.push([c.name, t.name, `failed: ${failed[0]?.error ?? 'not run'}`, '', '', '', '', '']);
      json.push({ case: c.id, tool: t.id, errors: failed.map((s) => s.error) });
      continue;
    }
    const m = { wallMs: median(ok.map((s) => s.wallMs)), cpuMs: median(ok.map((s) => s.cpuMs)), rssBytes: median(ok.map((s) => s.rssBytes)) };
    const range = (f, fmt) => `${fmt(Math.min(...ok.map(f)))}–${fmt(Math.max(...ok.map(f)))}`;
    rows.push([
      c.name,
      t.name + (failed.length ? ` (${failed.length} of ${all.length} failed)` : ''),
      `${sec(m.wallMs)} s (${range((s) => s.wallMs, sec)})`,
      `${sec(m.cpuMs)} s (${range((s) => s.cpuMs, sec)})`,
      `${mib(m.rssBytes)} MiB (${range((s) => s.rssBytes, mib)})`,
      floor ? ratio(m.wallMs / floor.wallMs) : '',
      floor ? ratio(m.cpuMs / floor.cpuMs) : '',
      floor ? ratio(m.rssBytes / floor.rssBytes) : '',
    ]);
    json.push({ case: c.id, tool: t.id, runs: ok.length, median: m, samples: ok, errors: failed.map((s) => s.error), vsFloor: floor && { wall: m.wallMs / floor.wallMs, cpu: m.cpuMs / floor.cpuMs, rss: m.rssBytes / floor.rssBytes } });
  }
}
const headers = ['case', 'tool', 'wall: median (range)', 'CPU user+sys', 'peak RSS', 'wall ÷ floor', 'CPU ÷ floor', 'RSS ÷ floor'];
const md = [`| ${headers.join(' | ')} |`, `|${headers.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const minutes = ((Date.now() - t0) / 60000).toFixed(1);
console.log('');
console.log(`Peers benchmark: ${RUNS} run(s) per cell, each a whole process; medians (min–max). ${minutes} min.`);
console.log(`Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memGiB} GiB, load average ${machine.loadBefore.join(' ')} before, ${machine.loadAfter.join(' ')} after; ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
console.log('');
console.log(md);
console.log('');
for (const t of tools) console.log(`- ${t.name}: ${NOTES[t.id]}`);

const dir = path.join(ROOT, 'bench', 'results');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'peers-latest.json'), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, minutes: Number(minutes), machine, versions, results: json }, null, 2) + '\n');
console.log(`\n(results: bench/results/peers-latest.json)`);
