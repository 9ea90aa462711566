import { formatDuration } from '../util/time';

export interface StepEvent {
  internalName: string;
  status: 'SUCCESS' | 'FAIL';
  seconds: number;
  attempt: number;
  error?: string;
}

export interface RunEvent {
  runId: string;
  status: 'SUCCESS' | 'FAIL';
  seconds: number;
  runLogLocation: string;
  catalogLocation: string;
  failedSteps: { name: string; message: string }[];
}

/** Receives progress of a run. The console reporter prints it; tests use a silent or recording one. */
export interface Reporter {
  runStarted(info: { runId: string; pipeline: string; isRetry: boolean }): void;
  stepStarted(internalName: string): void;
  attemptFailed(info: { internalName: string; attempt: number; maxAttempts: number; error: string; backoffMs: number }): void;
  stepFinished(event: StepEvent): void;
  runFinished(event: RunEvent): void;
  warn(message: string): void;
}

export class SilentReporter implements Reporter {
  runStarted(): void {}
  stepStarted(): void {}
  attemptFailed(): void {}
  stepFinished(): void {}
  runFinished(): void {}
  warn(): void {}
}

/** Plain line-per-step console output. */
export class ConsoleReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout, private readonly err: NodeJS.WritableStream = process.stderr) {}

  private line(text: string): void {
    this.out.write(text + '\n');
  }

  runStarted(info: { runId: string; pipeline: string; isRetry: boolean }): void {
    this.line(`🏃 ${info.isRetry ? 'Retrying' : 'Running'} pipeline '${info.pipeline}' as run ${info.runId}`);
  }
  stepStarted(): void {}
  attemptFailed(info: { internalName: string; attempt: number; maxAttempts: number; error: string; backoffMs: number }): void {
    this.line(`${info.internalName}: ↻ attempt ${info.attempt}/${info.maxAttempts} failed (${info.error}); retrying${info.backoffMs ? ` in ${info.backoffMs}ms` : ''}`);
  }
  stepFinished(e: StepEvent): void {
    const attempt = e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
    if (e.status === 'SUCCESS') this.line(`${e.internalName}: ✅ Completed in ${formatDuration(e.seconds)}${attempt}`);
    else this.line(`${e.internalName}: ❌ Failed in ${formatDuration(e.seconds)}${attempt}\n   ${(e.error ?? '').split('\n').join('\n   ')}`);
  }
  runFinished(e: RunEvent): void {
    if (e.status === 'SUCCESS') this.line(`✅ Run ${e.runId} succeeded in ${formatDuration(e.seconds)}`);
    else {
      const where = e.failedSteps.length ? ` at step ${e.failedSteps.map((s) => `'${s.name}'`).join(', ')}` : '';
      this.line(`❌ Run ${e.runId} failed in ${formatDuration(e.seconds)}${where}`);
    }
    this.line(`   Run log: ${e.runLogLocation}`);
    this.line(`   Catalog: ${e.catalogLocation}`);
  }
  warn(message: string): void {
    this.err.write(`⚠️  ${message}\n`);
  }
}
