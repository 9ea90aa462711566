import type { RunLog, StepLog } from '../stores/run-log/types';
import { lastAttemptSeconds, walkSteps } from '../stores/run-log/document';
import { formatDuration } from '../util/time';
import { rawStderr, rawStdout } from './capture';

export interface StepEvent {
  internalName: string;
  status: 'SUCCESS' | 'FAIL';
  seconds: number;
  attempt: number;
  error?: string;
  /** The last lines the step printed (for failures). */
  outputTail?: string;
  /** The step's log as recorded (attempts with times, outputs, metrics), for events and telemetry. */
  step?: StepLog;
  /** The step was not executed: its outputs were reused from this step of an earlier run (step cache). */
  cachedFrom?: { run_id: string; step: string };
}

export interface RunEvent {
  runId: string;
  status: 'SUCCESS' | 'FAIL';
  seconds: number;
  runLogLocation: string;
  catalogLocation: string;
  failedSteps: { name: string; message: string }[];
  runLog: RunLog;
}

/** Receives progress of a run. The console reporter prints it; tests use a silent or recording one. */
export interface Reporter {
  /** `kind`: 'job' for a job (`job(X)`, `runnable job`), else a pipeline. */
  runStarted(info: { runId: string; pipeline: string; isRetry: boolean; kind?: 'pipeline' | 'job' }): void;
  stepStarted(internalName: string): void;
  /** On retry: a step that succeeded in the original run is not executed again. */
  stepSkipped(internalName: string): void;
  attemptFailed(info: { internalName: string; attempt: number; maxAttempts: number; error: string; backoffMs: number }): void;
  stepFinished(event: StepEvent): void;
  runFinished(event: RunEvent): void;
  warn(message: string): void;
  /** Output a step printed, when it should be shown (verbose). */
  stepOutput?(internalName: string, text: string, stream: 'stdout' | 'stderr'): void;
  /** Whether steps' output is shown as it is printed. */
  readonly showsStepOutput?: boolean;
  /** A value yielded by a task written as an async generator. */
  taskEvent?(internalName: string, event: unknown): void;
}

export class SilentReporter implements Reporter {
  runStarted(): void {}
  stepStarted(): void {}
  stepSkipped(): void {}
  attemptFailed(): void {}
  stepFinished(): void {}
  runFinished(): void {}
  warn(_message: string): void {}
}

/**
 * Prints nothing of its own, only what steps print, unprefixed and as it comes: the reporter of a step's own process
 * under an out-of-process executor (the parent prefixes and shows it, and records the progress).
 */
export class StepOutputReporter extends SilentReporter {
  readonly showsStepOutput = true;
  stepOutput(_internalName: string, text: string, stream: 'stdout' | 'stderr'): void {
    (stream === 'stdout' ? rawStdout : rawStderr)(text);
  }
  override warn(message: string): void {
    rawStderr(`⚠️  ${message}\n`);
  }
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface ConsoleReporterOptions {
  /** Show what steps print (prefixed with the step name). Default false: it is still saved in the catalog. */
  verbose?: boolean;
  /** Live spinner line. Default: when stdout is a TTY and CI is not set. */
  live?: boolean;
  /** Print the summary table at the end. Default true. */
  summary?: boolean;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

/** The icon shown before a status. */
export const STATUS_ICON: Record<string, string> = { SUCCESS: '✅', FAIL: '❌', PROCESSING: '⏳', CREATED: '⏸️' };

/** Rows of the summary table: every step, branches included, in run-log order. */
export function summaryRows(log: RunLog): { step: string; status: string; duration: string; attempts: string; cpu: string; peakMemory: string }[] {
  const rows: { step: string; status: string; duration: string; attempts: string; cpu: string; peakMemory: string }[] = [];
  walkSteps(log.steps, (s) => {
    if (s.step_type === 'success' || s.step_type === 'fail') return;
    const secs = lastAttemptSeconds(s);
    const last = s.attempts.at(-1);
    rows.push({
      step: s.internal_name,
      status: `${STATUS_ICON[s.status]} ${s.status}`,
      duration: s.cached_from ? 'reused' : secs === undefined ? '-' : formatDuration(secs),
      attempts: String(s.attempts.length || '-'),
      // CPU time of the process while the step ran, and its peak resident memory (recorded with each attempt).
      cpu: last?.cpu_seconds === undefined ? '-' : `${last.cpu_seconds.toFixed(2)}s`,
      peakMemory: last?.peak_rss_bytes ? `${Math.round(last.peak_rss_bytes / 2 ** 20)} MiB` : '-',
    });
  });
  return rows;
}

export function table(headers: string[], rows: string[][]): string {
  const width = (s: string) => [...s].length + (/[✅❌⏸⏩⏳]/u.test(s) ? 1 : 0);
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const fmt = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join('  ').trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '─'.repeat(w))), ...rows.map(fmt)].join('\n');
}

/** Console progress: a line per step (with a live spinner line on a terminal), a summary table, where to look next. */
export class ConsoleReporter implements Reporter {
  readonly showsStepOutput: boolean;
  private readonly live: boolean;
  private readonly running = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private liveShown = false;
  private readonly out: (t: string) => void;
  private readonly err: (t: string) => void;

  constructor(private readonly opts: ConsoleReporterOptions = {}) {
    this.showsStepOutput = !!opts.verbose;
    this.live = opts.live ?? (!!process.stdout.isTTY && !process.env.CI);
    this.out = opts.out ?? ((t) => void rawStdout(t));
    this.err = opts.err ?? ((t) => void rawStderr(t));
  }

  private clearLive(): void {
    if (this.liveShown) {
      this.out('\r\x1b[2K');
      this.liveShown = false;
    }
  }
  private render(): void {
    if (!this.live || this.running.size === 0) return;
    const now = performance.now();
    const parts = [...this.running].map(([name, t0]) => `${name} ${formatDuration((now - t0) / 1000)}`);
    this.out(`\r\x1b[2K${SPINNER[this.frame++ % SPINNER.length]} ${parts.join(', ')}`);
    this.liveShown = true;
  }
  private line(text: string): void {
    this.clearLive();
    this.out(text + '\n');
    this.render();
  }

  runStarted(info: { runId: string; pipeline: string; isRetry: boolean; kind?: 'pipeline' | 'job' }): void {
    this.line(`🏃 ${info.isRetry ? 'Retrying' : 'Running'} ${info.kind ?? 'pipeline'} '${info.pipeline}' as run ${info.runId}`);
  }
  stepStarted(internalName: string): void {
    this.running.set(internalName, performance.now());
    if (this.live && !this.timer) {
      this.timer = setInterval(() => this.render(), 100);
      this.timer.unref();
    }
    this.render();
  }
  stepSkipped(internalName: string): void {
    this.line(`${internalName}: ⏩ skipped (already succeeded in this run)`);
  }
  stepOutput(internalName: string, text: string, stream: 'stdout' | 'stderr'): void {
    if (!this.showsStepOutput) return;
    const lines = text.replace(/\n$/, '').split('\n');
    this.clearLive();
    (stream === 'stdout' ? this.out : this.err)(lines.map((l) => `  │ ${internalName}: ${l}`).join('\n') + '\n');
    this.render();
  }
  attemptFailed(info: { internalName: string; attempt: number; maxAttempts: number; error: string; backoffMs: number }): void {
    this.line(`${info.internalName}: ↻ attempt ${info.attempt}/${info.maxAttempts} failed (${info.error}); retrying${info.backoffMs ? ` in ${info.backoffMs}ms` : ''}`);
  }
  stepFinished(e: StepEvent): void {
    this.running.delete(e.internalName);
    if (this.running.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    const attempt = e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
    if (e.status === 'SUCCESS' && e.cachedFrom) {
      this.line(`${e.internalName}: ♻️  reused from ${e.cachedFrom.run_id}${e.cachedFrom.step !== e.internalName ? ` (step ${e.cachedFrom.step})` : ''}`);
      return;
    }
    if (e.status === 'SUCCESS') {
      this.line(`${e.internalName}: ✅ Completed in ${formatDuration(e.seconds)}${attempt}`);
      return;
    }
    let text = `${e.internalName}: ❌ Failed in ${formatDuration(e.seconds)}${attempt}\n   ${(e.error ?? '').split('\n').join('\n   ')}`;
    if (e.outputTail && !this.showsStepOutput) text += `\n   last output of the step:\n${e.outputTail.replace(/\n$/, '').split('\n').map((l) => `     │ ${l}`).join('\n')}`;
    this.line(text);
  }
  runFinished(e: RunEvent): void {
    this.clearLive();
    if (this.timer) clearInterval(this.timer);
    const rows = summaryRows(e.runLog);
    if (this.opts.summary !== false && rows.length) {
      this.out('\n' + table(['step', 'status', 'duration', 'attempts', 'cpu', 'peak mem'], rows.map((r) => [r.step, r.status, r.duration, r.attempts, r.cpu, r.peakMemory])) + '\n\n');
    }
    if (e.status === 'SUCCESS') this.out(`✅ Run ${e.runId} succeeded in ${formatDuration(e.seconds)}\n`);
    else {
      const where = e.failedSteps.length ? ` at step ${e.failedSteps.map((s) => `'${s.name}'`).join(', ')}` : '';
      this.out(`❌ Run ${e.runId} failed in ${formatDuration(e.seconds)}${where}\n`);
    }
    this.out(`   Run log: ${e.runLogLocation}\n   Catalog: ${e.catalogLocation}\n`);
    if (e.status !== 'SUCCESS') this.out(`   Fix the step, then resume from it: runnable retry ${e.runId}\n`);
  }
  warn(message: string): void {
    this.clearLive();
    this.err(`⚠️  ${message}\n`);
    this.render();
  }
}
