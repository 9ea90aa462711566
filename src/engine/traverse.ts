import type { Graph, TerminalNode } from '../graph/graph';
import type { RunStatus, StepLog } from '../stores/run-log/types';
import { timestamp } from '../util/time';
import type { RunContext, Scope } from './context';
import { findStep } from '../stores/run-log/document';

/** Terminal nodes: one SUCCESS attempt each; `success` sets the enclosing run/branch SUCCESS, `fail` sets it FAIL. */
async function executeTerminal(ctx: RunContext, node: TerminalNode, scope: Scope): Promise<RunStatus> {
  const now = timestamp();
  const status: RunStatus = node.type === 'success' ? 'SUCCESS' : 'FAIL';
  const step: StepLog = {
    name: node.name,
    internal_name: scope.internalName(node.name),
    status: 'SUCCESS',
    step_type: node.type,
    message: '',
    mock: false,
    attempts: [
      {
        attempt_number: 1,
        start_time: now,
        end_time: now,
        status: 'SUCCESS',
        message: '',
        input_parameters: {},
        output_parameters: {},
        user_defined_metrics: {},
        retry_indicator: ctx.retryIndicator,
        code_identities: ctx.codeIdentities,
      },
    ],
    branches: {},
    data_catalog: [],
  };
  await ctx.store.apply(ctx.runId, [
    { op: 'step', step },
    { op: 'status', branch: scope.branch, status },
  ]);
  return status;
}

/**
 * Walks a graph from its start node: a step that succeeds goes to its `next`, one that fails to its `onFailure`
 * or to the graph's `fail` node. Returns the status set by the terminal node reached.
 */
export async function executeGraph(ctx: RunContext, graph: Graph, scope: Scope): Promise<RunStatus> {
  let current = graph.startAt;
  for (let guard = 0; guard <= graph.nodes.size; guard++) {
    const node = graph.nodes.get(current);
    if (!node) throw new Error(`internal: graph '${graph.name}' has no node '${current}'`);
    if (node.type !== 'task') return executeTerminal(ctx, node, scope);
    const done = ctx.original ? findStep(ctx.original, scope.internalName(node.name)) : undefined;
    if (done && done.attempts.at(-1)?.status === 'SUCCESS') {
      // Retry: a step that succeeded keeps its outputs (already in the scope) and is not executed again.
      ctx.reporter.stepSkipped(done.internal_name);
      current = node.next;
      continue;
    }
    const step = await ctx.executor.executeTask(ctx, node, scope);
    current = step.status === 'SUCCESS' ? node.next : (node.onFailure ?? 'fail');
  }
  throw new Error(`internal: graph '${graph.name}' did not reach a terminal node`);
}
