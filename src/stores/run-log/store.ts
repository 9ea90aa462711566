import type { RunLogOp } from './document';
import type { RunLog, StepLog } from './types';

/**
 * An entry of the step cache index (kept by the run-log store, outside any run log): the step `step` of run
 * `run_id` succeeded with this fingerprint. See docs/caching.md.
 */
export interface StepCacheEntry {
  /** SHA-256 hex of what identifies the step before it runs: code, version, dot path, returns, secrets' names, catalog spec and `get` files. */
  key: string;
  /** SHA-256 hex of `key` and the values of the inputs the step read (`inputs`), and the names it read that were absent (`absent`). */
  fingerprint: string;
  run_id: string;
  /** The step's dot path. */
  step: string;
  /** Names of the inputs the step read (sorted). */
  inputs: string[];
  /** Names the step read that were in no scope (sorted). */
  absent: string[];
  /** ISO time the entry was recorded. */
  created_at: string;
}

/**
 * The exclusive owner of a run: the one process executing it (`run`, `retry`, `execute-single-node`).
 * Written through the store so every process that can see the run log sees who owns it.
 */
export interface RunOwner {
  /** Random token of this ownership (one per acquisition); only its holder heartbeats and releases it. */
  token: string;
  pid: number;
  host: string;
  /** Linux boot id of the owner's machine when known: an owner recorded before a reboot is gone. */
  boot_id?: string;
  /** What took the run: `run`, `retry`, `execute-single-node`. */
  command: string;
  /** ISO time the owner took the run. */
  started_at: string;
  /** ISO time of the owner's last heartbeat. */
  heartbeat_at: string;
}

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
  /**
   * Takes the exclusive owner record of a run. When another owner holds it, `isGone(current)` decides: a gone
   * owner is replaced (and returned), a live one makes this reject with RunOwnedError naming it. Two concurrent
   * acquirers never both succeed. Resolves with the gone owner replaced, undefined when the run had none.
   */
  acquireOwner(runId: string, owner: RunOwner, isGone: (current: RunOwner) => boolean): Promise<RunOwner | undefined>;
  /** Records a heartbeat (`at`, ISO) of the owner holding `token`. Resolves false when `token` no longer owns the run. */
  heartbeatOwner(runId: string, token: string, at: string): Promise<boolean>;
  /** Gives up the ownership held by `token` (nothing when it no longer owns the run). */
  releaseOwner(runId: string, token: string): Promise<void>;
  /** The current owner of a run, undefined when nobody owns it. */
  getOwner(runId: string): Promise<RunOwner | undefined>;
  /**
   * Step cache index (docs/caching.md): records `entry`, replacing the entry with the same key, fingerprint and run.
   * Atomic: a reader never sees a half-written entry, and concurrent writers (several runs, several processes when
   * the store is shared) never corrupt the index; of two writers of the same key, fingerprint and run, one entry remains.
   */
  putCacheEntry(entry: StepCacheEntry): Promise<void>;
  /** The step cache entries recorded under `key`, newest first (empty when none). */
  getCacheEntries(key: string): Promise<StepCacheEntry[]>;
  /** Configuration as recorded in run_config. */
  config(): Record<string, unknown>;
}
