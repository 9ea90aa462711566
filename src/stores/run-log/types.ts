/**
 * The run log data model. Field names, status strings and the dot-path step naming follow the
 * Python runnable run log (reference: runnable-behaviour.md §3) so run logs are interchangeable.
 * Fields marked "runnable-ts" are additions; nothing is renamed.
 */

export type RunStatus = 'CREATED' | 'PROCESSING' | 'SUCCESS' | 'FAIL';
export type AttemptStatus = 'SUCCESS' | 'FAIL';
export type StepType = 'task' | 'stub' | 'success' | 'fail' | 'parallel' | 'map' | 'conditional' | 'loop';

/** `json` and `metric` values live inline; `object` values live in the catalog and `value` is their name. */
export type ParameterKind = 'json' | 'metric' | 'object';

export interface Parameter {
  kind: ParameterKind;
  value: unknown;
  description: string;
  /** runnable-ts: for `object` parameters, the catalog path of the serialized payload (relative to the run's catalog). */
  catalog_relative_path?: string;
  /** runnable-ts: SHA-256 of the serialized payload of an `object` parameter. */
  data_hash?: string;
}

export interface CodeIdentity {
  code_identifier: string | null;
  code_identifier_type: 'git' | 'docker' | 'argo';
  code_identifier_dependable: boolean;
  code_identifier_url: string | null;
  code_identifier_message: string;
}

export interface DataCatalog {
  name: string;
  data_hash: string;
  catalog_relative_path: string;
  catalog_handler_location: string;
  stage: 'get' | 'put';
  /** false for a `put` with `storeCopy: false`: only the name and hash are recorded, no copy is in the catalog. */
  stored?: boolean;
}

export interface StepAttempt {
  attempt_number: number;
  /** Local time, `YYYY-MM-DD HH:MM:SS.ffffff` (the Python original's format). */
  start_time: string;
  end_time: string;
  status: AttemptStatus;
  message: string;
  input_parameters: Record<string, Parameter>;
  output_parameters: Record<string, Parameter>;
  user_defined_metrics: Record<string, Parameter>;
  retry_indicator: string;
  code_identities: CodeIdentity[];
  /** runnable-ts: wall-clock duration of the attempt in seconds. */
  duration_seconds?: number;
  /** runnable-ts: CPU time (user + system) consumed by the process during the attempt, in seconds. */
  cpu_seconds?: number;
  /** runnable-ts: peak resident set size of the process observed during the attempt, in bytes. */
  peak_rss_bytes?: number;
  /** runnable-ts: the error's name (e.g. `ReturnsMismatchError`) when the attempt failed. */
  error_type?: string;
  /** runnable-ts: catalog path (`<run_id>/<step>/attempt-<n>.execution.log`) of what the attempt printed, when it printed anything. */
  execution_log?: string;
  /** runnable-ts: the stack trace of the error that failed the attempt (not for runnable-ts's own typed errors). */
  error_stack?: string;
  /**
   * runnable-ts: names the step read that were in no scope (optional inputs left to their default), sorted; absent
   * when there were none. Part of the step cache's fingerprint: providing such a name later changes the inputs.
   */
  absent_inputs?: string[];
}

export interface BranchLog {
  internal_name: string;
  status: RunStatus;
  steps: Record<string, StepLog>;
  parameters: Record<string, Parameter>;
}

export interface StepLog {
  name: string;
  internal_name: string;
  status: RunStatus;
  step_type: StepType;
  message: string;
  mock: boolean;
  attempts: StepAttempt[];
  branches: Record<string, BranchLog>;
  data_catalog: DataCatalog[];
  /**
   * runnable-ts: the step cache fingerprint (SHA-256 hex) of the step's successful execution, for steps with the
   * cache on (docs/caching.md).
   */
  fingerprint?: string;
  /** runnable-ts: the step was not executed: its outputs were reused from this step of an earlier run (step cache). */
  cached_from?: CachedFrom;
}

/** Where a cached step's outputs came from: a run and the step's dot path in it. */
export interface CachedFrom {
  run_id: string;
  step: string;
}

export interface JobLog {
  status: RunStatus;
  message: string;
  mock: boolean;
  code_identities: CodeIdentity[];
  attempts: StepAttempt[];
  data_catalog: DataCatalog[];
}

export interface RunLog {
  run_id: string;
  dag_hash: string | null;
  tag: string;
  status: RunStatus;
  steps: Record<string, StepLog>;
  job: JobLog | null;
  parameters: Record<string, Parameter>;
  run_config: Record<string, unknown>;
}
