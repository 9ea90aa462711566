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
