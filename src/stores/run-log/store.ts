import type { RunLogOp } from './document';
import type { RunLog, StepLog } from './types';

/**
 * Extension point: where run logs live. The engine is the only writer, through this interface.
 * Implementations: memory, file-system (one JSON file per run), and more registered by type name.
 * Every implementation passes the shared contract suite in src/testing/contracts/run-log-store.ts (runRunLogStoreContract in runnable-ts/testing).
 */
/** What a run-log store can do beyond the basics; executors that run steps in other processes check it. */
export interface RunLogStoreCapabilities {
  /** Writes made by other processes are seen by this instance's reads and are never erased by its later writes. */
  readonly crossProcess: boolean;
  /** Several processes may write one run at the same time (each writing its own steps and branches). */
  readonly concurrentWriters: boolean;
}

export interface RunLogStore {
  /** The type name used in configuration (`file-system`, `memory`, ...). */
  readonly type: string;
  /** Checked by the contract suite with real child processes for every capability claimed. */
  readonly capabilities: RunLogStoreCapabilities;
  /** The local folder holding the run logs, for stores that keep them on this machine (catalog puts skip it). */
  readonly localRoot?: string;
  /** Creates a run log. Rejects with RunLogExistsError when the run id is taken; two concurrent creators never both succeed. */
  create(runLog: RunLog): Promise<void>;
  /** The complete run log (branches stitched in). Rejects with RunLogNotFoundError. */
  get(runId: string): Promise<RunLog>;
  exists(runId: string): Promise<boolean>;
  /** One step's log (task steps: complete; composites: without their branches), as stored now; undefined when absent. */
  getStep(runId: string, internalName: string): Promise<StepLog | undefined>;
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
