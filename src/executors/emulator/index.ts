import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Executor, StepInvocation, StepIO, StepOutcome } from '../executor';

export interface EmulatorExecutorConfig {
  /** Steps running at once, each in its own process (parallel branches, map iterations). Default: the number of CPUs. */
  maxProcesses?: number;
}

/** The `runnable` command of this package, run with the same Node binary. */
export const CLI = path.resolve(__dirname, '..', '..', '..', 'bin', 'runnable.js');

/** At most `limit` holders at once. */
export class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  private async acquire(): Promise<void> {
    if (this.used < this.limit) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }
  /** Runs `work` in a slot, waiting for one first. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}

/** The last `max` characters of a stream, for a message when the process dies without recording its attempt. */
export class Tail {
  text = '';
  constructor(private readonly max = 2000) {}
  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.max);
  }
}

/** The `execute-single-node` arguments of an invocation: one attempt, output only. */
export function singleNodeArgs(inv: StepInvocation): string[] {
  return [
    'execute-single-node',
    inv.runId,
    inv.pipeline.file,
    inv.step,
    '--export',
    inv.pipeline.exportName,
    '--one-attempt',
    '--output-only',
    ...(inv.configFile !== undefined ? ['--config', inv.configFile] : []),
  ];
}

/** How a step's process ended, in words, when it did not record its attempt itself. */
export function processEnd(code: number | null, signal: NodeJS.Signals | null, stderr: string, what = "the step's process"): string {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  return `${what} ${how} before recording its attempt${tail ? `:\n${tail}` : ''}`;
}

/**
 * One process per step: every task runs in a fresh Node process executing its step invocation
 * (`runnable execute-single-node ... --one-attempt`), reading its inputs from the run log and catalog and recording
 * its attempt there. Composites, terminal steps and the traversal stay in the parent. CPU-bound steps use every core,
 * and Ctrl-C stops any step, synchronous ones included (their process groups are killed).
 */
export class EmulatorExecutor implements Executor {
  readonly type = 'emulator';
  readonly maxProcesses: number;
  private readonly slots: Slots;
  private readonly children = new Set<ChildProcess>();
  /** Step processes abort() killed: the run records their attempts as interrupted, not as these processes' ends. */
  private readonly killed = new WeakSet<ChildProcess>();

  constructor(cfg: EmulatorExecutorConfig = {}) {
    this.maxProcesses = Math.max(1, Math.floor(cfg.maxProcesses ?? os.availableParallelism()));
    this.slots = new Slots(this.maxProcesses);
  }

  config(): Record<string, unknown> {
    return { service_name: 'emulator', service_type: 'pipeline_executor', max_processes: this.maxProcesses };
  }

  runStep(inv: StepInvocation, io: StepIO): Promise<StepOutcome> {
    return this.slots.run(() => this.spawnStep(inv, io));
  }

  private spawnStep(inv: StepInvocation, io: StepIO): Promise<StepOutcome> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...singleNodeArgs(inv)], {
        cwd: inv.cwd,
        env: process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group: Ctrl-C kills the step and whatever it started
      });
      this.children.add(child);
      const stderr = new Tail();
      child.stdout!.setEncoding('utf8').on('data', (d: string) => io.output?.(d, 'stdout'));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr.push(d);
        io.output?.(d, 'stderr');
      });
      child.on('error', (err) => {
        this.children.delete(child);
        resolve({ status: 'FAIL', message: `could not start the step's process: ${err.message}` });
      });
      child.on('close', (code, signal) => {
        this.children.delete(child);
        if (this.killed.has(child)) return;
        resolve(code === 0 ? { status: 'SUCCESS' } : { status: 'FAIL', message: processEnd(code, signal, stderr.text) });
      });
    });
  }

  /** Kills every step process (and what it started) and waits until each has exited, so none outlives the run. */
  async abort(): Promise<void> {
    const gone: Promise<unknown>[] = [];
    for (const child of this.children) {
      this.killed.add(child);
      if (child.exitCode === null && child.signalCode === null) gone.push(new Promise((resolve) => child.once('exit', resolve)));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    this.children.clear();
    // SIGKILL cannot be caught: the wait is the kernel's, bounded so that an unkillable process (D state) never
    // keeps Ctrl-C from ending the CLI.
    await Promise.race([Promise.all(gone), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  }
}
