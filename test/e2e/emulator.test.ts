import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmulatorExecutor } from '../../src/executors/emulator';
import { ExecutorSetupError } from '../../src/engine/remote';
import { pipeline, task } from '../../src/index';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import { BIN, ROOT, runnable, tmpDir } from '../helpers/cli';

const FIXTURES = path.join(ROOT, 'test/fixtures/executors');
const CONFIG = 'executor:\n  type: emulator\nrunLogStore:\n  type: chunked-fs\n';

/** Whether a process runs (a zombie waiting to be reaped by an init that never does so has ended). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return false;
  }
}

function project(config = CONFIG): string {
  const cwd = tmpDir('rt-emulator-');
  fs.writeFileSync(path.join(cwd, 'package.json'), '{"private":true}');
  fs.writeFileSync(path.join(cwd, 'runnable.config.yaml'), config);
  return cwd;
}

describe('the emulator executor', () => {
  it('refuses a run-log store that one process keeps to itself, naming chunked-fs, before creating the run', async () => {
    const cwd = project('executor:\n  type: emulator\n');
    const out = await runnable(['run', path.join(FIXTURES, 'from-code.ts'), '--run-id', 'refused'], { cwd });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("the 'file-system' run-log store keeps each run in one process. Use the 'chunked-fs' store");
    expect(fs.existsSync(path.join(cwd, '.run_log_store', 'refused.json'))).toBe(false);
  });

  it('refuses a pipeline it cannot locate (built in code, not exported), saying how to fix it', async () => {
    const p = pipeline('hidden').step(task(() => ({ a: 1 }), { name: 'a', returns: ['a'] })).build();
    const err = await p
      .execute({ executor: new EmulatorExecutor(), runLogStore: new ChunkedFsRunLogStore({ log_folder: tmpDir() }), quiet: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecutorSetupError);
    expect((err as Error).message).toContain("run it with 'runnable run <file>', or export the pipeline from the module that builds it");
  });

  it('finds an exported pipeline executed from code and runs its step in another process', () => {
    const cwd = project();
    const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'lib/register.js'), path.join(FIXTURES, 'from-code.ts')], { cwd, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const [, status, stepPid, parentPid] = /done (\w+) (\d+) (\d+)/.exec(r.stdout) ?? [];
    expect(status).toBe('SUCCESS');
    expect(stepPid).not.toBe(parentPid);
  });

  it('Ctrl-C stops a synchronous CPU-bound step: its process is killed, the attempt is recorded as interrupted', async () => {
    const cwd = project();
    const child = spawn(process.execPath, [BIN, 'run', path.join(FIXTURES, 'busy.ts'), '--run-id', 'busy'], { cwd, env: { ...process.env, CI: 'true' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const pidFile = path.join(cwd, 'step.pid');
    for (let i = 0; i < 600 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    const stepPid = Number(fs.readFileSync(pidFile, 'utf8'));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stderr).toContain('Run busy interrupted (SIGINT)');
    expect(running(stepPid)).toBe(false); // the step's process is gone
    const log = await new ChunkedFsRunLogStore({ log_folder: path.join(cwd, '.run_log_store') }).get('busy');
    expect(log.status).toBe('FAIL');
    expect(log.steps.spin!.attempts.map((a) => a.error_type)).toEqual(['Interrupted']);
  });
});
