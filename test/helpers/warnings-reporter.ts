import type { Reporter } from '../../src/index';

/** A reporter that prints nothing and keeps the warnings, for tests that assert what the engine warned about. */
export class WarningsReporter implements Reporter {
  readonly warnings: string[] = [];
  runStarted(): void {}
  stepStarted(): void {}
  stepSkipped(): void {}
  attemptFailed(): void {}
  stepFinished(): void {}
  runFinished(): void {}
  warn(m: string): void {
    this.warnings.push(m);
  }
}
