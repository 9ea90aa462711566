import { SilentReporter } from '../../src/index';

/** A reporter that prints nothing and keeps the warnings, for tests that assert what the engine warned about. */
export class WarningsReporter extends SilentReporter {
  readonly warnings: string[] = [];
  override warn(message: string): void {
    this.warnings.push(message);
  }
}
