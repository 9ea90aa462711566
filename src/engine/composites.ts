import type { CompositeNode, ConditionalNode, Graph, LoopNode, MapNode, ParallelNode } from '../graph/graph';
import { declaredReturns } from '../graph/graph';
import { findBranch, findStep } from '../stores/run-log/document';
import type { Parameter, StepLog } from '../stores/run-log/types';
import { Scope, type RunContext } from './context';
import { jsonParameter } from './params';
import { findNonJson } from './returns';
import { loadValue, pickleValue } from './values';
import { executeGraph } from './traverse';
import { yieldToEventLoop } from '../util/yield';

type Status = 'SUCCESS' | 'FAIL';

interface BranchOutcome {
  name: string;
  status: Status;
  scope: Scope;
}

/** Stores a value as a parameter: inline when it is JSON, pickled into the catalog otherwise. */
async function toParameter(ctx: RunContext, value: unknown, name: string, catalogDir: string, kind: 'json' | 'metric' = 'json'): Promise<Parameter> {
  if (findNonJson(value, name) === undefined) return jsonParameter(value, kind);
  return (await pickleValue(ctx, value, name, catalogDir)).parameter;
}

/**
 * Runs one branch graph in its own scope (which sees the parent's values). On retry, a branch that succeeded is
 * not run again: its values come from its branch log.
 */
async function runBranch(ctx: RunContext, graph: Graph, branchName: string, parent: Scope, own: Record<string, Parameter>, iterationVars: readonly string[]): Promise<BranchOutcome> {
  const before = ctx.original ? findBranch(ctx.original, branchName) : undefined;
  const initial = { ...own };
  for (const [k, v] of Object.entries(graph.defaults)) if (v !== undefined && !parent.get(k) && !(k in initial)) initial[k] = jsonParameter(v);
  const restored = before ? { ...before.parameters } : initial;
  // An iteration value missing from the branch log (a crash of an older version between the branch record and its
  // parameters) is derived again from the items: the same value the branch was created with.
  if (before) for (const k of iterationVars) if (!(k in restored) && k in own) restored[k] = own[k]!;
  const scope = new Scope(branchName, restored, parent);
  if (before) for (const k of Object.keys(before.parameters)) if (!iterationVars.includes(k)) scope.written.add(k);
  if (before?.status === 'SUCCESS') {
    ctx.reporter.stepSkipped(branchName);
    return { name: branchName, status: 'SUCCESS', scope };
  }
  await ctx.store.apply(ctx.runId, [{ op: 'branch', branch: { internal_name: branchName, status: 'PROCESSING', parameters: scope.own } }]);
  const status = await executeGraph(ctx, graph, scope);
  return { name: branchName, status: status === 'SUCCESS' ? 'SUCCESS' : 'FAIL', scope };
}

/** Runs `count` jobs, at most `limit` at a time, keeping results in order. */
async function pool<T>(count: number, limit: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await yieldToEventLoop();
      results[i] = await job(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

/** Branch keys of a map: the items themselves when they are distinct simple names (Python-compatible), else their index. */
export function mapKeys(items: readonly unknown[]): string[] {
  const simple = items.map((i) => (typeof i === 'string' || typeof i === 'boolean' || (typeof i === 'number' && Number.isFinite(i)) ? String(i) : null));
  const usable = simple.every((s) => s !== null && /^[A-Za-z0-9_-]{1,64}$/.test(s)) && new Set(simple).size === simple.length;
  return usable ? (simple as string[]) : items.map((_, i) => String(i));
}

class StepFailure extends Error {}

async function parallel(ctx: RunContext, node: ParallelNode, scope: Scope, internal: string): Promise<{ merged: Record<string, Parameter>; message: string }> {
  const outcomes = await Promise.all([...node.branches].map(([key, g]) => runBranch(ctx, g, `${internal}.${key}`, scope, {}, [])));
  const failed = outcomes.filter((o) => o.status === 'FAIL');
  if (failed.length) throw new StepFailure(`branch ${failed.map((f) => `'${f.name}'`).join(', ')} failed`);
  const merged: Record<string, Parameter> = {};
  for (const o of outcomes) Object.assign(merged, o.scope.writtenValues()); // declaration order: last wins
  return { merged, message: '' };
}

async function map(ctx: RunContext, node: MapNode, scope: Scope, internal: string): Promise<{ merged: Record<string, Parameter>; message: string }> {
  const p = scope.get(node.over);
  if (!p) throw new StepFailure(`map '${node.name}': 'over' names '${node.over}', which is not in scope`);
  const items = await loadValue(ctx, node.over, p);
  if (!Array.isArray(items)) {
    throw new StepFailure(`map '${node.name}': '${node.over}' must be an array to map over, but it is ${items === null ? 'null' : typeof items}`);
  }
  const keys = mapKeys(items);
  const outcomes = await pool(items.length, node.concurrency, async (i) => {
    const branchName = `${internal}.${keys[i]}`;
    const own: Record<string, Parameter> = { [node.as]: await toParameter(ctx, items[i], node.as, branchName) };
    return runBranch(ctx, node.branch, branchName, scope, own, [node.as]);
  });
  const failed = outcomes.filter((o) => o.status === 'FAIL');
  if (failed.length) {
    const shown = failed.slice(0, 5).map((f) => `'${f.name}'`).join(', ');
    throw new StepFailure(`${failed.length} of ${items.length} iterations failed: ${shown}${failed.length > 5 ? ', …' : ''}`);
  }
  const names = new Set(declaredReturns(node.branch));
  for (const o of outcomes) for (const k of o.scope.written) names.add(k);
  const merged: Record<string, Parameter> = {};
  for (const name of names) {
    const params = outcomes.map((o) => (o.scope.written.has(name) ? o.scope.own[name] : undefined)).filter((x): x is Parameter => !!x);
    const values = await Promise.all(params.map((prm) => loadValue(ctx, name, prm)));
    let result: unknown = values;
    const reducer = node.reducer?.[name];
    if (reducer) {
      try {
        result = await reducer(values);
      } catch (err) {
        throw new StepFailure(`map '${node.name}': the reducer of '${name}' failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      }
    }
    const allMetrics = params.length > 0 && params.every((prm) => prm.kind === 'metric');
    const pickled = params.some((prm) => prm.kind === 'object');
    // pickled inputs reduce to a pickled result, even when the result happens to be JSON-like
    merged[name] = pickled
      ? (await pickleValue(ctx, result, name, internal)).parameter
      : await toParameter(ctx, result, name, internal, allMetrics && typeof result === 'number' ? 'metric' : 'json');
  }
  return { merged, message: '' };
}

async function conditional(ctx: RunContext, node: ConditionalNode, scope: Scope, internal: string): Promise<{ merged: Record<string, Parameter>; message: string }> {
  const p = scope.get(node.on);
  const names = [...node.branches.keys()].map((k) => `'${k}'`).join(', ');
  if (!p) throw new StepFailure(`conditional '${node.name}': 'on' names '${node.on}', which is not in scope (branches: ${names})`);
  const value = await loadValue(ctx, node.on, p);
  const key = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  const graph = key === undefined ? undefined : node.branches.get(key);
  if (!graph) {
    throw new StepFailure(`conditional '${node.name}': '${node.on}' is ${JSON.stringify(value) ?? String(value)}, which matches none of the branches ${names}`);
  }
  const o = await runBranch(ctx, graph, `${internal}.${key}`, scope, {}, []);
  if (o.status === 'FAIL') throw new StepFailure(`branch '${o.name}' failed`);
  return { merged: o.scope.writtenValues(), message: '' };
}

async function loop(ctx: RunContext, node: LoopNode, scope: Scope, internal: string): Promise<{ merged: Record<string, Parameter>; message: string }> {
  let carried: Record<string, Parameter> = {};
  const vars = node.indexAs ? [node.indexAs] : [];
  for (let i = 0; i < node.maxIterations; i++) {
    const own: Record<string, Parameter> = { ...carried, ...(node.indexAs && { [node.indexAs]: jsonParameter(i) }) };
    const o = await runBranch(ctx, node.branch, `${internal}.${i}`, scope, own, vars);
    for (const k of Object.keys(carried)) o.scope.written.add(k);
    if (o.status === 'FAIL') throw new StepFailure(`iteration ${i} ('${o.name}') failed`);
    carried = o.scope.writtenValues();
    const stop = o.scope.get(node.breakOn);
    if (stop === undefined) continue;
    const v = await loadValue(ctx, node.breakOn, stop);
    if (typeof v !== 'boolean') throw new StepFailure(`loop '${node.name}': 'breakOn' value '${node.breakOn}' must be a boolean, got ${JSON.stringify(v)}`);
    if (v) break;
  }
  return { merged: carried, message: '' };
}

/**
 * Executes a parallel, map, conditional or loop step: creates its step log (composite steps have no attempts),
 * runs the branches, merges their values into this scope when it succeeds, and records why when it fails.
 */
export async function executeComposite(ctx: RunContext, node: CompositeNode, scope: Scope): Promise<Status> {
  const internal = scope.internalName(node.name);
  const existing = ctx.original ? findStep(ctx.original, internal) : undefined;
  const step: StepLog = existing
    ? { ...structuredClone(existing), branches: {} }
    : { name: node.name, internal_name: internal, status: 'PROCESSING', step_type: node.type, message: '', mock: false, attempts: [], branches: {}, data_catalog: [] };
  step.status = 'PROCESSING';
  step.message = '';
  await ctx.store.apply(ctx.runId, [{ op: 'step', step }]);
  ctx.reporter.stepStarted(internal);
  const t0 = performance.now();
  let status: Status = 'SUCCESS';
  let merged: Record<string, Parameter> = {};
  try {
    const run = node.type === 'parallel' ? parallel : node.type === 'map' ? map : node.type === 'conditional' ? conditional : loop;
    ({ merged } = await run(ctx, node as never, scope, internal));
  } catch (err) {
    status = 'FAIL';
    step.message = err instanceof StepFailure ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
  }
  step.status = status;
  const ops: Parameters<typeof ctx.store.apply>[1][number][] = [];
  if (status === 'SUCCESS' && Object.keys(merged).length) {
    scope.set(merged);
    ops.push({ op: 'params', branch: scope.branch, params: merged });
  }
  ops.push({ op: 'step', step });
  await ctx.store.apply(ctx.runId, ops);
  ctx.reporter.stepFinished({ internalName: internal, status, seconds: (performance.now() - t0) / 1000, attempt: 1, ...(step.message && { error: step.message }) });
  return status;
}
