/**
 * Attacks on the step cache (docs/caching.md): a reused output must be exactly what the earlier run recorded, and
 * the index is data, not authority. Each case ends with the step EXECUTED (never a wrong value reused).
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileSystemCatalog, FileSystemRunLogStore, pipeline, pickled, task, type ExecuteOptions, type Reporter } from '../../src/index';
import { SilentReporter } from '../../src/engine/reporter';
import { WarningsReporter } from '../helpers/warnings-reporter';
import type { StepCacheEntry } from '../../src/stores/run-log/store';

const calls: string[] = [];
const make = task(({ n }: { n: number }) => (calls.push('make'), { data: { values: Array.from({ length: n }, (_, i) => i * 2) } }), {
  name: 'make',
  returns: [pickled('data')],
  cache: true,
});
const use = task(({ data }: { data: { values: number[] } }) => (calls.push('use'), { sum: data.values.reduce((a, b) => a + b, 0) }), { name: 'use', returns: ['sum'], cache: true });
const p = pipeline('attacked').params<{ n: number }>().step(make).step(use).build();


function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-cache-attack-'));
  const logs = path.join(dir, 'logs');
  const cat = path.join(dir, 'catalog');
  const store = new FileSystemRunLogStore({ log_folder: logs });
  const opts = (runId: string, reporter: Reporter = new SilentReporter()): ExecuteOptions => ({
    runId,
    runLogStore: new FileSystemRunLogStore({ log_folder: logs }),
    catalog: new FileSystemCatalog({ catalog_location: cat, compute_data_folder: dir }),
    reporter,
    env: {},
    params: { n: 5 },
  });
  const entries = async (): Promise<StepCacheEntry[]> => {
    const out: StepCacheEntry[] = [];
    for (const shard of fs.readdirSync(path.join(logs, '.step-cache'))) {
      for (const f of fs.readdirSync(path.join(logs, '.step-cache', shard))) out.push(JSON.parse(fs.readFileSync(path.join(logs, '.step-cache', shard, f), 'utf8')) as StepCacheEntry);
    }
    return out;
  };
  return { dir, logs, cat, store, opts, entries };
}

beforeEach(() => (calls.length = 0));

describe('step cache attacks', () => {
  it('a pickled output changed after its run (same size, one byte) is not reused: the step runs, with a warning naming the file', async () => {
    const s = setup();
    await p.execute(s.opts('src'));
    const file = path.join(s.cat, 'src', 'make', 'data.superjson');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('"values":[0,2', '"values":[0,3'));
    calls.length = 0;
    const w = new WarningsReporter();
    const r = await p.execute(s.opts('victim', w));
    expect(calls).toEqual(['make']); // 'use' reads the fresh value, whose hash is the original one: reused
    expect(r.runLog.steps.make!.cached_from).toBeUndefined();
    expect(r.runLog.parameters.sum!.value).toBe(20);
    expect(w.warnings.join('\n')).toMatch(/Step 'make': not reusing the cached outputs of run src: 'src\/make\/data.superjson' does not match its recorded SHA-256/);
  });

  it('a deleted output is not reused', async () => {
    const s = setup();
    await p.execute(s.opts('src'));
    fs.rmSync(path.join(s.cat, 'src', 'make', 'data.superjson'));
    calls.length = 0;
    const w = new WarningsReporter();
    await p.execute(s.opts('victim', w));
    expect(calls).toEqual(['make']);
    expect(w.warnings.join('\n')).toMatch(/'src\/make\/data.superjson' is missing from the catalog/);
  });

  it('an edited run log (the recorded fingerprint of the step changed) no longer matches the entry: nothing is reused from it', async () => {
    const s = setup();
    await p.execute(s.opts('src'));
    const logFile = path.join(s.logs, 'src.json');
    const log = JSON.parse(fs.readFileSync(logFile, 'utf8'));
    // forge the step's fingerprint: the entry no longer vouches for this step log
    log.steps.use.fingerprint = '0'.repeat(64);
    fs.writeFileSync(logFile, JSON.stringify(log));
    calls.length = 0;
    const r = await p.execute(s.opts('victim'));
    expect(calls).toEqual(['use']);
    expect(r.runLog.steps.use!.cached_from).toBeUndefined();
  });

  it('a forged index entry pointing outside the store (run id ../x) or at another step is never followed', async () => {
    const s = setup();
    await p.execute(s.opts('src'));
    const real = (await s.entries()).find((e) => e.step === 'make')!;
    // the original entries are removed; only forged ones remain
    fs.rmSync(path.join(s.logs, '.step-cache'), { recursive: true });
    const outside = path.join(s.dir, 'x.json');
    fs.copyFileSync(path.join(s.logs, 'src.json'), outside); // a run log one folder up, reachable as '../x'
    const forge = (e: StepCacheEntry) => s.store.putCacheEntry(e);
    await forge({ ...real, run_id: '../x' });
    await forge({ ...real, step: 'use' });
    calls.length = 0;
    const r = await p.execute(s.opts('victim'));
    expect(calls).toEqual(['make', 'use']);
    expect(r.runLog.steps.make!.cached_from).toBeUndefined();
  });

  it('an entry of a run that failed is not used, even when its step succeeded', async () => {
    const s = setup();
    await p.execute(s.opts('src'));
    const logFile = path.join(s.logs, 'src.json');
    const log = JSON.parse(fs.readFileSync(logFile, 'utf8'));
    log.status = 'FAIL';
    fs.writeFileSync(logFile, JSON.stringify(log));
    calls.length = 0;
    await p.execute(s.opts('victim'));
    expect(calls).toEqual(['make', 'use']);
  });
});
