/**
 * Part 2 of issue 9: every way a process can end is recorded. Each case runs a real `runnable run` process on a small
 * pipeline file in a temp folder and checks the run log, the console and the exit code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRunLog, runnable } from '../helpers/cli';
import { alive, interrupt, project } from './exits.helpers';

const PIPELINES = `
import * as fs from 'node:fs';
import { pipeline, task, shell, Task } from 'runnable-ts';

const after = task(() => { fs.writeFileSync('after-ran', ''); return {}; }, { name: 'after' });
const ok = task(() => ({ a: 1 }), { name: 'ok', returns: ['a'] });

// An error thrown later from a timer: the step's promise is still pending, the error is nobody's to catch.
const timer = task(async () => {
  setTimeout(() => { throw new Error('late boom with ' + process.env.API_KEY); }, 10);
  await new Promise((r) => setTimeout(r, 200));
  return {};
}, { name: 'timer', secrets: ['API_KEY'] });
export const timerThrows = pipeline('t').step(ok).step(timer).step(after).build();

// A promise rejected and forgotten; the step itself returns at once.
const forgot = task(() => { Promise.reject(new Error('forgotten rejection')); return {}; }, { name: 'forgot' });
export const forgottenRejection = pipeline('f').step(forgot).step(after).build();

// An EventEmitter 'error' with no listener, emitted from an I/O callback.
const emitter = task(async () => {
  const { EventEmitter } = await import('node:events');
  const em = new EventEmitter();
  fs.readFile(__filename, () => em.emit('error', new Error('emitter error')));
  await new Promise((r) => setTimeout(r, 200));
  return {};
}, { name: 'emitter' });
export const emitterError = pipeline('e').step(emitter).step(after).build();

const exit0 = task(() => { process.exit(0); }, { name: 'exit0' });
export const exitZero = pipeline('x0').step(ok).step(exit0).step(after).build();
const exitLater = task(async () => { setTimeout(() => process.exit(7), 5); await new Promise((r) => setTimeout(r, 300)); return {}; }, { name: 'exit_later' });
export const exitFromTimer = pipeline('x7').step(exitLater).step(after).build();

const never = task(() => new Promise<{}>(() => undefined), { name: 'never' });
export const neverSettles = pipeline('n').step(ok).step(never).step(after).build();

// Times out on its first attempt only (a file counts the attempts), then succeeds.
const flaky = task(async () => {
  const n = fs.existsSync('attempts') ? Number(fs.readFileSync('attempts', 'utf8')) + 1 : 1;
  fs.writeFileSync('attempts', String(n));
  if (n === 1) await new Promise((r) => setTimeout(r, 5_000));
  return { n };
}, { name: 'flaky', returns: ['n'] });
export const timeoutThenRetry = pipeline('r').step(flaky, { timeout: 300, retry: { maxAttempts: 2 } }).step(after).build();

@Task({ name: 'slow_class', timeout: 200 })
class SlowClass { async run() { await new Promise((r) => setTimeout(r, 5_000)); return {}; } }
const recover = task(() => { fs.writeFileSync('recovered', ''); return {}; }, { name: 'recover' });
export const timeoutOnFailure = pipeline('o').step(SlowClass, { onFailure: pipeline('rescue').step(recover).build() }).build();

const busy = task(() => { const t = Date.now(); while (Date.now() - t < 600); return {}; }, { name: 'busy', timeout: 100 });
export const syncOverTimeout = pipeline('b').step(busy).step(after).build();

const sh = shell('sleep 30 & echo $! > child.pid; echo $$ > shell.pid; wait', { name: 'sh', timeout: 300 });
export const shellTimeout = pipeline('s').step(sh).build();

const shSignal = shell('sleep 30 & echo $! > child.pid; echo $$ > shell.pid; touch started; wait', { name: 'sh_signal' });
export const shellSignal = pipeline('ss').step(ok).step(shSignal).build();

const cpu = task(() => { fs.writeFileSync('started', ''); const t = Date.now(); while (Date.now() - t < 2_500); return {}; }, { name: 'cpu' });
export const cpuBound = pipeline('c').step(cpu).step(after).build();

const waiting = task(async () => { fs.writeFileSync('started', ''); await new Promise((r) => setTimeout(r, 30_000)); return {}; }, { name: 'waiting', retry: { maxAttempts: 3 } });
export const interruptible = pipeline('i').step(waiting).build();
`;

const SECRET = 'sk-live-7Q2wX9vB4nM1';
let cwd: string;
beforeAll(() => {
  cwd = project({ 'p.ts': PIPELINES });
});

const run = (exp: string, runId: string, env: Record<string, string> = {}) =>
  runnable(['run', 'p.ts', '--export', exp, '--run-id', runId], { cwd, env: { API_KEY: SECRET, ...env } });
const lastAttempt = (runId: string, step: string) => readRunLog(cwd, runId).steps[step]!.attempts.at(-1)!;

describe('errors nobody can catch fail the step that caused them', () => {
  it('an error thrown from a timer (uncaughtException) fails the step with that error, redacted; the run is FAIL, exit 1', async () => {
    const out = await run('timerThrows', 'unc-1');
    expect(out.code).toBe(1);
    const log = readRunLog(cwd, 'unc-1');
    expect(log.status).toBe('FAIL');
    expect(log.steps.ok!.status).toBe('SUCCESS');
    const a = lastAttempt('unc-1', 'timer');
    expect(a.status).toBe('FAIL');
    expect(a.message).toBe('Error: late boom with *** (thrown from a timer or event callback: uncaughtException)');
    expect(log.steps.after).toBeUndefined();
    expect(out.stdout + out.stderr).not.toContain(SECRET);
    expect(fs.readFileSync(path.join(cwd, '.run_log_store/unc-1.json'), 'utf8')).not.toContain(SECRET);
  });

  it('a promise rejected and forgotten (unhandledRejection) fails the step that created it, not a later one', async () => {
    const out = await run('forgottenRejection', 'unh-1');
    expect(out.code).toBe(1);
    const log = readRunLog(cwd, 'unh-1');
    expect(log.status).toBe('FAIL');
    expect(lastAttempt('unh-1', 'forgot').message).toBe('Error: forgotten rejection (a promise rejected and never awaited or caught: unhandledRejection)');
    expect(log.steps.after).toBeUndefined();
    expect(out.stderr).not.toMatch(/^\s+at /m); // no stack trace on the console
  });

  it("an EventEmitter 'error' without a listener fails the step", async () => {
    const out = await run('emitterError', 'emit-1');
    expect(out.code).toBe(1);
    expect(lastAttempt('emit-1', 'emitter').message).toMatch(/^Error: emitter error \(thrown from a timer or event callback: uncaughtException\)/);
  });
});

describe('process.exit() in a step', () => {
  it('process.exit(0) does not end the process: the step fails saying so, the run is FAIL and the CLI exits 1', async () => {
    const out = await run('exitZero', 'exit-0');
    expect(out.code).toBe(1);
    const log = readRunLog(cwd, 'exit-0');
    expect(log.status).toBe('FAIL');
    const a = lastAttempt('exit-0', 'exit0');
    expect(a.error_type).toBe('StepExitError');
    expect(a.message).toMatch(/^StepExitError: Step 'exit0' called process\.exit\(0\): the step tried to end the process\./);
    expect(log.steps.after).toBeUndefined();
    expect(fs.existsSync(path.join(cwd, 'after-ran'))).toBe(false);
  });

  it('process.exit(7) from a timer of the step: same', async () => {
    const out = await run('exitFromTimer', 'exit-7');
    expect(out.code).toBe(1);
    expect(readRunLog(cwd, 'exit-7').status).toBe('FAIL');
    expect(lastAttempt('exit-7', 'exit_later').message).toMatch(/^StepExitError: Step 'exit_later' called process\.exit\(7\)/);
  });
});

it('a step whose promise never settles, with nothing else pending, fails saying so (Node would exit 0)', async () => {
  const out = await run('neverSettles', 'never-1');
  expect(out.code).toBe(1);
  const log = readRunLog(cwd, 'never-1');
  expect(log.status).toBe('FAIL');
  const a = lastAttempt('never-1', 'never');
  expect(a.error_type).toBe('StepNeverSettledError');
  expect(a.message).toContain("Step 'never' (attempt 1): its promise never settled");
  expect(out.stdout).toContain("its promise never settled");
});

describe('per-step timeout', () => {
  it('an attempt past its timeout fails with StepTimeoutError and the next attempt runs (.step() option)', async () => {
    const dir = project({ 'p.ts': PIPELINES });
    const out = await runnable(['run', 'p.ts', '--export', 'timeoutThenRetry', '--run-id', 'to-1'], { cwd: dir });
    expect(out.code).toBe(0);
    const log = readRunLog(dir, 'to-1');
    expect(log.status).toBe('SUCCESS');
    const attempts = log.steps.flaky!.attempts;
    expect(attempts.map((a) => [a.attempt_number, a.status, a.error_type])).toEqual([
      [1, 'FAIL', 'StepTimeoutError'],
      [2, 'SUCCESS', undefined],
    ]);
    expect(attempts[0]!.message).toMatch(/^StepTimeoutError: Step 'flaky' \(attempt 1\) did not finish within its timeout of 300 ms/);
    expect(log.parameters.n!.value).toBe(2);
    // the abandoned first attempt (a 5 s timer) does not keep the process alive
    expect(out.stderr).toContain("code of step 'flaky' (attempt 1) was still running when the run ended");
  });

  it('a timeout given to @Task fails the step and its onFailure pipeline runs', async () => {
    const out = await run('timeoutOnFailure', 'to-2');
    const log = readRunLog(cwd, 'to-2');
    expect(lastAttempt('to-2', 'slow_class').error_type).toBe('StepTimeoutError');
    expect(log.steps.recover!.status).toBe('SUCCESS');
    expect(fs.existsSync(path.join(cwd, 'recovered'))).toBe(true);
    expect(log.status).toBe('SUCCESS'); // onFailure handled the failure (the run goes on to success, as in runnable)
    expect(out.code).toBe(0);
  });

  it('a synchronous step that returns after its timeout fails too (it could not be interrupted, and says so)', async () => {
    const out = await run('syncOverTimeout', 'to-3');
    expect(out.code).toBe(1);
    const a = lastAttempt('to-3', 'busy');
    expect(a.error_type).toBe('StepTimeoutError');
    expect(a.message).toMatch(/without returning to the event loop \(synchronous code cannot be interrupted in-process\)/);
  });

  it("a shell step's whole process group is killed on timeout", async () => {
    const out = await run('shellTimeout', 'to-4');
    expect(out.code).toBe(1);
    expect(lastAttempt('to-4', 'sh').error_type).toBe('StepTimeoutError');
    const child = Number(fs.readFileSync(path.join(cwd, 'child.pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(child)).toBe(false);
  });
});

describe('signals', () => {
  it("SIGTERM kills the shell step's process group (not orphaned), the run is FAIL, exit 143", async () => {
    const dir = project({ 'p.ts': PIPELINES });
    const out = await interrupt(dir, ['run', 'p.ts', '--export', 'shellSignal', '--run-id', 'sig-1'], 'SIGTERM', { after: 100 });
    expect(out.code).toBe(143);
    expect(out.stderr).toContain('Run sig-1 interrupted (SIGTERM); it is marked FAIL');
    const log = readRunLog(dir, 'sig-1');
    expect(log.status).toBe('FAIL');
    expect(log.steps.sh_signal!.attempts.map((a) => [a.attempt_number, a.error_type])).toEqual([[1, 'Interrupted']]);
    const child = Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'));
    const sh = Number(fs.readFileSync(path.join(dir, 'shell.pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    expect([alive(sh), alive(child)]).toEqual([false, false]);
  });

  it('SIGINT during a synchronous CPU-bound step: the console says it could not be interrupted in-process', async () => {
    const dir = project({ 'p.ts': PIPELINES });
    const out = await interrupt(dir, ['run', 'p.ts', '--export', 'cpuBound', '--run-id', 'sig-2'], 'SIGINT', { after: 300 });
    expect(out.code).toBe(130);
    expect(out.stderr).toMatch(/step 'cpu' computed synchronously for \d+\.\d s without returning to the event loop\. Synchronous JavaScript cannot be interrupted in-process/);
    expect(readRunLog(dir, 'sig-2').status).toBe('FAIL');
  });

  it('no two attempts carry the same number: an interrupted attempt keeps its number, a retry numbers on', async () => {
    const dir = project({ 'p.ts': PIPELINES });
    const out = await interrupt(dir, ['run', 'p.ts', '--export', 'interruptible', '--run-id', 'sig-3'], 'SIGINT', { after: 100 });
    expect(out.code).toBe(130);
    fs.rmSync(path.join(dir, 'started'));
    const again = await interrupt(dir, ['retry', 'sig-3'], 'SIGINT', { after: 100 });
    expect(again.code).toBe(130);
    const numbers = readRunLog(dir, 'sig-3').steps.waiting!.attempts.map((a) => [a.attempt_number, a.error_type]);
    expect(numbers).toEqual([
      [1, 'Interrupted'],
      [2, 'Interrupted'],
    ]);
  });
});
