import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, FIXTURES, readRunLog, runIdFrom, runnable, tmpDir } from '../helpers/cli';

/** Starts `runnable run <fixture>`, waits until its step wrote 'started' (plus `after` ms), then sends SIGINT. */
async function interrupt(fixture: string, runId: string, after = 0): Promise<{ cwd: string; code: number | null; stderr: string }> {
  const cwd = tmpDir();
  const child = spawn(process.execPath, [BIN, 'run', path.join(FIXTURES, fixture), '--run-id', runId], { cwd, env: { ...process.env, CI: 'true' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 20_000;
  while (!fs.existsSync(path.join(cwd, 'started')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, after));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { cwd, code, stderr };
}

describe('CLI robustness', () => {
  it('Ctrl-C marks the run FAIL (never left PROCESSING), says how to resume, exits 130', async () => {
    const { cwd, code, stderr } = await interrupt('slow.ts', 'int-1');
    expect(code).toBe(130);
    expect(stderr).toContain('Run int-1 interrupted (SIGINT); it is marked FAIL. Resume it with: runnable retry int-1');
    const log = readRunLog(cwd, 'int-1');
    expect(log.status).toBe('FAIL');
    expect(log.steps.first!.status).toBe('SUCCESS');
    expect(log.steps.slow!.status).toBe('FAIL');
    expect(log.steps.slow!.attempts.map((a) => [a.status, a.error_type])).toEqual([['FAIL', 'Interrupted']]);
  });

  it('Ctrl-C is noticed during a long map of synchronous steps', async () => {
    const { cwd, code, stderr } = await interrupt('long-map.ts', 'int-map', 200);
    expect(code).toBe(130);
    expect(stderr).toContain('Run int-map interrupted (SIGINT)');
    const log = readRunLog(cwd, 'int-map');
    expect(log.status).toBe('FAIL');
    expect(Object.keys(log.steps.each!.branches).length).toBeLessThan(20_000);
  });

  it('--quiet still reports a failure on stderr', async () => {
    const cwd = tmpDir();
    const out = await runnable(['run', path.join(FIXTURES, 'failing.ts'), '--quiet'], { cwd });
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    // should_pass is an optional input nothing provided: said first, then the step's own error
    expect(out.stderr).toMatch(/^error: Execution failed for run id: \S+ \(step 'explode': it read 'should_pass', which no earlier step returned and no parameter provided .*Then: Error: the flag should_pass is false\)/);
  });

  it('a file that cannot be loaded is a usage error (exit 2) naming the file', async () => {
    const cwd = tmpDir();
    const file = path.join(cwd, 'broken.js');
    fs.writeFileSync(file, "require('./does-not-exist');\n");
    const out = await runnable(['run', file], { cwd });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^error: Could not load '.*broken.js': Error: Cannot find module '.\/does-not-exist'/);
  });

  it('runs compare honours --json and --config given after it; a closed pipe is not an error', async () => {
    const cwd = tmpDir();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await runnable(['run', path.join(FIXTURES, 'failing.ts'), '--config', 'cfg.yaml'], { cwd: (fs.writeFileSync(path.join(cwd, 'cfg.yaml'), 'runLogStore: { type: file-system, config: { log_folder: logs } }\n'), cwd), env: { RUNNABLE_PRM_should_pass: 'true' } });
      ids.push(runIdFrom(r.stdout));
    }
    const cmp = await runnable(['runs', 'compare', ...ids, '--json', '--config', 'cfg.yaml'], { cwd });
    expect(cmp.code).toBe(0);
    expect(JSON.parse(cmp.stdout).map((r: { runId: string }) => r.runId)).toEqual(ids);
    const piped = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const c = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" inspect ${ids[0]} --json --config cfg.yaml | head -c 10 >/dev/null`], { cwd });
      let err = '';
      c.stderr.on('data', (d) => (err += d));
      c.on('close', (code) => resolve({ code, err }));
    });
    expect(piped.err).not.toContain('EPIPE');
  });

  it('when a step fails after reading a name that is not in scope, the message says so first (wiring errors without the type-checker)', async () => {
    const cwd = tmpDir();
    const file = path.join(FIXTURES, 'miswired.js');
    const out = await runnable(['run', file], { cwd });
    expect(out.code).toBe(1);
    const log = readRunLog(cwd, runIdFrom(out.stdout));
    expect(log.steps.preprocess!.attempts[0]!.message).toMatch(/^it read 'dataframe', which no earlier step returned and no parameter provided \(in scope: df; 'runnable check <file>' finds wiring errors before running\)\. Then: TypeError: Cannot read properties of undefined/);
    expect(log.steps.preprocess!.attempts[0]!.error_stack).toMatch(/TypeError: Cannot read properties of undefined/);
  });

  it('--verbose never shows secret values', async () => {
    const cwd = tmpDir();
    const out = await runnable(['--verbose', 'run', path.join(FIXTURES, 'prints-secret.ts')], { cwd, env: { TOKEN: 'hunter2-very-secret' } });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('│ leaky: token is ***');
    expect(out.stdout + out.stderr).not.toContain('hunter2-very-secret');
  });
});
