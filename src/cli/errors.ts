import { RunnableError } from '../errors';

/** A wrong command line (missing file, bad option value). Exit code 2. */
export class UsageError extends RunnableError {
  override readonly code = 'USAGE';
}
