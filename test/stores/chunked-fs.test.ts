import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { runRunLogStoreContract, newRunLog, stepLog } from 'runnable-ts/testing';
import { MemoryRunLogStore } from '../../src/stores/run-log/memory';
import {
  ChunkedFsRunLogStore,
  decodeParameterName,
  encodeParameterName,
  parameterFileName,
  parseFileName,
  stepFileName,
  JOURNAL_FOLDER,
} from '../../src/stores/run-log/chunked-fs';
import type { RunLogOp } from '../../src/stores/run-log/document';
import type { BranchLog, Parameter, StepLog } from '../../src/stores/run-log/types';
import type { RunLogStore } from '../../src/stores/run-log/store';
import { RunLogExistsError, RunLogIntegrityError, RunLogNotFoundError } from '../../src/errors';
import { rng } from '../helpers/rng';

const ROOT = path.resolve(__dirname, '../..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rt-chunked-'));
const param = (value: unknown): Parameter => ({ kind: 'json', value, description: JSON.stringify(value) });
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
/** Every file under `dir`, as paths relative to it, sorted. */
const allFiles = (dir: string): string[] =>
  (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
/** The journals of a run folder (`<xx>/<id>-<pid>.jsonl`), oldest first. */
const journalFiles = (run: string): string[] => {
  const jdir = path.join(run, JOURNAL_FOLDER);
  if (!fs.existsSync(jdir)) return [];
  return allFiles(jdir).sort((x, y) => fs.statSync(path.join(jdir, x)).birthtimeMs - fs.statSync(path.join(jdir, y)).birthtimeMs || x.localeCompare(y));
};
/** The lines of every journal of a run folder, in write-stamp order. */
const journalLines = (run: string): { w: number; k: string; r: any }[] =>
  journalFiles(run)
    .flatMap((f) => fs.readFileSync(path.join(run, JOURNAL_FOLDER, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)))
    .sort((x, y) => x.w - y.w);

runRunLogStoreContract('chunked-fs', () => {
  const dir = tmp();
  return { store: new ChunkedFsRunLogStore({ log_folder: dir }), reopen: () => new ChunkedFsRunLogStore({ log_folder: dir }) };
});

// ---------------------------------------------------------------------------------------------------------------


const WEIRD_NAMES = ['a/b', '100%', 'with space', 'ünïcødé', '日本', '🙂', 'x~25', '%25', '..', 'a.b', ''];

/**
 * A random-but-seeded run: "threads" (the root and every branch) each have an ordered list of op batches; batches
 * of different threads interleave at random, a branch's thread starts once its branch op has been applied.
 */
function randomRun(seed: number): RunLogOp[][] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const step = (name: string, status: StepLog['status'], type: StepLog['step_type'] = 'task'): StepLog => {
    const s = stepLog(name, status, type);
    s.message = r() < 0.3 ? `msg ${Math.floor(r() * 1000)}` : '';
    if (status !== 'PROCESSING') {
      s.attempts = [
        {
          attempt_number: 1,
          start_time: '2024-01-01 00:00:00.000000',
          end_time: '2024-01-01 00:00:01.000000',
          status: status === 'FAIL' ? 'FAIL' : 'SUCCESS',
          message: '',
          input_parameters: {},
          output_parameters: { out: param(r()) },
          user_defined_metrics: {},
          retry_indicator: '',
          code_identities: [],
        },
      ];
    }
    return s;
  };
  type Batch = { ops: RunLogOp[]; spawn?: string[] };
  const threads = new Map<string, Batch[]>();

  /** A task step of a scope: PROCESSING, then (params + final status) in one batch, sometimes rewritten later. */
  const task = (scope: string | undefined, name: string): Batch[] => {
    const internal = scope === undefined ? name : `${scope}.${name}`;
    const params: Record<string, Parameter> = {};
    const n = Math.floor(r() * 3);
    for (let i = 0; i < n; i++) params[r() < 0.4 ? pick(WEIRD_NAMES) : `${name}_p${i}`] = param(Math.floor(r() * 100));
    const out: Batch[] = [
      { ops: [{ op: 'step', step: step(internal, 'PROCESSING') }] },
      { ops: [...(n ? [{ op: 'params' as const, branch: scope, params }] : []), { op: 'step', step: step(internal, r() < 0.15 ? 'FAIL' : 'SUCCESS') }] },
    ];
    if (r() < 0.2) out.push({ ops: [{ op: 'step', step: step(internal, 'SUCCESS') }] }); // rewrite (a retry)
    return out;
  };

  /** A composite step of `scope` with `keys` branches; each branch gets a thread built by `body`. */
  const composite = (scope: string | undefined, name: string, type: StepLog['step_type'], keys: string[], body: (branch: string) => Batch[]): Batch[] => {
    const internal = scope === undefined ? name : `${scope}.${name}`;
    const branches = keys.map((k) => `${internal}.${k}`);
    for (const b of branches) {
      const batches = body(b);
      batches.push({ ops: [{ op: 'status', branch: b, status: r() < 0.2 ? 'FAIL' : 'SUCCESS' }] });
      threads.set(b, batches);
    }
    return [
      { ops: [{ op: 'step', step: step(internal, 'PROCESSING', type) }] },
      {
        ops: branches.map((b) => ({ op: 'branch' as const, branch: { internal_name: b, status: 'PROCESSING' as const, parameters: r() < 0.3 ? { seed: param(b) } : ({} as Record<string, Parameter>) } })),
        spawn: branches,
      },
      // the composite step is rewritten (its branches are kept), possibly before its branches are done
      { ops: [{ op: 'step', step: step(internal, 'SUCCESS', type) }] },
    ];
  };

  const tasks = (scope: string, n: number) => Array.from({ length: n }, (_, i) => task(scope, `t${i}`)).flat();
  const root: Batch[] = [
    ...task(undefined, 'first'),
    ...composite(undefined, 'par', 'parallel', ['b1', 'b2', 'b3'], (b) => [
      ...tasks(b, 2 + Math.floor(r() * 4)),
      ...(b.endsWith('b1')
        ? composite(b, 'map', 'map', ['0', '1'], (m) => [
            ...tasks(m, 1 + Math.floor(r() * 3)),
            // two levels of branches below the root's parallel step
            ...composite(m, 'inner', 'parallel', ['x'], (x) => tasks(x, 1 + Math.floor(r() * 3))),
            ...tasks(m, 1),
          ])
        : []),
      ...tasks(b, 1),
    ]),
    ...Array.from({ length: 8 }, (_, i) => task(undefined, `r${i}`)).flat(),
    { ops: [{ op: 'run_config', run_config: { seed, extra: [1, 2, 3] } }] },
    { ops: [{ op: 'status', status: 'SUCCESS' }] },
  ];
  threads.set('', root);

  const active = [''];
  const pos = new Map<string, number>();
  const out: RunLogOp[][] = [];
  while (active.length) {
    const t = pick(active);
    const i = pos.get(t) ?? 0;
    const batch = threads.get(t)![i]!;
    out.push(batch.ops);
    active.push(...(batch.spawn ?? []));
    pos.set(t, i + 1);
    if (i + 1 === threads.get(t)!.length) active.splice(active.indexOf(t), 1);
  }

  // Deterministic extras once everything ran: parameter overwrite (keeps its place), a root step rewritten, a
  // branch re-created with other parameters (they are replaced, its steps kept), and a step carrying branch logs
  // inline, twice (the second replaces the branch subtree).
  const inlineBranch = (name: string, steps: string[], params: Record<string, Parameter>): BranchLog => ({
    internal_name: name,
    status: 'SUCCESS',
    parameters: params,
    steps: Object.fromEntries(steps.map((s) => [`${name}.${s}`, step(`${name}.${s}`, 'SUCCESS')])),
  });
  const emb1 = step('emb', 'SUCCESS', 'parallel');
  emb1.branches = { 'emb.k1': inlineBranch('emb.k1', ['a', 'b'], { p: param(1), q: param(2) }), 'emb.k2': inlineBranch('emb.k2', ['c'], {}) };
  const emb2 = step('emb', 'SUCCESS', 'parallel');
  emb2.branches = { 'emb.k1': inlineBranch('emb.k1', ['z'], { q: param(3) }), 'emb.k0': inlineBranch('emb.k0', [], { n: param(0) }) };
  out.push(
    [{ op: 'params', params: { x: param('overwritten'), 'a/b': param('root weird') } }],
    [{ op: 'step', step: step('first', 'SUCCESS') }],
    [{ op: 'branch', branch: { internal_name: 'par.b2', status: 'SUCCESS', parameters: { fresh: param(1), seed: param('again') } } }],
    [{ op: 'step', step: emb1 }],
    [{ op: 'params', branch: 'emb.k1', params: { later: param(9) } }],
    [{ op: 'step', step: emb2 }],
  );
  return out;
}

describe('chunked-fs run log store: equivalence with the memory store', () => {
  it.each([1, 2, 3, 42, 2024])('seed %i: get() is identical (key order included) after every batch', async (seed) => {
    const dir = tmp();
    const memory = new MemoryRunLogStore();
    const chunked = new ChunkedFsRunLogStore({ log_folder: dir });
    const r = rng(seed * 7919);
    const run = newRunLog('eq');
    run.parameters['%25'] = param('created with the run');
    await memory.create(run);
    await chunked.create(run);
    const batches = randomRun(seed);
    expect(batches.length).toBeGreaterThan(50);
    for (const [i, ops] of batches.entries()) {
      await memory.apply('eq', ops);
      // some batches through a fresh instance (no remembered seqs: read from the files)
      await (r() < 0.3 ? new ChunkedFsRunLogStore({ log_folder: dir }) : chunked).apply('eq', ops);
      if (i % 10 === 0) expect(JSON.stringify(await chunked.get('eq'))).toBe(JSON.stringify(await memory.get('eq')));
    }
    const expected = await memory.get('eq');
    expect(JSON.stringify(await chunked.get('eq'))).toBe(JSON.stringify(expected));
    expect(JSON.stringify(await new ChunkedFsRunLogStore({ log_folder: dir }).get('eq'))).toBe(JSON.stringify(expected));
    // the run exercised what it should
    const par = expected.steps.par!;
    expect(Object.keys(par.branches)).toEqual(['par.b1', 'par.b2', 'par.b3']);
    expect(Object.keys(par.branches['par.b1']!.steps['par.b1.map']!.branches['par.b1.map.0']!.steps['par.b1.map.0.inner']!.branches)).toEqual(['par.b1.map.0.inner.x']);
    expect(Object.keys(expected.steps.emb!.branches)).toEqual(['emb.k1', 'emb.k2', 'emb.k0']);
  });

  it('rejects the ops the memory store rejects, with the same message', async () => {
    const memory = new MemoryRunLogStore();
    const chunked = new ChunkedFsRunLogStore({ log_folder: tmp() });
    for (const s of [memory, chunked] as RunLogStore[]) await s.create(newRunLog('bad'));
    const bad: RunLogOp[] = [
      { op: 'step', step: stepLog('nope.b.t') },
      { op: 'params', branch: 'nope.b', params: { a: param(1) } },
      { op: 'status', branch: 'nope.b', status: 'SUCCESS' },
      { op: 'branch', branch: { internal_name: 'nope.b', status: 'PROCESSING', parameters: {} } },
    ];
    for (const op of bad) {
      const m = await memory.apply('bad', [op]).then(() => 'ok', (e: Error) => e.message);
      const c = await chunked.apply('bad', [op]).then(() => 'ok', (e: Error) => e.message);
      expect(c).toBe(m);
      expect(c).toMatch(/does not exist/);
    }
    expect(JSON.stringify(await chunked.get('bad'))).toBe(JSON.stringify(await memory.get('bad')));
  });
});

// ---------------------------------------------------------------------------------------------------------------

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}
function worker(args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), path.join(__dirname, 'chunked-fs.worker.ts'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `n` workers, waits until they are all ready, then lets them go at once. */
async function together(n: number, args: (i: number, barrier: string) => string[]): Promise<Exit[]> {
  const barrier = tmp();
  const exits = Promise.all(Array.from({ length: n }, (_, i) => worker(args(i, barrier))));
  let failed: unknown;
  exits.catch((e) => (failed = e));
  const deadline = Date.now() + 90_000;
  while (fs.readdirSync(barrier).filter((f) => f.startsWith('ready.')).length < n) {
    if (failed || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  fs.writeFileSync(path.join(barrier, 'go'), '');
  return exits;
}

describe('chunked-fs run log store: concurrent writers', () => {
  it('4 processes writing 100 steps each into their own branch of the same run lose nothing', async () => {
    const dir = tmp();
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    await store.create(newRunLog('conc'));
    await store.apply('conc', [{ op: 'step', step: stepLog('par', 'PROCESSING', 'parallel') }]);
    const exits = await together(4, (i, barrier) => ['write', dir, 'conc', `par.b${i}`, '100', barrier]);
    for (const e of exits) expect(e).toMatchObject({ code: 0, stderr: '' });
    await store.apply('conc', [{ op: 'step', step: stepLog('par', 'SUCCESS', 'parallel') }]);

    const log = await new ChunkedFsRunLogStore({ log_folder: dir }).get('conc');
    const branches = log.steps.par!.branches;
    expect(Object.keys(branches).sort()).toEqual(['par.b0', 'par.b1', 'par.b2', 'par.b3']);
    let total = 0;
    for (const [name, b] of Object.entries(branches)) {
      // each branch has all its steps, in the order its writer wrote them
      expect(Object.keys(b.steps)).toEqual(Array.from({ length: 100 }, (_, i) => `${name}.s${i}`));
      expect(Object.values(b.steps).every((s) => s.status === 'SUCCESS')).toBe(true);
      expect(Object.keys(b.parameters)).toEqual(Array.from({ length: 100 }, (_, i) => `p${i}`));
      expect(b.status).toBe('SUCCESS');
      total += Object.keys(b.steps).length;
    }
    expect(total).toBe(400);
    expect(log.steps.par!.status).toBe('SUCCESS');
    expect(fs.readdirSync(path.join(dir, 'conc')).filter((f) => f.startsWith('.'))).toEqual([]); // no temp files left
  });

  it('4 processes racing to create the same run id: exactly one wins, the others get RunLogExistsError', async () => {
    const dir = tmp();
    const exits = await together(4, (_, barrier) => ['create', dir, 'race', barrier]);
    for (const e of exits) expect(e).toMatchObject({ code: 0, stderr: '' });
    expect(exits.map((e) => e.stdout).sort()).toEqual(['created', 'exists', 'exists', 'exists']);
    expect(await new ChunkedFsRunLogStore({ log_folder: dir }).list()).toEqual(['race']);
    expect(fs.readdirSync(dir)).toEqual(['race']); // no staging folders left
  });

  it('several instances in one process, interleaved, lose nothing', async () => {
    const dir = tmp();
    const first = new ChunkedFsRunLogStore({ log_folder: dir });
    await first.create(newRunLog('multi'));
    await first.apply('multi', [{ op: 'step', step: stepLog('par', 'PROCESSING', 'parallel') }]);
    await Promise.all(
      [0, 1, 2].map(async (k) => {
        const s = new ChunkedFsRunLogStore({ log_folder: dir });
        const branch = `par.b${k}`;
        await s.apply('multi', [{ op: 'branch', branch: { internal_name: branch, status: 'PROCESSING', parameters: {} } }]);
        for (let i = 0; i < 20; i++) {
          await s.apply('multi', [{ op: 'step', step: stepLog(`${branch}.s${i}`) }]);
          await new Promise((r) => setImmediate(r));
        }
      }),
    );
    const log = await first.get('multi');
    expect(Object.values(log.steps.par!.branches).map((b) => Object.keys(b.steps).length)).toEqual([20, 20, 20]);
    await expect(new ChunkedFsRunLogStore({ log_folder: dir }).create(newRunLog('multi'))).rejects.toBeInstanceOf(RunLogExistsError);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('chunked-fs run log store: layout', () => {
  it("writes the records of each apply() as lines of the writer's own journal, as documented", async () => {
    const dir = tmp();
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    await store.create(newRunLog('lay'));
    await store.apply('lay', [
      { op: 'step', step: stepLog('a') },
      { op: 'params', params: { 'a/b c%~é': param(1), π: param(2), 'ok_name-1.2': param(3) } },
      { op: 'step', step: stepLog('par', 'PROCESSING', 'parallel') },
      { op: 'branch', branch: { internal_name: 'par.b1', status: 'PROCESSING', parameters: {} } },
      { op: 'step', step: stepLog('par.b1.t') },
      { op: 'params', branch: 'par.b1', params: { z: param(4), '100%': param(5) } },
    ]);
    const run = path.join(dir, 'lay');
    expect(fs.readdirSync(dir)).toEqual(['lay']);
    // create() wrote the header and the parameter it was given as files; everything since is in the journal
    expect(fs.readdirSync(run).sort()).toEqual(['RunLog.json', 'Parameter-x.json', JOURNAL_FOLDER].sort());
    const journals = journalFiles(run);
    expect(journals).toHaveLength(1);
    expect(journals[0]).toMatch(/^([0-9a-f]{2})\/\1[0-9a-f]{10}-\d+\.jsonl$/);
    const lines = journalLines(run);
    expect(lines.map((l) => l.k)).toEqual([
      'StepLog-a.json',
      'Parameter-a~2Fb~20c~25~7E~C3~A9.json',
      'Parameter-~CF~80.json',
      'Parameter-ok_name-1.2.json',
      'StepLog-par.json',
      'BranchLog-par.b1.json',
      'StepLog-par.b1.t.json',
      'Parameter-par.b1%z.json',
      'Parameter-par.b1%100~25.json',
    ]);
    // write stamps strictly increase
    lines.forEach((l, i) => i > 0 && expect(l.w).toBeGreaterThan(lines[i - 1]!.w));
    const rec = (k: string) => lines.find((l) => l.k === k)!.r;

    const header = readJson(path.join(run, 'RunLog.json'));
    expect(header).toEqual({ ...newRunLog('lay'), steps: {}, parameters: {} });
    expect(rec('StepLog-par.json')).toEqual({ seq: expect.any(Number), step: stepLog('par', 'PROCESSING', 'parallel') });
    const branchRec = rec('BranchLog-par.b1.json');
    expect(branchRec).toEqual({
      seq: expect.any(Number),
      gen: expect.stringMatching(/^[0-9a-f]{12}$/),
      branch: { internal_name: 'par.b1', status: 'PROCESSING', parameters: {}, steps: {} },
    });
    // values set in the branch later belong to this incarnation (gen) of the branch
    expect(rec('Parameter-par.b1%100~25.json')).toEqual({ seq: expect.any(Number), scope: 'par.b1', branch_gen: branchRec.gen, name: '100%', parameter: param(5) });
    expect(rec('Parameter-a~2Fb~20c~25~7E~C3~A9.json')).toEqual({ seq: expect.any(Number), scope: null, name: 'a/b c%~é', parameter: param(1) });

    // keys decode back to the records' identities
    expect(parseFileName('Parameter-a~2Fb~20c~25~7E~C3~A9.json')).toEqual({ kind: 'parameter', name: 'a/b c%~é' });
    expect(parseFileName('Parameter-par.b1%100~25.json')).toEqual({ kind: 'parameter', scope: 'par.b1', name: '100%' });
    expect(parseFileName('StepLog-par.b1.t.json')).toEqual({ kind: 'step', name: 'par.b1.t' });
    expect(parseFileName('BranchLog-par.b1.json')).toEqual({ kind: 'branch', name: 'par.b1' });
    expect(parseFileName('RunLog.json')).toEqual({ kind: 'header' });
    expect(parseFileName('.StepLog-a.json.123.abcd.tmp')).toBeUndefined();

    // seqs follow the order of first writes
    const seq = (k: string) => rec(k).seq as number;
    expect(seq('StepLog-a.json')).toBeLessThan(seq('StepLog-par.json'));
    expect(seq('StepLog-par.json')).toBeLessThan(seq('StepLog-par.b1.t.json'));

    const log = await store.get('lay');
    expect(Object.keys(log.parameters)).toEqual(['x', 'a/b c%~é', 'π', 'ok_name-1.2']);
    expect(Object.keys(log.steps.par!.branches['par.b1']!.parameters)).toEqual(['z', '100%']);
    expect(Object.keys(log.steps)).toEqual(['a', 'par']);
  });

  it('a rewritten step keeps its seq and its place; another writer appends to its own journal and rewrites nothing', async () => {
    const dir = tmp();
    const run = path.join(dir, 'rw');
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    await store.create(newRunLog('rw'));
    await store.apply('rw', [{ op: 'step', step: stepLog('a', 'PROCESSING') }, { op: 'step', step: stepLog('b') }]);
    const seqA = journalLines(run).find((l) => l.k === 'StepLog-a.json')!.r.seq;
    const [first] = journalFiles(run);
    const before = fs.statSync(path.join(run, JOURNAL_FOLDER, first!));
    const other = new ChunkedFsRunLogStore({ log_folder: dir });
    await other.apply('rw', [{ op: 'step', step: stepLog('a', 'SUCCESS') }]);
    const after = fs.statSync(path.join(run, JOURNAL_FOLDER, first!));
    expect([after.ino, after.size, after.mtimeMs]).toEqual([before.ino, before.size, before.mtimeMs]);
    expect(journalFiles(run)).toHaveLength(2);
    const last = journalLines(run).filter((l) => l.k === 'StepLog-a.json').pop()!;
    expect(last.r).toEqual({ seq: seqA, step: stepLog('a', 'SUCCESS') });
    const log = await store.get('rw');
    expect(Object.keys(log.steps)).toEqual(['a', 'b']);
    expect(log.steps.a!.status).toBe('SUCCESS');
  });

  it('a record keeps the seq of its first write even when a writer that had not seen it gives it another', async () => {
    const dir = tmp();
    const a = new ChunkedFsRunLogStore({ log_folder: dir });
    const b = new ChunkedFsRunLogStore({ log_folder: dir });
    await a.create(newRunLog('late'));
    await b.apply('late', [{ op: 'step', step: stepLog('first') }]); // b reads the run now
    await a.apply('late', [{ op: 'step', step: stepLog('c', 'PROCESSING') }]);
    await a.apply('late', [{ op: 'step', step: stepLog('d') }]);
    await b.apply('late', [{ op: 'step', step: stepLog('c', 'SUCCESS') }]); // b never read c: a new seq, after d's
    for (const reader of [a, b, new ChunkedFsRunLogStore({ log_folder: dir })]) {
      const log = await reader.get('late');
      expect(Object.keys(log.steps)).toEqual(['first', 'c', 'd']);
      expect(log.steps.c!.status).toBe('SUCCESS'); // the later write wins
    }
  });

  it('encodes parameter names unambiguously', () => {
    const names = ['', 'plain', 'a/b', '%', '%25', '~', '~25', '~7E', 'with space', 'ünïcødé', '日本語', '🙂', 'a.b-c_d', '..', 'A%b%C', '\n\t'];
    const encoded = names.map(encodeParameterName);
    expect(new Set(encoded).size).toBe(names.length);
    for (const [i, e] of encoded.entries()) {
      expect(e).toMatch(/^(?:[A-Za-z0-9._-]|~[0-9A-F]{2})*$/); // no `%`, no `/`
      expect(decodeParameterName(e)).toBe(names[i]);
      expect(parseFileName(parameterFileName(names[i]!))).toEqual({ kind: 'parameter', name: names[i] });
      expect(parseFileName(parameterFileName(names[i]!, 'map.3.inner.x'))).toEqual({ kind: 'parameter', scope: 'map.3.inner.x', name: names[i] });
    }
    expect(decodeParameterName('a%b')).toBeUndefined();
    expect(decodeParameterName('~ZZ')).toBeUndefined();
  });

  it('hashes names too long for a file name; they still read back', async () => {
    const dir = tmp();
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    const longParam = 'é'.repeat(100);
    const longStep = 's'.repeat(300);
    expect(parameterFileName(longParam)).toMatch(/^Parameter-~~[0-9a-f]{64}\.json$/);
    expect(stepFileName(longStep)).toMatch(/^StepLog-~~[0-9a-f]{64}\.json$/);
    await store.create(newRunLog('long'));
    await store.apply('long', [
      { op: 'step', step: stepLog(longStep, 'PROCESSING', 'parallel') },
      { op: 'branch', branch: { internal_name: `${longStep}.b`, status: 'PROCESSING', parameters: { [longParam]: param(1) } } },
      { op: 'params', params: { [longParam]: param(2) } },
      { op: 'step', step: stepLog(`${longStep}.b.t`) },
      { op: 'step', step: stepLog(longStep, 'SUCCESS', 'parallel') },
    ]);
    const log = await store.get('long');
    expect(log.parameters[longParam]!.value).toBe(2);
    expect(log.steps[longStep]!.status).toBe('SUCCESS');
    const b = log.steps[longStep]!.branches[`${longStep}.b`]!;
    expect(b.parameters[longParam]!.value).toBe(1);
    expect(Object.keys(b.steps)).toEqual([`${longStep}.b.t`]);
    // re-creating the branch replaces its parameters, hashed file names included
    await store.apply('long', [{ op: 'branch', branch: { internal_name: `${longStep}.b`, status: 'SUCCESS', parameters: {} } }]);
    expect((await store.get('long')).steps[longStep]!.branches[`${longStep}.b`]!.parameters).toEqual({});
    expect(fs.readdirSync(path.join(dir, 'long')).every((f) => Buffer.byteLength(f) <= 200)).toBe(true);
  });

  it('ignores temp files and folders that are not runs; lists runs; describes and configures', async () => {
    const dir = tmp();
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    expect(await store.list()).toEqual([]);
    await store.create(newRunLog('r1'));
    await store.apply('r1', [{ op: 'step', step: stepLog('a') }]);
    fs.writeFileSync(path.join(dir, 'r1', '.StepLog-ghost.json.123.abcd.tmp'), '{"seq": 1, "step": {"internal_n');
    fs.writeFileSync(path.join(dir, 'r1', '.Parameter-y.json.123.abcd.tmp'), 'garbage');
    fs.mkdirSync(path.join(dir, 'not-a-run'));
    fs.mkdirSync(path.join(dir, '.r2.99.abcd.creating'));
    fs.writeFileSync(path.join(dir, '.r2.99.abcd.creating', 'RunLog.json'), JSON.stringify(newRunLog('r2')));
    fs.writeFileSync(path.join(dir, 'stray.json'), '{}');
    expect(await store.list()).toEqual(['r1']);
    expect(Object.keys((await store.get('r1')).steps)).toEqual(['a']);
    expect(await store.exists('r1')).toBe(true);
    expect(await store.exists('not-a-run')).toBe(false);
    await expect(store.get('not-a-run')).rejects.toBeInstanceOf(RunLogNotFoundError);
    // a run that does not exist is not created by apply
    await expect(store.apply('ghost', [{ op: 'step', step: stepLog('a') }])).rejects.toBeInstanceOf(RunLogNotFoundError);
    expect(fs.existsSync(path.join(dir, 'ghost'))).toBe(false);

    expect(store.type).toBe('chunked-fs');
    expect(store.describe('r1')).toBe(path.relative(process.cwd(), path.join(dir, 'r1')));
    expect(store.config()).toEqual({ service_name: 'chunked-fs', service_type: 'run_log_store', log_folder: dir });
    expect(new ChunkedFsRunLogStore().config()).toEqual({ service_name: 'chunked-fs', service_type: 'run_log_store', log_folder: '.run_log_store' });
    await store.close('r1');
    await store.close('never-opened');
    expect(Object.keys((await store.get('r1')).steps)).toEqual(['a']);
  });

  it('creates the whole run at once: steps and branches carried by create() are split into records', async () => {
    const dir = tmp();
    const memory = new MemoryRunLogStore();
    const chunked = new ChunkedFsRunLogStore({ log_folder: dir });
    const run = newRunLog('pre');
    const par = stepLog('par', 'SUCCESS', 'parallel');
    par.branches = {
      'par.b': { internal_name: 'par.b', status: 'SUCCESS', parameters: { p: param(1) }, steps: { 'par.b.t': stepLog('par.b.t') } },
    };
    run.steps = { a: stepLog('a'), par };
    await memory.create(run);
    await chunked.create(run);
    expect(JSON.stringify(await chunked.get('pre'))).toBe(JSON.stringify(await memory.get('pre')));
    expect(fs.readdirSync(path.join(dir, 'pre')).sort()).toEqual(
      ['RunLog.json', 'Parameter-x.json', 'StepLog-a.json', 'StepLog-par.json', 'BranchLog-par.b.json', 'Parameter-par.b%p.json', 'StepLog-par.b.t.json'].sort(),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('chunked-fs run log store: flat write cost', () => {
  /** The files of `dir` created or replaced since `marker` was written (ctime at or after the marker's). */
  const writtenSince = (dir: string, marker: string) => {
    const since = fs.statSync(marker, { bigint: true }).ctimeNs;
    return fs
      .readdirSync(dir)
      .map((f) => ({ f, st: fs.statSync(path.join(dir, f), { bigint: true }) }))
      .filter(({ st }) => st.ctimeNs >= since)
      .map(({ f, st }) => ({ f, size: Number(st.size) }))
      .sort((a, b) => a.f.localeCompare(b.f));
  };

  it('writing step 1000 appends the same lines and bytes to the same journal as writing step 10, and nothing else', async () => {
    const root = tmp();
    const dir = path.join(root, 'logs');
    const run = path.join(dir, 'flat');
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    await store.create(newRunLog('flat'));
    const triple = async (i: number) => {
      await store.apply('flat', [{ op: 'step', step: stepLog(`s${i}`, 'PROCESSING') }]);
      await store.apply('flat', [
        { op: 'params', params: { [`p${i}`]: param(i) } },
        { op: 'step', step: stepLog(`s${i}`, 'SUCCESS') },
      ]);
    };
    const measured = async (i: number) => {
      const files = () => allFiles(run).map((f) => [f, fs.statSync(path.join(run, f)).size] as const);
      const before = files();
      await triple(i);
      const after = files();
      expect(after.map(([f]) => f)).toEqual(before.map(([f]) => f)); // no file created
      const changed = after.filter(([f, size], j) => size !== before[j]![1]);
      expect(changed).toHaveLength(1); // one journal grew
      const lines = journalLines(run).slice(-3);
      expect(lines.map((l) => l.k)).toEqual([`StepLog-s${i}.json`, `Parameter-p${i}.json`, `StepLog-s${i}.json`]);
      return changed[0]![1] - before.find(([f]) => f === changed[0]![0])![1];
    };
    let at10 = 0;
    let at1000 = 0;
    for (let i = 1; i <= 1000; i++) {
      if (i === 10) at10 = await measured(i);
      else if (i === 1000) at1000 = await measured(i);
      else await triple(i);
    }
    // only the step's own records: the same size up to the longer names/numbers ("s1000" vs "s10")
    expect(Math.abs(at1000 - at10)).toBeLessThanOrEqual(20);
    expect(fs.readdirSync(run).sort()).toEqual(['Parameter-x.json', 'RunLog.json', JOURNAL_FOLDER]);
    expect(journalFiles(run)).toHaveLength(1);
    expect(Object.keys((await store.get('flat')).steps)).toHaveLength(1000);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('chunked-fs run log store: journals', () => {
  it('reads a run written by the first layout (one file per record), and continues it in a journal', async () => {
    // test/fixtures/chunked-fs-v1: a real run (a map over 3 items) written by the chunked-fs store of version 1, and
    // the run log that store read back from it
    const fixture = path.join(ROOT, 'test/fixtures/chunked-fs-v1');
    const dir = tmp();
    fs.cpSync(path.join(fixture, 'run_logs'), dir, { recursive: true });
    const expected = readJson(path.join(fixture, 'expected-run-log.json'));
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    expect(await store.get('old-layout-1')).toEqual(expected);
    expect(JSON.stringify(await store.get('old-layout-1'))).toBe(JSON.stringify(expected)); // key order too
    expect((await store.getStep('old-layout-1', 'm.2.double'))?.status).toBe('SUCCESS');

    const run = path.join(dir, 'old-layout-1');
    const filesBefore = allFiles(run).map((f) => [f, fs.readFileSync(path.join(run, f), 'utf8')]);
    await store.apply('old-layout-1', [
      { op: 'status', status: 'PROCESSING' },
      { op: 'step', step: stepLog('m.2.double', 'FAIL') },
      { op: 'params', branch: 'm.2', params: { y: param(40) } },
      { op: 'step', step: stepLog('later') },
    ]);
    // the record files are left as they were: the changes are in a journal
    expect(allFiles(run).filter((f) => !f.startsWith(JOURNAL_FOLDER)).map((f) => [f, fs.readFileSync(path.join(run, f), 'utf8')])).toEqual(filesBefore);
    const log = await new ChunkedFsRunLogStore({ log_folder: dir }).get('old-layout-1');
    expect(log.status).toBe('PROCESSING');
    expect(log.steps.m!.branches['m.2']!.steps['m.2.double']!.status).toBe('FAIL');
    // a value written in a branch of the old layout (no gen) counts in that branch
    expect(log.steps.m!.branches['m.2']!.parameters.y).toEqual(param(40));
    expect(Object.keys(log.steps)).toEqual([...Object.keys(expected.steps), 'later']);
  });

  it('a last line without its newline (a torn write) is not read; the next writer writes a journal of its own', async () => {
    const dir = tmp();
    const run = path.join(dir, 'torn');
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    await store.create(newRunLog('torn'));
    await store.apply('torn', [{ op: 'step', step: stepLog('a') }]);
    await store.close('torn');
    const [journal] = journalFiles(run);
    fs.appendFileSync(path.join(run, JOURNAL_FOLDER, journal!), '{"w":99999999999999999,"k":"StepLog-b.json","r":{"seq":1,"st');
    const again = new ChunkedFsRunLogStore({ log_folder: dir });
    expect(Object.keys((await again.get('torn')).steps)).toEqual(['a']);
    await again.apply('torn', [{ op: 'step', step: stepLog('c') }]);
    expect(journalFiles(run)).toHaveLength(2);
    expect(Object.keys((await again.get('torn')).steps)).toEqual(['a', 'c']);
  });

  it('a corrupt line, or a line of the wrong shape, is a RunLogIntegrityError naming the journal and the line', async () => {
    const dir = tmp();
    const run = path.join(dir, 'bad');
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    await store.create(newRunLog('bad'));
    await store.apply('bad', [{ op: 'step', step: stepLog('a') }]);
    await store.apply('bad', [{ op: 'step', step: stepLog('b') }]);
    await store.close('bad');
    const file = path.join(run, JOURNAL_FOLDER, journalFiles(run)[0]!);
    const good = fs.readFileSync(file, 'utf8').split('\n');
    for (const [line, why] of [
      ['{"w": 1, "k": "StepLog-a.js', /is corrupt at line 1: .*JSON/],
      ['{"w": 1, "k": "nonsense", "r": {}}', /is corrupt at line 1: it is not a record line/],
      ['{"w": 1, "k": "StepLog-a.json", "r": {}}', /record StepLog-a\.json \(.* line 1\) is damaged: it has no 'seq'/],
    ] as const) {
      fs.writeFileSync(file, [line, ...good.slice(1)].join('\n'));
      const err = (await new ChunkedFsRunLogStore({ log_folder: dir }).get('bad').catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(RunLogIntegrityError);
      expect(err.message).toContain(file);
      expect(err.message).toMatch(why);
    }
  });

  it('several writers write journals in several shard folders; each shard holds only its own writers', async () => {
    const dir = tmp();
    const run = path.join(dir, 'many');
    await new ChunkedFsRunLogStore({ log_folder: dir }).create(newRunLog('many'));
    for (let i = 0; i < 40; i++) await new ChunkedFsRunLogStore({ log_folder: dir }).apply('many', [{ op: 'step', step: stepLog(`s${i}`) }]);
    const shards = fs.readdirSync(path.join(run, JOURNAL_FOLDER));
    expect(shards.length).toBeGreaterThan(1);
    for (const shard of shards) {
      expect(shard).toMatch(/^[0-9a-f]{2}$/);
      for (const f of fs.readdirSync(path.join(run, JOURNAL_FOLDER, shard))) expect(f.startsWith(shard)).toBe(true);
    }
    expect(journalFiles(run)).toHaveLength(40);
    expect(Object.keys((await new ChunkedFsRunLogStore({ log_folder: dir }).get('many')).steps)).toEqual(Array.from({ length: 40 }, (_, i) => `s${i}`));
  });
});
