import { canonicalJson, declaredReturns, type CompositeNode, type ConditionalNode, type Graph, type LoopNode, type MapNode, type ParallelNode } from '../graph/graph';
import { findBranch, findStep, type RunLogOp } from '../stores/run-log/document';
import type { Parameter, RunLog, StepLog } from '../stores/run-log/types';
import { Scope, type RunContext } from './context';
import { jsonParameter } from './params';
import { findNonJson } from './returns';
import { loadValue, pickleValue } from './values';
import { executeGraph } from './traverse';
import { yieldToEventLoop } from '../util/yield';
import { branchSchemaProblems, branchSchemaRefusal } from './branch-schema';

type Status = 'SUCCESS' | 'FAIL';

export interface BranchOutcome {
  name: string;
  status: Status;
  scope: Scope;
}

/** Stores a value as a parameter: inline when it is JSON, pickled into the catalog otherwise. */
export async function toParameter(ctx: RunContext, value: unknown, name: string, catalogDir: string, kind: 'json' | 'metric' = 'json'): Promise<Parameter> {
  if (findNonJson(value, name) === undefined) return jsonParameter(value, kind);
  return (await pickleValue(ctx, value, name, catalogDir)).parameter;
}

/** A branch's values before its first step: its own (iteration) values, then the branch pipeline's defaults the parent lacks. */
export function branchInitial(graph: Graph, parent: Scope, own: Record<string, Parameter>): Record<string, Parameter> {
  const initial = { ...own };
  for (const [k, v] of Object.entries(graph.defaults)) if (v !== undefined && !parent.get(k) && !(k in initial)) initial[k] = jsonParameter(v);
  return initial;
}

/**
 * The names a branch's steps wrote, from its branch log (a retry or an out-of-process fan-in reads them back): every
 * value of the log except the iteration variables and the branch pipeline's defaults that no step changed, which
 * the branch started with (branchInitial) and must not merge into the parent.
 */
export function writtenByBranch(graph: Graph, parameters: Readonly<Record<string, Parameter>>, parent: Scope, iterationVars: readonly string[]): string[] {
  return Object.entries(parameters)
    .filter(([k, p]) => {
      if (iterationVars.includes(k)) return false;
      const dflt = graph.defaults[k];
      return !(dflt !== undefined && !parent.get(k) && canonicalJson(p) === canonicalJson(jsonParameter(dflt)));
    })
    .map(([k]) => k);
}

/**
 * Runs one branch graph in its own scope (which sees the parent's values). On retry, a branch that succeeded is
 * not run again: its values come from its branch log.
 */
async function runBranch(ctx: RunContext, graph: Graph, branchName: string, parent: Scope, own: Record<string, Parameter>, iterationVars: readonly string[]): Promise<BranchOutcome> {
  const before = ctx.original ? findBranch(ctx.original, branchName) : undefined;
  const initial = branchInitial(graph, parent, own);
  const restored = before ? { ...before.parameters } : initial;
  // An iteration value missing from the branch log (a crash of an older version between the branch record and its
  // parameters) is derived again from the items: the same value the branch was created with.
  if (before) for (const k of iterationVars) if (!(k in restored) && k in own) restored[k] = own[k]!;
  const scope = new Scope(branchName, restored, parent);
  if (before) for (const k of writtenByBranch(graph, before.parameters, parent, iterationVars)) scope.written.add(k);
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

/** A composite's own failure: its message becomes the step log's message. */
export class StepFailure extends Error {}

/** In a dry run (mocked executor), a value is missing because the step that returns it was faked: say how to give it. */
function dryRunHint(ctx: RunContext, name: string): string {
  if (ctx.executor.type !== 'mocked') return '';
  return `. In a dry run, a step that is not patched returns nothing: patch the step that returns '${name}' with { outputs: { ${name}: ... } }`;
}

/** Where a composite's branches are about to start: a map's items, a conditional's chosen branch, a loop iteration (a parallel needs nothing). */
export interface BranchStarts {
  items?: readonly unknown[];
  keys?: readonly string[];
  key?: string;
  iteration?: number;
  /** A loop iteration's own values (carried values, index). */
  own?: Readonly<Record<string, Parameter>>;
}

/**
 * Fails the composite before any branch starts when a branch pipeline's params schema refuses the values one of its
 * branches would start with (see branchSchemaProblems). Branches a retry restores from the original run are not
 * checked again: they started (or finished) with those values already. Nothing to do when no branch has a schema.
 */
export async function checkBranchSchemas(ctx: RunContext, node: CompositeNode, parent: Scope, internal: string, original: RunLog | undefined, at: BranchStarts): Promise<void> {
  let composite = `${node.type} '${node.name}'`;
  let starts: { branch: string; graph: Graph; own: Readonly<Record<string, unknown>> }[];
  if (node.type === 'parallel') starts = [...node.branches].map(([key, graph]) => ({ branch: `${internal}.${key}`, graph, own: {} }));
  else if (node.type === 'conditional') starts = [{ branch: `${internal}.${at.key!}`, graph: node.branches.get(at.key!)!, own: {} }];
  else if (!node.branch.schema) return;
  else if (node.type === 'map') starts = at.items!.map((item, i) => ({ branch: `${internal}.${at.keys![i]}`, graph: node.branch, own: { [node.as]: item } }));
  else {
    composite += ` iteration ${at.iteration!}`;
    starts = [{ branch: `${internal}.${at.iteration!}`, graph: node.branch, own: await ownValues(ctx, at.own ?? {}) }];
  }
  const refused: { branch: string; problems: string[] }[] = [];
  let graph: Graph | undefined;
  const loaded = new Map<string, unknown>();
  for (const s of starts) {
    if (!s.graph.schema || (original && findBranch(original, s.branch))) continue;
    const problems = await branchSchemaProblems(ctx, s.graph, parent, s.own, loaded);
    if (problems.length) {
      refused.push({ branch: s.branch, problems });
      graph ??= s.graph;
    }
  }
  if (refused.length) throw new StepFailure(branchSchemaRefusal(composite, graph!, refused));
}

/** The values of a branch's own parameters (a loop's carried values and index), loaded. */
async function ownValues(ctx: RunContext, own: Readonly<Record<string, Parameter>>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(own)) out[k] = await loadValue(ctx, k, p);
  return out;
}

async function parallel(ctx: RunContext, node: ParallelNode, scope: Scope, internal: string): Promise<{ merged: Record<string, Parameter>; message: string }> {
  await checkBranchSchemas(ctx, node, scope, internal, ctx.original, {});
  const outcomes = await Promise.all([...node.branches].map(([key, g]) => runBranch(ctx, g, `${internal}.${key}`, scope, {}, [])));
  return { merged: mergeParallel(outcomes), message: '' };
}

/** A parallel's result: every branch's written values, in declaration order (last wins). Throws when a branch failed. */
export function mergeParallel(outcomes: readonly BranchOutcome[]): Record<string, Parameter> {
  const failed = outcomes.filter((o) => o.status === 'FAIL');
  if (failed.length) throw new StepFailure(`branch ${failed.map((f) => `'${f.name}'`).join(', ')} failed`);
  const merged: Record<string, Parameter> = {};
  for (const o of outcomes) Object.assign(merged, o.scope.writtenValues()); // declaration order: last wins
  return merged;
}

/** The items a map iterates over (a StepFailure when 'over' is missing or not an array). */
export async function mapItems(ctx: RunContext, node: MapNode, scope: Scope): Promise<unknown[]> {
  const p = scope.get(node.over);
  if (!p) throw new StepFailure(`map '${node.name}': 'over' names '${node.over}', which is not in scope${dryRunHint(ctx, node.over)}`);
  const items = await loadValue(ctx, node.over, p);
  if (!Array.isArray(items)) {
    throw new StepFailure(`map '${node.name}': '${node.over}' must be an array to map over, but it is ${items === null ? 'null' : typeof items}`);
  }
  return items;
}

async function map(ctx: RunContext, node: MapNode, scope: Scope, internal: string): Promise<{ merged: Record<string, Parameter>; message: string }> {
  const items = await mapItems(ctx, node, scope);
  const keys = mapKeys(items);
  await checkBranchSchemas(ctx, node, scope, internal, ctx.original, { items, keys });
  const outcomes = await pool(items.length, node.concurrency, async (i) => {
    const branchName = `${internal}.${keys[i]}`;
    const own: Record<string, Parameter> = { [node.as]: await toParameter(ctx, items[i], node.as, branchName) };
    return runBranch(ctx, node.branch, branchName, scope, own, [node.as]);
  });
  return { merged: await mergeMap(ctx, node, internal, outcomes, items.length), message: '' };
}

/** A map's result: each returned name collected into a list (or reduced). Throws when an iteration failed. */
export async function mergeMap(ctx: RunContext, node: MapNode, internal: string, outcomes: readonly BranchOutcome[], itemCount: number): Promise<Record<string, Parameter>> {
  const items = { length: itemCount };
  const failed = outcomes.filter((o) => o.status === 'FAIL');
  if (failed.length) {
    const shown = failed.slice(0, 5).map((f) => `'${f.name}'`).join(', ');
    throw new StepFailure(`${failed.length} of ${items.length} iterations failed: ${shown}${failed.length > 5 ? ', …' : ''}`);
  }
  // The names the branch's steps may write (not its on-failure pipelines: a recovered failure fails the branch).
  const names = new Set(declaredReturns(node.branch));
  for (const o of outcomes) for (const k of o.scope.written) names.add(k);
  const merged: Record<string, Parameter> = {};
  for (const name of names) {
    // One value per item, in item order, as the types promise: what the iteration wrote, else (a name written
    // only by some branches of a conditional inside it) the value it saw, else undefined.
    const seen = outcomes.map((o) => (o.scope.written.has(name) ? o.scope.own[name] : o.scope.get(name)));
    const params = seen.filter((x): x is Parameter => !!x);
    const values = await Promise.all(seen.map((prm) => (prm ? loadValue(ctx, name, prm) : undefined)));
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
  return merged;
}

/** The branch a conditional takes (a StepFailure when its value matches none). */
export async function conditionalChoice(ctx: RunContext, node: ConditionalNode, scope: Scope): Promise<{ key: string; graph: Graph }> {
  const p = scope.get(node.on);
  const names = [...node.branches.keys()].map((k) => `'${k}'`).join(', ');
  if (!p) throw new StepFailure(`conditional '${node.name}': 'on' names '${node.on}', which is not in scope (branches: ${names})${dryRunHint(ctx, node.on)}`);
  const value = await loadValue(ctx, node.on, p);
  const key = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  const graph = key === undefined ? undefined : node.branches.get(key);
  if (!graph) {
    throw new StepFailure(`conditional '${node.name}': '${node.on}' is ${JSON.stringify(value) ?? String(value)}, which matches none of the branches ${names}`);
  }
  return { key: key!, graph };
}

async function conditional(ctx: RunContext, node: ConditionalNode, scope: Scope, internal: string): Promise<{ merged: Record<string, Parameter>; message: string }> {
  const { key, graph } = await conditionalChoice(ctx, node, scope);
  await checkBranchSchemas(ctx, node, scope, internal, ctx.original, { key });
  const o = await runBranch(ctx, graph, `${internal}.${key}`, scope, {}, []);
  if (o.status === 'FAIL') throw new StepFailure(`branch '${o.name}' failed`);
  return { merged: o.scope.writtenValues(), message: '' };
}

async function loop(ctx: RunContext, node: LoopNode, scope: Scope, internal: string): Promise<{ merged: Record<string, Parameter>; message: string }> {
  let carried: Record<string, Parameter> = {};
  const vars = node.indexAs ? [node.indexAs] : [];
  for (let i = 0; i < node.maxIterations; i++) {
    const own: Record<string, Parameter> = { ...carried, ...(node.indexAs && { [node.indexAs]: jsonParameter(i) }) };
    await checkBranchSchemas(ctx, node, scope, internal, ctx.original, { iteration: i, own });
    const o = await runBranch(ctx, node.branch, `${internal}.${i}`, scope, own, vars);
    for (const k of Object.keys(carried)) o.scope.written.add(k);
    if (o.status === 'FAIL') throw new StepFailure(`iteration ${i} ('${o.name}') failed`);
    carried = o.scope.writtenValues();
    if (await loopBreaks(ctx, node, o.scope)) break;
  }
  return { merged: carried, message: '' };
}

/** Whether a loop iteration's scope says to stop ('breakOn' true). */
export async function loopBreaks(ctx: RunContext, node: LoopNode, iteration: Scope): Promise<boolean> {
  const stop = iteration.get(node.breakOn);
  if (stop === undefined) return false;
  const v = await loadValue(ctx, node.breakOn, stop);
  if (typeof v !== 'boolean') throw new StepFailure(`loop '${node.name}': 'breakOn' value '${node.breakOn}' must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

/** A composite's step log set PROCESSING (created, or reused without its branches on retry), and reported started. */
export async function openComposite(ctx: RunContext, node: CompositeNode, internal: string, existing: StepLog | undefined): Promise<StepLog> {
  const step: StepLog = existing
    ? { ...structuredClone(existing), branches: {} }
    : { name: node.name, internal_name: internal, status: 'PROCESSING', step_type: node.type, message: '', mock: false, attempts: [], branches: {}, data_catalog: [] };
  step.status = 'PROCESSING';
  step.message = '';
  await ctx.store.apply(ctx.runId, [{ op: 'step', step }]);
  ctx.reporter.stepStarted(internal);
  return step;
}

/**
 * Executes a parallel, map, conditional or loop step: creates its step log (composite steps have no attempts),
 * runs the branches, merges their values into this scope when it succeeds, and records why when it fails.
 */
export async function executeComposite(ctx: RunContext, node: CompositeNode, scope: Scope): Promise<Status> {
  const internal = scope.internalName(node.name);
  const step = await openComposite(ctx, node, internal, ctx.original ? findStep(ctx.original, internal) : undefined);
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
  const ops: RunLogOp[] = [];
  if (status === 'SUCCESS' && Object.keys(merged).length) {
    scope.set(merged);
    ops.push({ op: 'params', branch: scope.branch, params: merged });
  }
  ops.push({ op: 'step', step });
  await ctx.store.apply(ctx.runId, ops);
  ctx.reporter.stepFinished({ internalName: internal, status, seconds: (performance.now() - t0) / 1000, attempt: 1, ...(step.message && { error: step.message }), step });
  return status;
}
