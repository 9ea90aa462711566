import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryCatalog, MemoryRunLogStore, SilentReporter, pipeline, task, type RunLogStore } from '../../src/index';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import { FileSystemRunLogStore } from '../../src/stores/run-log/file-system';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rt-retry-'));

describe.each([
  ['memory', () => new MemoryRunLogStore()],
  ['file-system', () => new FileSystemRunLogStore({ log_folder: tmp() })],
  ['chunked-fs', () => new ChunkedFsRunLogStore({ log_folder: tmp() })],
] as [string, () => RunLogStore][])('retry with the %s run-log store', (_name, make) => {
  it('skips succeeded steps, reuses their outputs and numbers attempts on', async () => {
    const calls: string[] = [];
    let broken = true;
    const a = task(() => (calls.push('a'), { v: 1 }), { name: 'a', returns: ['v'] });
    const b = task(({ v }: { v: number }) => {
      calls.push('b');
      if (broken) throw new Error('broken');
      return { w: v + 1 };
    }, { name: 'b', returns: ['w'] });
    const p = pipeline('r').step(a).step(b).build();
    const store = make();
    const opts = { runLogStore: store, catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {} };
    await p.execute({ ...opts, runId: 'r-1' }).catch(() => undefined);
    broken = false;
    const r = await p.execute({ ...opts, retryRunId: 'r-1' });
    expect(calls).toEqual(['a', 'b', 'b']);
    expect(r.runLog.parameters.w!.value).toBe(2);
    expect(r.runLog.steps.b!.attempts.map((x) => x.attempt_number)).toEqual([1, 2]);
    expect(r.runLog.status).toBe('SUCCESS');
  });
});
