import type { RunContext, Scope } from '../engine/context';
import type { Graph, TaskNode } from '../graph/graph';
import type { StepLog } from '../stores/run-log/types';

/**
 * Extension point: WHERE a task node runs (in this process, in a child process, in a container...).
 * WHAT a node means (inputs, returns, attempts, statuses) is engine/'s job: every executor ends up calling
 * `executeTaskNode` somewhere, and reports back the step log it wrote.
 */
export interface Executor {
  readonly type: string;
  executeTask(ctx: RunContext, node: TaskNode, scope: Scope): Promise<StepLog>;
  config(): Record<string, unknown>;
  /** Checks the executor's settings against the pipeline before the run starts (e.g. step names it refers to). Throws a typed error. */
  validate?(graph: Graph): void;
}
