/**
 * Typed errors a user can cause. Every message names the step and/or parameter involved and what to do.
 * `code` is stable for programmatic handling.
 */
export class RunnableError extends Error {
  readonly code: string = 'RUNNABLE_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A @Task/task() definition is wrong (bad name, duplicate return, missing metadata). Raised at import time. */
export class TaskDefinitionError extends RunnableError {
  override readonly code = 'TASK_DEFINITION';
}

/** A pipeline is wrongly built (duplicate step names, a step that is not a task, ...). Raised before anything runs. */
export class PipelineDefinitionError extends RunnableError {
  override readonly code = 'PIPELINE_DEFINITION';
}

/** The value a step returned does not match its declared returns. The step fails. */
export class ReturnsMismatchError extends RunnableError {
  override readonly code = 'RETURNS_MISMATCH';
}

/** A pickled return cannot be serialized so that it round-trips (function, symbol, unregistered class...). The step fails. */
export class NotSerializableError extends RunnableError {
  override readonly code = 'NOT_SERIALIZABLE';
}

/** An initial parameter (parameters file or RUNNABLE_PRM_ variable) is unusable. Raised before anything runs. */
export class ParameterError extends RunnableError {
  override readonly code = 'PARAMETER';
}

/** One problem with a run's parameters: the parameter (or path inside it), where its value came from, and why. */
export interface ParameterProblem {
  /** The parameter, or the path inside it (`grid.depth[0]`); empty for a problem with the parameters as a whole. */
  readonly name: string;
  /** Where the value came from: `RUNNABLE_PRM_test_size=abc`, `params.yaml:3`, `execute({ params })`, `not given`. */
  readonly source: string;
  /** The schema's message, or ours. */
  readonly message: string;
}

/**
 * The parameters of a run are not valid (schema issues, required parameters not given, an ambiguous
 * `RUNNABLE_PRM_` name). Every problem is listed at once. Raised before the run log is created; nothing ran.
 */
export class ParameterValidationError extends ParameterError {
  constructor(
    readonly pipelineName: string,
    readonly problems: readonly ParameterProblem[],
    /** What was run: a pipeline, or a job (`job(X)`, whose parameters are its task's inputs). */
    kind: 'pipeline' | 'job' = 'pipeline',
  ) {
    super(
      `${problems.length === 1 ? 'A parameter' : `${problems.length} parameters`} of ${kind} '${pipelineName}' ${problems.length === 1 ? 'is' : 'are'} not valid; nothing ran:\n` +
        problems.map((p) => `  - ${p.name || '(parameters)'} (${p.source}): ${p.message}`).join('\n') +
        `\nFix the value${problems.length === 1 ? '' : 's'} in the parameters file (--params), the RUNNABLE_PRM_ variable${problems.length === 1 ? '' : 's'} or execute({ params }), and run again.`,
    );
  }
}

/** A JSON return is too large to store inline in the run log (RUNNABLE_MAX_INLINE_BYTES). The step fails. */
export class ValueTooLargeError extends RunnableError {
  override readonly code = 'VALUE_TOO_LARGE';
}

/** A stored value (pickled artifact, catalog file) could not be read back. */
export class ArtifactError extends RunnableError {
  override readonly code = 'ARTIFACT';
}

export class RunLogExistsError extends RunnableError {
  override readonly code = 'RUN_LOG_EXISTS';
  constructor(readonly runId: string, status?: string) {
    super(
      `Run id '${runId}' is already used by an existing run${status ? ` (status ${status})` : ''}. ` +
        `Choose another --run-id, or leave it out to get a fresh one; to resume a failed run use 'runnable retry ${runId}'.`,
    );
  }
}

export class RunLogNotFoundError extends RunnableError {
  override readonly code = 'RUN_LOG_NOT_FOUND';
  constructor(readonly runId: string, where: string) {
    super(`No run log found for run id '${runId}' in ${where}. List the runs with 'runnable runs'.`);
  }
}

/** Another live process owns (is executing) the run. Exit code 2. */
export class RunOwnedError extends RunnableError {
  override readonly code = 'RUN_OWNED';
  constructor(
    readonly runId: string,
    readonly owner: { pid: number; host: string; started_at: string; heartbeat_at: string; command: string },
  ) {
    super(
      `Run ${runId} is being executed by another process: ${owner.command} (pid ${owner.pid} on host ${owner.host}, since ${owner.started_at}, ` +
        `last heartbeat ${owner.heartbeat_at}). Wait for it to finish or stop it; once that process is gone, 'runnable retry ${runId}' takes the run over.`,
    );
  }
}

/** A run log is missing a record or has the wrong shape (a crash, a deleted or edited file). */
export class RunLogIntegrityError extends RunnableError {
  override readonly code = 'RUN_LOG_INTEGRITY';
}

/** The run finished with status FAIL. Carries the run id and the failed step(s). */
export class ExecutionFailedError extends RunnableError {
  override readonly code = 'EXECUTION_FAILED';
  constructor(
    readonly runId: string,
    readonly failedSteps: readonly { name: string; message: string }[],
    readonly runLog?: import('./stores/run-log/types').RunLog,
  ) {
    super(
      `Execution failed for run id: ${runId}` +
        (failedSteps.length ? ` (${failedSteps.map((s) => `step '${s.name}': ${s.message}`).join('; ')})` : ''),
    );
  }
}

/** A mock or patch is unusable: it names no step of the pipeline, or it is neither a function nor `{ outputs }` / `{ fail }`. Raised before anything runs. */
export class MockError extends RunnableError {
  override readonly code = 'MOCK';
}

/** An attempt of a step ran longer than its `timeout` (ms). The attempt fails; retries and onFailure apply as for any failure. */
export class StepTimeoutError extends RunnableError {
  override readonly code = 'STEP_TIMEOUT';
  constructor(
    readonly stepName: string,
    readonly timeoutMs: number,
    readonly attempt: number,
    detail = '',
  ) {
    super(`Step '${stepName}' (attempt ${attempt}) did not finish within its timeout of ${timeoutMs} ms${detail}. Raise 'timeout' in its options if it needs longer.`);
  }
}

/** Code of a step called `process.exit()`: a step must return its values or throw. The step fails, the run is FAIL. */
export class StepExitError extends RunnableError {
  override readonly code = 'STEP_EXIT';
}

/** A step's promise never settled and nothing else was pending (Node would have exited silently). The step fails. */
export class StepNeverSettledError extends RunnableError {
  override readonly code = 'STEP_NEVER_SETTLED';
}

/**
 * A recorded value or file does not match the SHA-256 the run log recorded for it (changed, truncated or deleted
 * after it was written). Names the artifact, the run, and the expected vs found hash.
 */
export class IntegrityError extends RunnableError {
  override readonly code = 'INTEGRITY';
  constructor(
    readonly runId: string,
    readonly artifact: string,
    readonly expectedHash: string,
    /** The hash of what is stored now; undefined when the artifact is missing. */
    readonly foundHash: string | undefined,
    where = '',
  ) {
    super(
      foundHash === undefined
        ? `Artifact '${artifact}' of run '${runId}' is missing from the catalog${where}: the run log recorded it with SHA-256 ${expectedHash}. ` +
            `It was deleted after it was written; restore it, or start a new run.`
        : `Artifact '${artifact}' of run '${runId}' does not match the run log${where}: expected SHA-256 ${expectedHash}, found ${foundHash}. ` +
            `It was changed or truncated after it was written; restore it, or start a new run ('runnable verify ${runId}' checks the whole run).`,
    );
  }
}

/** A step returned (or put in the catalog) the value of a secret. Nothing of it is recorded; the step fails. */
export class SecretLeakError extends RunnableError {
  override readonly code = 'SECRET_LEAK';
}
