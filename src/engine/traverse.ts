import { isTaskNode, isTerminal, type ExecutableNode, type Graph, type TerminalNode } from '../graph/graph';
import type { RunStatus, StepLog } from '../stores/run-log/types';
import { timestamp } from '../util/time';
import type { RunContext, Scope } from './context';
import { findStep } from '../stores/run-log/document';
import { executeComposite } from './composites';
import { executeTaskElsewhere } from './remote';
import { executeWithCache } from './step-cache';
import { RunLogIntegrityError } from '../errors';

/** Terminal nodes: one SUCCESS attempt each; `success` sets the enclosing run/branch SUCCESS, `fail` sets it FAIL. */
export async function executeTerminal(ctx: RunContext, node: TerminalNode, scope: Scope): Promise<RunStatus> {
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
        code_identities: await ctx.codeIdentities,
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

/** On retry: did this step succeed in the original run (so it is skipped and its outputs reused)? */
export function succeededBefore(ctx: RunContext, internal: string): StepLog | undefined {
  const done = ctx.original ? findStep(ctx.original, internal) : undefined;
  if (!done) return undefined;
  const ok = done.step_type === 'task' || done.step_type === 'stub' ? done.attempts.at(-1)?.status === 'SUCCESS' : done.status === 'SUCCESS';
  return ok ? done : undefined;
}

async function executeNode(ctx: RunContext, node: ExecutableNode, scope: Scope): Promise<'SUCCESS' | 'FAIL'> {
  if (isTaskNode(node)) {
    // The step cache is consulted here, before the executor is involved: a hit is restored in this process.
    const step = await executeWithCache(ctx, node, scope, () =>
      ctx.executor.runStep ? executeTaskElsewhere(ctx, node, scope) : ctx.executor.executeTask!(ctx, node, scope),
    );
    return step.status === 'SUCCESS' ? 'SUCCESS' : 'FAIL';
  }
  return executeComposite(ctx, node, scope);
}

/**
 * Walks a graph from its start node: a step that succeeds goes to its `next`; one that fails runs its on-failure
 * pipeline (in the same scope, whose end decides the outcome) or goes to the graph's `fail` node. Returns the
 * status set by the terminal node reached.
 */
export async function executeGraph(ctx: RunContext, graph: Graph, scope: Scope): Promise<RunStatus> {
  let current = graph.startAt;
  for (let guard = 0; guard <= graph.nodes.size; guard++) {
    const node = graph.nodes.get(current);
    if (!node) throw new Error(`internal: graph '${graph.name}' has no node '${current}'`);
    if (isTerminal(node)) return executeTerminal(ctx, node, scope);
    const done = succeededBefore(ctx, scope.internalName(node.name));
    let status: 'SUCCESS' | 'FAIL';
    if (done) {
      // Retry: a step that succeeded keeps its outputs (already in the scope) and is not executed again.
      const lost = Object.keys(done.attempts.at(-1)?.output_parameters ?? {}).filter((n) => scope.get(n) === undefined);
      if (lost.length) {
        throw new RunLogIntegrityError(
          `Run ${ctx.runId}: step '${done.internal_name}' succeeded and returned ${lost.map((n) => `'${n}'`).join(', ')}, but the run log has no ` +
            `such parameter${lost.length > 1 ? 's' : ''} any more (a record was deleted or edited). The run cannot be resumed safely: start a new run.`,
        );
      }
      ctx.reporter.stepSkipped(done.internal_name);
      status = 'SUCCESS';
    } else {
      status = await executeNode(ctx, node, scope);
    }
    if (status === 'SUCCESS') current = node.next;
    else if (node.onFailure) {
      const recovered = await executeGraph(ctx, node.onFailure, scope);
      if (scope.branch === undefined || recovered !== 'SUCCESS') return recovered;
      // Inside a branch, the on-failure pipeline runs (to clean up, notify, ...) but the branch still fails: the
      // steps after the failed one did not run, so the branch cannot deliver the values its type promises to the
      // parent. Recover a composite as a whole with its own onFailure.
      await ctx.store.apply(ctx.runId, [{ op: 'status', branch: scope.branch, status: 'FAIL' }]);
      return 'FAIL';
    } else current = 'fail';
  }
  throw new Error(`internal: graph '${graph.name}' did not reach a terminal node`);
}
