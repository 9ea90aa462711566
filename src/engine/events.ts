import type { Parameter } from '../stores/run-log/types';
import type { Reporter, RunEvent, StepEvent } from './reporter';

/** A value as events carry it: JSON and metric values as they are, pickled ones by reference (not loaded). */
export type EventValue = unknown;

/**
 * What `execute({ onEvent })` and `pipeline.stream()` deliver, in the order things happen. `step` is the step's
 * internal name (dot path: `map_state.2.train`). Times are milliseconds since the epoch.
 */
export type PipelineEvent =
  | { type: 'run_started'; runId: string; pipeline: string; isRetry: boolean; time: number }
  | { type: 'step_started'; runId: string; step: string; time: number }
  | { type: 'step_skipped'; runId: string; step: string; time: number }
  | { type: 'step_retrying'; runId: string; step: string; attempt: number; maxAttempts: number; error: string; backoffMs: number; time: number }
  | {
      type: 'step_succeeded';
      runId: string;
      step: string;
      attempt: number;
      seconds: number;
      /** What the step returned: JSON values and metrics as they are, pickled ones as `{ pickled: name, catalogPath }`. */
      outputs: Record<string, EventValue>;
      /** Set when the step was not executed: its outputs were reused from this step of an earlier run (step cache). */
      cachedFrom?: { run_id: string; step: string };
      time: number;
    }
  | { type: 'step_failed'; runId: string; step: string; attempt: number; seconds: number; error: string; time: number }
  /** A value yielded by a task written as an async generator (`async function* (...) { yield ...; return {...} }`). */
  | { type: 'task_event'; runId: string; step: string; event: unknown; time: number }
  | { type: 'run_finished'; runId: string; status: 'SUCCESS' | 'FAIL'; seconds: number; failedSteps: { name: string; message: string }[]; time: number };

export type PipelineEventType = PipelineEvent['type'];

export function eventOutputs(ps: Record<string, Parameter>): Record<string, EventValue> {
  const out: Record<string, EventValue> = {};
  for (const [k, p] of Object.entries(ps)) out[k] = p.kind === 'object' ? { pickled: String(p.value), ...(p.catalog_relative_path && { catalogPath: p.catalog_relative_path }) } : p.value;
  return out;
}

/**
 * Passes every progress call on to the wrapped reporter and turns it into a typed event for `onEvent`. An exception
 * thrown by `onEvent` is reported as a warning and never fails the run.
 */
export class EventReporter implements Reporter {
  private runId = '';
  /** A plain boolean: `boolean | undefined` does not implement the optional member under exactOptionalPropertyTypes. */
  readonly showsStepOutput: boolean;

  constructor(
    private readonly inner: Reporter,
    private readonly onEvent: (e: PipelineEvent) => void,
  ) {
    this.showsStepOutput = inner.showsStepOutput === true;
    if (inner.stepOutput) this.stepOutput = (name, text, stream) => inner.stepOutput!(name, text, stream);
  }

  stepOutput?(internalName: string, text: string, stream: 'stdout' | 'stderr'): void;

  private emit(e: PipelineEvent): void {
    try {
      this.onEvent(e);
    } catch (err) {
      this.inner.warn(`onEvent threw on a '${e.type}' event (ignored): ${(err as Error).message}`);
    }
  }

  runStarted(info: { runId: string; pipeline: string; isRetry: boolean }): void {
    this.runId = info.runId;
    this.inner.runStarted(info);
    this.emit({ type: 'run_started', ...info, time: Date.now() });
  }
  stepStarted(internalName: string): void {
    this.inner.stepStarted(internalName);
    this.emit({ type: 'step_started', runId: this.runId, step: internalName, time: Date.now() });
  }
  stepSkipped(internalName: string): void {
    this.inner.stepSkipped(internalName);
    this.emit({ type: 'step_skipped', runId: this.runId, step: internalName, time: Date.now() });
  }
  attemptFailed(info: { internalName: string; attempt: number; maxAttempts: number; error: string; backoffMs: number }): void {
    this.inner.attemptFailed(info);
    const { internalName, ...rest } = info;
    this.emit({ type: 'step_retrying', runId: this.runId, step: internalName, ...rest, time: Date.now() });
  }
  stepFinished(e: StepEvent): void {
    this.inner.stepFinished(e);
    const base = { runId: this.runId, step: e.internalName, attempt: e.attempt, seconds: e.seconds, time: Date.now() };
    if (e.status === 'SUCCESS') {
      const last = e.step?.attempts.at(-1);
      this.emit({ type: 'step_succeeded', ...base, outputs: last ? eventOutputs(last.output_parameters) : {}, ...(e.cachedFrom && { cachedFrom: e.cachedFrom }) });
    } else this.emit({ type: 'step_failed', ...base, error: e.error ?? '' });
  }
  taskEvent(internalName: string, event: unknown): void {
    this.inner.taskEvent?.(internalName, event);
    this.emit({ type: 'task_event', runId: this.runId, step: internalName, event, time: Date.now() });
  }
  runFinished(e: RunEvent): void {
    this.inner.runFinished(e);
    this.emit({ type: 'run_finished', runId: e.runId, status: e.status, seconds: e.seconds, failedSteps: e.failedSteps, time: Date.now() });
  }
  warn(message: string): void {
    this.inner.warn(message);
  }
}
