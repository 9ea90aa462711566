import type { RunContext, Scope } from '../../engine/context';
import { executeTaskNode } from '../../engine/task-node';
import type { TaskNode } from '../../graph/graph';
import type { StepLog } from '../../stores/run-log/types';
import type { Executor } from '../executor';

/** Runs every task in the current process. */
export class LocalExecutor implements Executor {
  readonly type = 'local';
  executeTask(ctx: RunContext, node: TaskNode, scope: Scope): Promise<StepLog> {
    return executeTaskNode(ctx, node, scope);
  }
  config(): Record<string, unknown> {
    return { service_name: 'local', service_type: 'pipeline_executor' };
  }
}
