import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { newRunLog, stepLog } from 'runnable-ts/testing';
import { runnable, tmpDir } from '../helpers/cli';
import { FAULT_FIXTURES, useStore } from './ownership-helpers';
import { ChunkedFsRunLogStore, JOURNAL_FOLDER, branchFileName, parameterFileName } from '../../src/stores/run-log/chunked-fs';
import { FileSystemRunLogStore } from '../../src/stores/run-log/file-system';
import { MemoryCatalog, RunLogIntegrityError, SilentReporter, pipeline, task, type RunLogStore } from '../../src/index';
import type { Parameter } from '../../src/stores/run-log/types';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rt-crash-unit-'));
const param = (value: unknown): Parameter => ({ kind: 'json', value, description: JSON.stringify(value) });
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** A store module loaded in isolation after `spy` is installed on node:fs, so the spy sees the module's calls. */
function withFsSpy<M>(method: 'readdirSync' | 'fsyncSync', modulePath: string): { mod: M; spy: jest.SpyInstance } {
  const realFs = jest.requireActual('node:fs') as typeof fs;
  const spy = jest.spyOn(realFs, method);
  let mod!: M;
  jest.isolateModules(() => {
    mod = require(modulePath) as M;
  });
  return { mod, spy };
}
afterEach(() => jest.restoreAllMocks());

/** The journal files of a chunked-fs run folder. */
const journals = (run: string): string[] =>
  (fs.readdirSync(path.join(run, JOURNAL_FOLDER), { recursive: true }) as string[]).map((f) => path.join(run, JOURNAL_FOLDER, f)).filter((f) => f.endsWith('.jsonl'));
/** The records of a chunked-fs run's journals, every line in write order: `{ w, k (key), r (record) }`. */
const journalEntries = (run: string): { w: number; k: string; r: any }[] =>
  journals(run).flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))).sort((a, b) => a.w - b.w);
/** Rewrites every line of a chunked-fs run's journals through `edit` (undefined: the line is dropped). */
function editJournals(run: string, edit: (e: { w: number; k: string; r: any }) => { w: number; k: string; r: any } | undefined): void {
  for (const f of journals(run)) {
    const lines = fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => edit(JSON.parse(l))).filter((e) => e !== undefined);
    fs.writeFileSync(f, lines.map((e) => JSON.stringify(e) + '\n').join(''));
  }
}

describe('chunked-fs: a branch and its parameters are one record', () => {
  it('creating a branch writes one record that holds its iteration value; no separate parameter record to lose', async () => {
    const dir = tmp();
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    await store.create(newRunLog('b1'));
    await store.apply('b1', [
      { op: 'step', step: stepLog('each', 'PROCESSING', 'map') },
      { op: 'branch', branch: { internal_name: 'each.3', status: 'PROCESSING', parameters: { item: param(3) } } },
    ]);
    const entries = journalEntries(path.join(dir, 'b1'));
    expect(entries.map((e) => e.k)).toEqual(['StepLog-each.json', branchFileName('each.3')]); // no parameterFileName('item', 'each.3')
    expect(entries[1]!.r.branch.parameters).toEqual({ item: param(3) });
    const log = await new ChunkedFsRunLogStore({ log_folder: dir }).get('b1');
    expect(log.steps.each!.branches['each.3']!.parameters).toEqual({ item: param(3) });
  });

  it('re-creating branches (a retry) reads the run once, not once per branch, and the values of the earlier incarnation no longer count', async () => {
    const dir = tmp();
    const first = new ChunkedFsRunLogStore({ log_folder: dir });
    await first.create(newRunLog('b2'));
    await first.apply('b2', [
      { op: 'step', step: stepLog('each', 'PROCESSING', 'map') },
      { op: 'branch', branch: { internal_name: 'each.0', status: 'PROCESSING', parameters: { item: param(0) } } },
      { op: 'params', branch: 'each.0', params: { stale: param('from the first attempt'), out: param(1) } },
    ]);
    for (let i = 1; i < 200; i++) await first.apply('b2', [{ op: 'step', step: stepLog(`filler${i}`) }]);
    // a new process (retry) re-creates the branch with its values as they were read
    const { mod, spy } = withFsSpy<typeof import('../../src/stores/run-log/chunked-fs')>('readdirSync', '../../src/stores/run-log/chunked-fs');
    const retry = new mod.ChunkedFsRunLogStore({ log_folder: dir });
    const run = path.join(dir, 'b2');
    const recreate = (i: number, out: number) =>
      retry.apply('b2', [
        { op: 'branch', branch: { internal_name: `each.${i}`, status: 'PROCESSING', parameters: { item: param(i), out: param(1) } } },
        { op: 'params', branch: `each.${i}`, params: { out: param(out) } },
        { op: 'status', branch: `each.${i}`, status: 'SUCCESS' },
      ]);
    await recreate(0, 2);
    const listingsOfRun = () => spy.mock.calls.filter(([p]) => path.resolve(String(p)) === run).length;
    expect(listingsOfRun()).toBe(1); // the retry's first write reads the run once
    const callsAfterFirst = spy.mock.calls.length;
    for (let i = 1; i <= 50; i++) await recreate(i, i);
    expect(listingsOfRun()).toBe(1); // never again: O(branch) per branch, not a listing of the 200-step run folder
    // a status change reads what other writers appended: it lists the journal folder and its shards, nothing more
    const shards = fs.readdirSync(path.join(run, JOURNAL_FOLDER)).length; // the first writer's and the retry's
    expect((spy.mock.calls.length - callsAfterFirst) / 50).toBe(1 + shards);
    const b = (await retry.get('b2')).steps.each!.branches['each.0']!;
    expect(b.parameters).toEqual({ item: param(0), out: param(2) });
    expect(b.status).toBe('SUCCESS');
  });

  it('a retry finishes a map whose branch record lost its iteration value (a crash of an older version): the item is derived again', async () => {
    const dir = tmp();
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    let broken = true;
    const items = task(() => ({ xs: [1, 2, 3] }), { name: 'items', returns: ['xs'] });
    const double = task(({ x }: { x: number }) => {
      if (broken && x === 2) throw new Error('flaky');
      return { y: x * 2 };
    }, { name: 'double', returns: ['y'] });
    const sum = task(({ y }: { y: number[] }) => ({ total: y.reduce((a, b) => a + b, 0) }), { name: 'sum', returns: ['total'] });
    const p = pipeline('m').step(items).map('each', { over: 'xs', as: 'x', branch: pipeline('b').params<{ x: number }>().step(double).build() }).step(sum).build();
    const opts = { runLogStore: store, catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {} };
    await p.execute({ ...opts, runId: 'legacy' }).catch(() => undefined);
    // the state an older version could leave: the failed branch's record without its item
    const key = branchFileName('each.2');
    expect(journalEntries(path.join(dir, 'legacy')).filter((e) => e.k === key).pop()!.r.branch.parameters.x).toEqual(param(2));
    editJournals(path.join(dir, 'legacy'), (e) => {
      if (e.k === key) delete e.r.branch.parameters.x;
      return e;
    });
    broken = false;
    const r = await p.execute({ ...opts, retryRunId: 'legacy' });
    expect(r.runLog.parameters.total!.value).toBe(12); // not NaN
  });
});

describe('file-system: a torn journal tail is cut before appending', () => {
  it('a line torn by a crash never becomes a corrupt middle line when a retry appends', async () => {
    const dir = tmp();
    const crashed = new FileSystemRunLogStore({ log_folder: dir });
    await crashed.create(newRunLog('t1'));
    await crashed.apply('t1', [{ op: 'step', step: stepLog('done') }]);
    const journal = path.join(dir, 't1.journal.jsonl');
    fs.appendFileSync(journal, '{"op":"step","step":{"name":"hal'); // the crash
    const retry = new FileSystemRunLogStore({ log_folder: dir });
    await retry.apply('t1', [{ op: 'step', step: stepLog('after') }]);
    const lines = fs.readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(Object.keys((await new FileSystemRunLogStore({ log_folder: dir }).get('t1')).steps)).toEqual(['done', 'after']);
  });

  it('a complete last line without its newline is kept, and the next line starts on a line of its own', async () => {
    const dir = tmp();
    const crashed = new FileSystemRunLogStore({ log_folder: dir });
    await crashed.create(newRunLog('t2'));
    const journal = path.join(dir, 't2.journal.jsonl');
    fs.writeFileSync(journal, JSON.stringify({ op: 'step', step: stepLog('unterminated') }));
    await new FileSystemRunLogStore({ log_folder: dir }).apply('t2', [{ op: 'step', step: stepLog('next') }]);
    expect(Object.keys((await new FileSystemRunLogStore({ log_folder: dir }).get('t2')).steps)).toEqual(['unterminated', 'next']);
  });

  it('an atomic rewrite of the run log fsyncs the file before the rename and the folder after it', async () => {
    const { mod, spy } = withFsSpy<typeof import('../../src/stores/run-log/file-system')>('fsyncSync', '../../src/stores/run-log/file-system');
    const dir = tmp();
    const store = new mod.FileSystemRunLogStore({ log_folder: dir });
    await store.create(newRunLog('f1'));
    await store.apply('f1', [{ op: 'step', step: stepLog('a') }]);
    spy.mockClear();
    await store.close('f1'); // the final compaction: an atomic rewrite of f1.json
    expect(spy).toHaveBeenCalledTimes(2); // the temp file, then the folder
  });
});

describe('missing or damaged records are integrity errors, never NaN or a TypeError', () => {
  const stores: [string, (dir: string) => RunLogStore, (dir: string, runId: string) => string][] = [
    ['file-system', (dir) => new FileSystemRunLogStore({ log_folder: dir }), (dir, id) => path.join(dir, `${id}.json`)],
    ['chunked-fs', (dir) => new ChunkedFsRunLogStore({ log_folder: dir }), (dir, id) => path.join(dir, id, 'RunLog.json')],
  ];
  it.each(stores)('%s: a run log of the wrong shape ({}), or not JSON, is a RunLogIntegrityError naming the file', async (_n, make, fileOf) => {
    const dir = tmp();
    const store = make(dir);
    await store.create(newRunLog('shape'));
    await store.close('shape');
    const file = fileOf(dir, 'shape');
    for (const [text, why] of [
      ['{}', "it has no 'run_id'"],
      ['[]', 'it is not an object'],
      ['{"run_id":"shape","status":"WEIRD","run_config":{}}', "it has no valid 'status'"],
      ['{ "run_id": ', 'is not valid JSON'],
    ] as const) {
      fs.writeFileSync(file, text);
      const err = (await make(dir).get("shape").catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(RunLogIntegrityError);
      expect(err.message).toContain(file);
      expect(err.message).toContain(why);
    }
  });

  it('file-system: steps of the wrong shape inside a run log are named', async () => {
    const dir = tmp();
    const store = new FileSystemRunLogStore({ log_folder: dir });
    await store.create(newRunLog('steps'));
    await store.close('steps');
    const file = path.join(dir, 'steps.json');
    const log = readJson(file);
    log.steps = { a: { ...stepLog('a'), attempts: 'many' } };
    fs.writeFileSync(file, JSON.stringify(log));
    await expect(new FileSystemRunLogStore({ log_folder: dir }).get('steps')).rejects.toThrow(/is damaged: steps\.a\.attempts is not a list/);
  });

  it('chunked-fs: a damaged step or parameter record is named', async () => {
    const dir = tmp();
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    await store.create(newRunLog('rec'));
    await store.apply('rec', [{ op: 'step', step: stepLog('a') }]);
    fs.writeFileSync(path.join(dir, 'rec', 'StepLog-a.json'), '{}');
    await expect(store.get('rec')).rejects.toThrow(/StepLog-a\.json is damaged: it has no 'seq'/);
    fs.writeFileSync(path.join(dir, 'rec', 'StepLog-a.json'), JSON.stringify({ seq: 1, step: stepLog('a') }));
    fs.writeFileSync(path.join(dir, 'rec', 'Parameter-x.json'), JSON.stringify({ seq: 1, scope: null, name: 'x', parameter: { value: 1 } }));
    await expect(store.get('rec')).rejects.toThrow(/Parameter-x\.json is damaged: its parameter\.x is not a parameter/);
  });

  it.each(['file-system', 'chunked-fs'] as const)('%s CLI: inspect, runs and retry of a damaged run say what is wrong (exit 2), no stack trace', async (storeType) => {
    const cwd = tmpDir('rt-crash-unit-');
    useStore(cwd, storeType);
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'ok');
    expect((await runnable(['run', path.join(FAULT_FIXTURES, 'own-crashy.ts'), '--run-id', 'dmg'], { cwd, env: { RUNNABLE_PRM_k: '3' } })).code).toBe(0);
    const file = storeType === 'file-system' ? path.join(cwd, '.run_log_store/dmg.json') : path.join(cwd, '.run_log_store/dmg/RunLog.json');
    fs.writeFileSync(file, '{}');
    for (const args of [['inspect', 'dmg'], ['retry', 'dmg', '--file', path.join(FAULT_FIXTURES, 'own-crashy.ts')]]) {
      const out = await runnable(args, { cwd });
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/^error: The run log .*dmg.* is damaged: it has no 'run_id'/);
      expect(out.stderr).not.toMatch(/TypeError|\n\s+at /);
    }
    const runs = await runnable(['runs'], { cwd });
    expect(runs.stderr).toMatch(/skipped dmg: The run log .* is damaged/);
  });

  it('chunked-fs: a deleted parameter record of a succeeded step stops the retry with an integrity error naming the step and the value', async () => {
    const dir = tmp();
    const store = new ChunkedFsRunLogStore({ log_folder: dir });
    let broken = true;
    const a = task(() => ({ base: 20 }), { name: 'a', returns: ['base'] });
    const b = task(({ base }: { base: number }) => {
      if (broken) throw new Error('broken');
      return { out: base + 1 };
    }, { name: 'b', returns: ['out'] });
    const p = pipeline('p').step(a).step(b).build();
    const opts = { runLogStore: store, catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {} };
    await p.execute({ ...opts, runId: 'del' }).catch(() => undefined);
    editJournals(path.join(dir, 'del'), (e) => (e.k === parameterFileName('base') ? undefined : e)); // the record of 'base' deleted
    broken = false;
    const err = (await p.execute({ ...opts, retryRunId: "del" }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RunLogIntegrityError);
    expect(err.message).toBe("Run del: step 'a' succeeded and returned 'base', but the run log has no such parameter any more (a record was deleted or edited). The run cannot be resumed safely: start a new run.");
    expect((await store.get('del')).status).toBe('FAIL'); // not left PROCESSING
  });
});

describe('catalog: temp files of an interrupted put are removed on retry', () => {
  it('a retry removes them (once it owns the run) and says so', async () => {
    const cwd = tmpDir('rt-crash-unit-');
    useStore(cwd, 'file-system');
    const pipelineFile = path.join(FAULT_FIXTURES, 'own-blocking.ts');
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'fail');
    expect((await runnable(['run', pipelineFile, '--run-id', 'tmpf'], { cwd })).code).toBe(1);
    const planted = [path.join(cwd, '.catalog/tmpf/numbers/.values.superjson.12345.0a1b2c3d.tmp'), path.join(cwd, '.catalog/tmpf/.report.csv.999.deadbeef.tmp')];
    for (const f of planted) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, 'half a file');
    }
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'ok');
    fs.writeFileSync(path.join(cwd, 'release'), '');
    const retry = await runnable(['retry', 'tmpf'], { cwd });
    expect(retry.code).toBe(0);
    expect(retry.stderr).toContain('Removed 2 temp files left in the catalog of run tmpf by an interrupted write.');
    for (const f of planted) expect(fs.existsSync(f)).toBe(false);
  });
});
