import type { RunLogOp } from './document';
import type { RunLog } from './types';

/**
 * Extension point: where run logs live. The engine is the only writer, through this interface.
 * Implementations: memory, file-system (one JSON file per run), and more registered by type name.
 * Every implementation passes the shared contract suite in src/testing/contracts/run-log-store.ts (runRunLogStoreContract in runnable-ts/testing).
 */
export interface RunLogStore {
  /** The type name used in configuration (`file-system`, `memory`, ...). */
  readonly type: string;
  /** The local folder holding the run logs, for stores that keep them on this machine (catalog puts skip it). */
  readonly localRoot?: string;
  /** Creates a run log. Rejects with RunLogExistsError when the run id is taken; two concurrent creators never both succeed. */
  create(runLog: RunLog): Promise<void>;
  /** The complete run log (branches stitched in). Rejects with RunLogNotFoundError. */
  get(runId: string): Promise<RunLog>;
  exists(runId: string): Promise<boolean>;
  /** Applies mutations in order. */
  apply(runId: string, ops: readonly RunLogOp[]): Promise<void>;
  /** Run ids in the store (any order). */
  list(): Promise<string[]>;
  /** Called when a run (or this process's part of it) ends: flush, compact, release handles. */
  close(runId: string): Promise<void>;
  /** Human-readable location of a run's log, for console output. */
  describe(runId: string): string;
  /** Configuration as recorded in run_config. */
  config(): Record<string, unknown>;
}
