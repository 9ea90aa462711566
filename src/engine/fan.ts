import { buildGraph, isTaskNode, isTerminal, type CompositeNode, type Graph, type LoopNode } from '../graph/graph';
import { findBranch, findStep, type RunLogOp } from '../stores/run-log/document';
import type { Parameter, RunLog, StepLog } from '../stores/run-log/types';
import { ParameterError } from '../errors';
import { Scope, type RunContext } from './context';
import {
  branchInitial,
  checkBranchSchemas,
  writtenByBranch,
  conditionalChoice,
  loopBreaks,
  mapItems,
  mapKeys,
  mergeMap,
  mergeParallel,
  openComposite,
  StepFailure,
  toParameter,
  type BranchOutcome,
} from './composites';
import { jsonParameter } from './params';
import { createRun, makeContext, reopenRun, resolveServices, type ExecuteOptions } from './run';
import { locateNode } from './node-path';
import { executeTerminal } from './traverse';
import type { AnyPipeline } from '../types/any';

/**
 * Fan-out / fan-in: a composite step (parallel, map, conditional, loop) executed in separate processes, as an Argo
 * Workflow does with one pod per operation. `out` opens the composite (its step log and the logs of the branches to
 * run), `in` closes it (collects the branches' statuses and values exactly as the in-process engine does in
 * engine/composites.ts). Between the two, each task of each branch runs with `runnable execute-single-node`.
 *
 * Two more targets make a whole run drivable from outside:
 *  - `.` (the pipeline itself): `out` creates the run log (or, when RUNNABLE_RETRY_RUN_ID names the run, reopens it
 *    for a retry);
 *  - a terminal node (`success` / `fail`, or `<branch>.success`): `out` records it and sets the enclosing branch's
 *    (or the run's) status, like reaching it in-process.
 */
export type FanDirection = 'out' | 'in';

export interface FanOptions extends ExecuteOptions {
  /** Loop iteration (0-based) to open (`out`) or to close (`in`). Default 0. */
  iteration?: number;
}

export interface FanResult {
  /** FAIL: the composite failed (or the `fail` terminal was reached); the process should exit non-zero. */
  status: 'SUCCESS' | 'FAIL' | 'PROCESSING';
  /**
   * What an orchestrator needs next. map `out`: JSON array of the branch keys to run; parallel `out`: JSON array of
   * branch names; conditional `out`: the chosen branch name; loop `in`: 'true' to run another iteration, else 'false'.
   * '' otherwise.
   */
  output: string;
  /** Why it failed, when it did. */
  message?: string;
  /** The composite was skipped: it (or its branch) succeeded in the run being retried. */
  skipped?: boolean;
}

/** The scope of a step: the run's values, then each enclosing branch's own values. */
function scopeOf(log: RunLog, branches: readonly string[], what: string): Scope {
  let scope = new Scope(undefined, { ...log.parameters });
  for (const b of branches) {
    const branch = findBranch(log, b);
    if (!branch) throw new ParameterError(`Branch '${b}' never started in run ${log.run_id}, so '${what}' has nothing to read. Run the fan-out of its composite first.`);
    scope = new Scope(b, { ...branch.parameters }, scope);
  }
  return scope;
}

/**
 * A finished branch as the in-process engine would hold it: its values, and which of them its steps wrote (what
 * merges into the parent). Written = every value of the branch log except the iteration variables and the branch
 * pipeline's defaults that no step changed.
 */
function branchOutcome(log: RunLog, graph: Graph, name: string, parent: Scope, iterationVars: readonly string[]): BranchOutcome {
  const b = findBranch(log, name);
  const scope = new Scope(name, { ...(b?.parameters ?? {}) }, parent);
  for (const k of writtenByBranch(graph, scope.own, parent, iterationVars)) scope.written.add(k);
  return { name, status: b?.status === 'SUCCESS' ? 'SUCCESS' : 'FAIL', scope };
}

const retrying = (options: ExecuteOptions, env: NodeJS.ProcessEnv) => !!(options.retryRunId ?? env.RUNNABLE_RETRY_RUN_ID);

/** Opens (or re-opens on retry) one branch; 'skipped' when it succeeded in the run being retried. */
async function openBranch(ctx: RunContext, log: RunLog, retry: boolean, name: string, own: () => Promise<Record<string, Parameter>> | Record<string, Parameter>, graph: Graph, parent: Scope): Promise<'opened' | 'skipped'> {
  const before = retry ? findBranch(log, name) : undefined;
  if (before?.status === 'SUCCESS') {
    ctx.reporter.stepSkipped(name);
    return 'skipped';
  }
  const parameters = before ? { ...before.parameters } : branchInitial(graph, parent, await own());
  await ctx.store.apply(ctx.runId, [{ op: 'branch', branch: { internal_name: name, status: 'PROCESSING', parameters } }]);
  return 'opened';
}

/** The composite's end, as executeComposite ends: status, message, and on success its values merged into the parent. */
async function closeComposite(ctx: RunContext, step: StepLog, scope: Scope, outcome: { merged: Record<string, Parameter> } | { error: unknown }): Promise<FanResult> {
  const closed: StepLog = { ...step, branches: {} };
  const ops: RunLogOp[] = [];
  if ('merged' in outcome) {
    closed.status = 'SUCCESS';
    closed.message = '';
    if (Object.keys(outcome.merged).length) ops.push({ op: 'params', branch: scope.branch, params: outcome.merged });
  } else {
    const err = outcome.error as Error;
    closed.status = 'FAIL';
    closed.message = err instanceof StepFailure ? err.message : `${err.name}: ${err.message}`;
  }
  ops.push({ op: 'step', step: closed });
  await ctx.store.apply(ctx.runId, ops);
  ctx.reporter.stepFinished({ internalName: step.internal_name, status: closed.status as 'SUCCESS' | 'FAIL', seconds: 0, attempt: 1, ...(closed.message && { error: closed.message }) });
  return { status: closed.status as 'SUCCESS' | 'FAIL', output: '', ...(closed.message && { message: closed.message }) };
}

async function guard<T>(fn: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await fn() };
  } catch (error) {
    if (error instanceof StepFailure) return { error };
    throw error;
  }
}

/** Loop iteration i's carried values: what iteration i-1 wrote. */
function carriedInto(log: RunLog, node: LoopNode, internal: string, i: number, parent: Scope): Record<string, Parameter> {
  if (i === 0) return {};
  return branchOutcome(log, node.branch, `${internal}.${i - 1}`, parent, node.indexAs ? [node.indexAs] : []).scope.writtenValues();
}

async function compositeOut(ctx: RunContext, log: RunLog, node: CompositeNode, scope: Scope, retry: boolean, iteration: number): Promise<FanResult> {
  const internal = scope.internalName(node.name);
  const existing = findStep(log, internal);
  if (retry && existing?.status === 'SUCCESS') {
    ctx.reporter.stepSkipped(internal);
    return { status: 'SUCCESS', output: node.type === 'map' || node.type === 'parallel' ? '[]' : '', skipped: true };
  }
  if (node.type === 'loop') {
    if (!Number.isInteger(iteration) || iteration < 0 || iteration >= node.maxIterations) {
      throw new ParameterError(`loop '${internal}': iteration ${iteration} is outside 0..${node.maxIterations - 1} (maxIterations ${node.maxIterations}).`);
    }
    if (iteration > 0 && !existing) throw new ParameterError(`loop '${internal}' was never opened in run ${ctx.runId}: open iteration 0 first.`);
    const step = iteration === 0 ? await openComposite(ctx, node, internal, existing) : existing!;
    const carried = carriedInto(log, node, internal, iteration, scope);
    const own = { ...carried, ...(node.indexAs && { [node.indexAs]: jsonParameter(iteration) }) };
    const checked = await guard(() => checkBranchSchemas(ctx, node, scope, internal, retry ? log : undefined, { iteration, own }));
    if ('error' in checked) return closeComposite(ctx, step, scope, checked);
    await openBranch(ctx, log, retry, `${internal}.${iteration}`, () => own, node.branch, scope);
    return { status: 'PROCESSING', output: String(iteration) };
  }
  const step = await openComposite(ctx, node, internal, existing);
  switch (node.type) {
    case 'parallel': {
      const checked = await guard(() => checkBranchSchemas(ctx, node, scope, internal, retry ? log : undefined, {}));
      if ('error' in checked) return closeComposite(ctx, step, scope, checked);
      for (const [key, g] of node.branches) await openBranch(ctx, log, retry, `${internal}.${key}`, () => ({}), g, scope);
      return { status: 'PROCESSING', output: JSON.stringify([...node.branches.keys()]) };
    }
    case 'map': {
      const got = await guard(() => mapItems(ctx, node, scope));
      if ('error' in got) return closeComposite(ctx, step, scope, got);
      const items = got.value;
      const keys = mapKeys(items);
      const checked = await guard(() => checkBranchSchemas(ctx, node, scope, internal, retry ? log : undefined, { items, keys }));
      if ('error' in checked) return closeComposite(ctx, step, scope, checked);
      const toRun: string[] = [];
      for (let i = 0; i < items.length; i++) {
        const name = `${internal}.${keys[i]}`;
        const own = async () => ({ [node.as]: await toParameter(ctx, items[i], node.as, name) });
        if ((await openBranch(ctx, log, retry, name, own, node.branch, scope)) === 'opened') toRun.push(keys[i]!);
      }
      return { status: 'PROCESSING', output: JSON.stringify(toRun) };
    }
    case 'conditional': {
      const got = await guard(() => conditionalChoice(ctx, node, scope));
      if ('error' in got) return closeComposite(ctx, step, scope, got);
      const checked = await guard(() => checkBranchSchemas(ctx, node, scope, internal, retry ? log : undefined, { key: got.value.key }));
      if ('error' in checked) return closeComposite(ctx, step, scope, checked);
      await openBranch(ctx, log, retry, `${internal}.${got.value.key}`, () => ({}), got.value.graph, scope);
      return { status: 'PROCESSING', output: got.value.key };
    }
  }
}

async function compositeIn(ctx: RunContext, log: RunLog, node: CompositeNode, scope: Scope, retry: boolean, iteration: number): Promise<FanResult> {
  const internal = scope.internalName(node.name);
  const step = findStep(log, internal);
  if (!step) throw new ParameterError(`Composite '${internal}' was never opened in run ${ctx.runId}: run its fan-out first.`);
  if (step.status !== 'PROCESSING') {
    // Already closed: skipped on retry (it succeeded before), or it failed at its fan-out.
    if (retry && step.status === 'SUCCESS') ctx.reporter.stepSkipped(internal);
    return { status: step.status === 'SUCCESS' ? 'SUCCESS' : 'FAIL', output: node.type === 'loop' ? 'false' : '', skipped: step.status === 'SUCCESS', ...(step.message && { message: step.message }) };
  }
  let result: { value: Record<string, Parameter> } | { error: unknown };
  switch (node.type) {
    case 'parallel':
      result = await guard(async () => mergeParallel([...node.branches].map(([key, g]) => branchOutcome(log, g, `${internal}.${key}`, scope, []))));
      break;
    case 'map':
      result = await guard(async () => {
        const keys = mapKeys(await mapItems(ctx, node, scope));
        const outcomes = keys.map((k) => branchOutcome(log, node.branch, `${internal}.${k}`, scope, [node.as]));
        return mergeMap(ctx, node, internal, outcomes, keys.length);
      });
      break;
    case 'conditional':
      result = await guard(async () => {
        const { key, graph } = await conditionalChoice(ctx, node, scope);
        const o = branchOutcome(log, graph, `${internal}.${key}`, scope, []);
        if (o.status === 'FAIL') throw new StepFailure(`branch '${o.name}' failed`);
        return o.scope.writtenValues();
      });
      break;
    case 'loop': {
      const o = branchOutcome(log, node.branch, `${internal}.${iteration}`, scope, node.indexAs ? [node.indexAs] : []);
      if (!findBranch(log, o.name)) throw new ParameterError(`loop '${internal}': iteration ${iteration} was never opened in run ${ctx.runId}.`);
      const decided = await guard(async () => {
        if (o.status === 'FAIL') throw new StepFailure(`iteration ${iteration} ('${o.name}') failed`);
        return (await loopBreaks(ctx, node, o.scope)) || iteration + 1 >= node.maxIterations;
      });
      if ('value' in decided && !decided.value) return { status: 'PROCESSING', output: 'true' };
      const closed = await closeComposite(ctx, step, scope, 'error' in decided ? decided : { merged: o.scope.writtenValues() });
      return { ...closed, output: 'false' };
    }
  }
  return closeComposite(ctx, step, scope, 'error' in result ? result : { merged: result.value });
}

/**
 * Runs one fan operation of run `runId` on the step at `stepPath` (a composite's dot path with its iteration keys,
 * `.` for the pipeline itself, or a terminal node). See the module comment.
 */
export async function fan(pipeline: AnyPipeline, runId: string, stepPath: string, direction: FanDirection, options: FanOptions = {}): Promise<FanResult> {
  const env = options.env ?? process.env;
  const retry = retrying(options, env);
  if (stepPath === '.') {
    if (direction === 'in') throw new ParameterError(`'fan ${runId} . in' does not exist: a run ends at its 'success' or 'fail' node (fan ${runId} success out).`);
    if (retry) {
      const retryRunId = options.retryRunId ?? env.RUNNABLE_RETRY_RUN_ID!;
      if (retryRunId !== runId) throw new ParameterError(`A resubmission resumes the same run: retry_run_id '${retryRunId}' must equal run_id '${runId}'.`);
      const reopened = await reopenRun(pipeline, runId, options, env);
      if ('done' in reopened) return { status: 'SUCCESS', output: '', skipped: true };
      await reopened.ctx.store.close(runId);
    } else {
      const { ctx } = await createRun(pipeline, { ...options, runId });
      await ctx.store.close(runId);
    }
    return { status: 'PROCESSING', output: '' };
  }
  const graph = buildGraph(pipeline);
  const { node, branches } = locateNode(graph, stepPath, { terminals: true });
  if (isTaskNode(node)) {
    throw new ParameterError(`'${stepPath}' is a ${node.type} step: run it with 'runnable execute-single-node ${runId} <file> ${stepPath}'.`);
  }
  const services = resolveServices(options, env);
  const log = await services.store.get(runId);
  const ctx = makeContext(pipeline, graph, services, runId, log.tag, env, log);
  try {
    if (isTerminal(node)) {
      if (direction === 'in') throw new ParameterError(`'${stepPath}' is the ${node.type} node: it has only 'out'.`);
      const enclosing = branches.at(-1);
      // A branch that succeeded in the run being retried is not walked again (it was skipped at its fan-out).
      if (enclosing && findBranch(log, enclosing)?.status === 'SUCCESS') return { status: 'SUCCESS', output: '', skipped: true };
      const status = await executeTerminal(ctx, node, new Scope(enclosing, {}));
      return { status: status === 'SUCCESS' ? 'SUCCESS' : 'FAIL', output: '' };
    }
    const scope = scopeOf(log, branches, stepPath);
    const iteration = options.iteration ?? 0;
    return direction === 'out' ? await compositeOut(ctx, log, node, scope, retry, iteration) : await compositeIn(ctx, log, node, scope, retry, iteration);
  } finally {
    await services.store.close(runId);
  }
}
