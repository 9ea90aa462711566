/**
 * What each run-log store claims in `capabilities` (crossProcess, concurrentWriters) is proved here with real child
 * processes for the stores that claim it, and disproved for the ones that do not (so the claim is honest, and
 * executors that run steps in other processes are right to refuse them).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { newRunLog, stepLog } from 'runnable-ts/testing';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import { FileSystemRunLogStore } from '../../src/stores/run-log/file-system';
import { MemoryRunLogStore } from '../../src/stores/run-log/memory';

const ROOT = path.resolve(__dirname, '../..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rt-capabilities-'));

function writer(args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), path.join(__dirname, 'chunked-fs.worker.ts'), ...args], { cwd: ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

describe('run-log store capabilities', () => {
  it('each built-in store states what it can do', () => {
    expect(new MemoryRunLogStore().capabilities).toEqual({ crossProcess: false, concurrentWriters: false });
    expect(new FileSystemRunLogStore({ log_folder: tmp() }).capabilities).toEqual({ crossProcess: false, concurrentWriters: false });
    expect(new ChunkedFsRunLogStore({ log_folder: tmp() }).capabilities).toEqual({ crossProcess: true, concurrentWriters: true });
  });

  it('chunked-fs: an instance sees what other processes wrote at once (getStep), and its own later writes keep it', async () => {
    const dir = tmp();
    const parent = new ChunkedFsRunLogStore({ log_folder: dir });
    await parent.create(newRunLog('cross'));
    await parent.apply('cross', [{ op: 'step', step: stepLog('par', 'PROCESSING', 'parallel') }]);
    const barrier = tmp();
    const exits = Promise.all([0, 1, 2].map((i) => writer(['write', dir, 'cross', `par.b${i}`, '20', barrier])));
    while (fs.readdirSync(barrier).filter((f) => f.startsWith('ready.')).length < 3) await new Promise((r) => setTimeout(r, 10));
    fs.writeFileSync(path.join(barrier, 'go'), '');
    expect(await exits).toEqual([0, 0, 0]);
    for (const i of [0, 1, 2]) expect((await parent.getStep('cross', `par.b${i}.s19`))?.status).toBe('SUCCESS');
    await parent.apply('cross', [{ op: 'step', step: stepLog('par', 'SUCCESS', 'parallel') }, { op: 'status', status: 'SUCCESS' }]);
    await parent.close('cross');
    const log = await new ChunkedFsRunLogStore({ log_folder: dir }).get('cross');
    expect(Object.keys(log.steps.par!.branches).sort()).toEqual(['par.b0', 'par.b1', 'par.b2']);
    for (const b of Object.values(log.steps.par!.branches)) expect(Object.keys(b.steps)).toHaveLength(20);
  });

  it('file-system does not claim crossProcess, rightly: a step another process wrote is lost when the first compacts', async () => {
    const dir = tmp();
    const first = new FileSystemRunLogStore({ log_folder: dir });
    await first.create(newRunLog('single'));
    await first.apply('single', [{ op: 'step', step: stepLog('a', 'SUCCESS') }]);
    const other = new FileSystemRunLogStore({ log_folder: dir }); // another process: its own view of the run
    await other.apply('single', [{ op: 'step', step: stepLog('b', 'SUCCESS') }]);
    await other.close('single');
    await first.apply('single', [{ op: 'step', step: stepLog('c', 'SUCCESS') }]);
    await first.close('single');
    const steps = Object.keys((await new FileSystemRunLogStore({ log_folder: dir }).get('single')).steps);
    expect(steps).toContain('a');
    expect(steps).toContain('c');
    expect(steps).not.toContain('b');
  });
});
