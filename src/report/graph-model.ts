import type { TaskDefinition } from '../sdk/task';
import type { Graph } from '../graph/graph';
import { dumpGraph, isTaskNode } from '../graph/graph';
import type { StepType } from '../stores/run-log/types';
import type { JsonDocument } from '../types/any';

/**
 * The pipeline's structure for people: built from the DAG dump (`run_config.dag`, or `dumpGraph()` of a pipeline
 * before any run), so `runnable graph` and the HTML report draw the same thing.
 */
export interface GraphModel {
  name: string;
  /** Nodes in execution order (following `next` from the start), then terminal nodes that something leads to. */
  nodes: GraphModelNode[];
}

export interface GraphModelNode {
  /** Dot path with `*` for map/loop iteration keys: `map_state.*.execute_python`, `par.b1.r1`. */
  path: string;
  name: string;
  type: StepType;
  commandType?: string;
  command?: string;
  returns: { name: string; kind: string }[];
  /** Names the step reads (from the destructuring of its input, or as observed in a run), when known. */
  inputs?: string[];
  /** Name of the next node in the same graph (`success`/`fail` for the terminals), absent for terminals. */
  next?: string;
  onFailure?: GraphModel;
  /** Branches of a composite (map and loop: one, keyed `*`). */
  branches?: { key: string; graph: GraphModel }[];
  /** What drives a composite: `over chunks as chunk`, `until should_stop (at most 5)`, `on toss`. */
  detail?: string;
  /** Map: the array iterated and the name each item gets; conditional: the value chosen on; loop: the index name. */
  over?: string;
  as?: string;
  on?: string;
  indexAs?: string;
  maxAttempts?: number;
  catalog?: { get?: string[]; put?: string[] };
}

type Dump = { name?: string; start_at?: string; steps?: Record<string, JsonDocument> };

/** Builds the model from a DAG dump; `inputsOf(path)` supplies the names a step reads when they are known. */
export function graphModel(dump: unknown, inputsOf: (path: string) => string[] | undefined = () => undefined, prefix = ''): GraphModel {
  const d = (dump ?? {}) as Dump;
  const steps = d.steps ?? {};
  const order: string[] = [];
  const seen = new Set<string>();
  let cur = d.start_at;
  while (cur && steps[cur] && !seen.has(cur)) {
    seen.add(cur);
    order.push(cur);
    const n = steps[cur]!;
    cur = n.node_type === 'success' || n.node_type === 'fail' ? undefined : String(n.next_node ?? '');
  }
  // Terminals nothing leads to are left out (a pipeline without a `terminate: 'failure'` never reaches `fail`).
  if (!seen.has('success') && steps.success) order.push('success');
  const leadsToFail = Object.values(steps).some((n) => n.next_node === 'fail');
  if (leadsToFail && !seen.has('fail') && steps.fail) order.push('fail');
  const nodes = order.map((name) => nodeModel(steps[name]!, name, prefix, inputsOf));
  return { name: String(d.name ?? ''), nodes };
}

function nodeModel(n: JsonDocument, name: string, prefix: string, inputsOf: (path: string) => string[] | undefined): GraphModelNode {
  const path = prefix + name;
  const type = n.node_type as StepType;
  const out: GraphModelNode = { path, name, type, returns: [] };
  if (type === 'success' || type === 'fail') return out;
  out.next = String(n.next_node ?? 'success');
  if (n.on_failure && typeof n.on_failure === 'object') out.onFailure = graphModel(n.on_failure, inputsOf, prefix);
  switch (type) {
    case 'task':
    case 'stub': {
      out.commandType = String(n.command_type ?? '');
      if (n.command) out.command = String(n.command);
      out.returns = ((n.returns ?? []) as { name: string; kind: string }[]).map((r) => ({ name: r.name, kind: r.kind }));
      const inputs = inputsOf(path);
      if (inputs) out.inputs = inputs;
      if (Number(n.max_attempts) > 1) out.maxAttempts = Number(n.max_attempts);
      if (n.catalog && (n.catalog.get?.length || n.catalog.put?.length)) {
        out.catalog = { ...(n.catalog.get?.length && { get: [...n.catalog.get] }), ...(n.catalog.put?.length && { put: [...n.catalog.put] }) };
      }
      break;
    }
    case 'parallel':
    case 'conditional':
      out.branches = Object.entries((n.branches ?? {}) as Record<string, unknown>).map(([k, g]) => ({ key: k, graph: graphModel(g, inputsOf, `${path}.${k}.`) }));
      if (type === 'conditional') {
        out.on = String(n.parameter);
        out.detail = `on ${out.on}`;
      }
      break;
    case 'map':
      out.branches = [{ key: '*', graph: graphModel(n.branch, inputsOf, `${path}.*.`) }];
      out.over = String(n.iterate_on);
      out.as = String(n.iterate_as);
      out.detail = `over ${String(n.iterate_on)} as ${String(n.iterate_as)}${n.reducer ? `, reduce ${Object.keys(n.reducer).join(', ')}` : ''}`;
      break;
    case 'loop':
      out.branches = [{ key: '*', graph: graphModel(n.branch, inputsOf, `${path}.*.`) }];
      if (n.index_as) out.indexAs = String(n.index_as);
      out.detail = `until ${String(n.break_on)} (at most ${String(n.max_iterations)})${n.index_as ? `, index as ${String(n.index_as)}` : ''}`;
      break;
  }
  return out;
}

/** Names a node adds to the scope of the steps after it. */
export function produces(node: GraphModelNode): string[] {
  if (node.type === 'task' || node.type === 'stub') return node.returns.map((r) => r.name);
  const sets = (node.branches ?? []).map((b) => new Set(b.graph.nodes.flatMap(produces)));
  if (!sets.length) return [];
  if (node.type === 'conditional') return [...sets[0]!].filter((n) => sets.every((s) => s.has(n)));
  return [...new Set(sets.flatMap((s) => [...s]))];
}

/**
 * The names a task's code reads: the keys of the object pattern its `run()` (or function) destructures its input
 * into. Undefined when the input is not destructured (`run(input)`), for shell steps (they see every value), and
 * when there is a rest element (it reads everything).
 */
export function inputsFromSource(def: TaskDefinition): string[] | undefined {
  if (def.kind === 'stub') return [];
  if (def.kind === 'shell') return undefined;
  const fn = def.kind === 'class' ? (def.target.prototype as { run?: Function }).run : def.target;
  if (typeof fn !== 'function') return undefined;
  return destructuredKeys(Function.prototype.toString.call(fn));
}

/** Keys of the first parameter's object pattern in a function's source text. */
export function destructuredKeys(src: string): string[] | undefined {
  const open = src.indexOf('(');
  if (open < 0) return undefined;
  let i = open + 1;
  while (/\s/.test(src[i] ?? '')) i++;
  if (src[i] === ')') return [];
  if (src[i] !== '{') return undefined;
  const keys: string[] = [];
  let depth = 0;
  let part = '';
  const flush = () => {
    const p = part.trim();
    part = '';
    if (!p) return true;
    if (p.startsWith('...')) return false;
    const m = /^([A-Za-z_$][\w$]*|'[^']*'|"[^"]*")\s*(?:[:=]|$)/.exec(p);
    if (!m) return false;
    keys.push(m[1]!.replace(/^['"]|['"]$/g, ''));
    return true;
  };
  for (i = i + 1; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const q = c;
      part += c;
      for (i++; i < src.length && src[i] !== q; i++) {
        if (src[i] === '\\') part += src[i++];
        part += src[i];
      }
      part += q;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth++;
    if (c === '}' || c === ']' || c === ')') {
      if (depth === 0) return flush() ? keys : undefined;
      depth--;
    }
    if (c === ',' && depth === 0) {
      if (!flush()) return undefined;
      continue;
    }
    part += c;
  }
  return undefined;
}

/** The model of a pipeline before any run, with the inputs each task's code destructures. */
export function pipelineGraphModel(g: Graph): GraphModel {
  const inputs = new Map<string, string[] | undefined>();
  const visit = (graph: Graph, prefix: string) => {
    for (const node of graph.nodes.values()) {
      if (isTaskNode(node)) inputs.set(prefix + node.name, inputsFromSource(node.task));
      else if (node.type === 'parallel' || node.type === 'conditional') node.branches.forEach((b, k) => visit(b, `${prefix}${node.name}.${k}.`));
      else if (node.type === 'map' || node.type === 'loop') visit(node.branch, `${prefix}${node.name}.*.`);
      if ('onFailure' in node && node.onFailure) visit(node.onFailure, prefix);
    }
  };
  visit(g, '');
  return graphModel(dumpGraph(g), (p) => inputs.get(p));
}

/**
 * Parameters a pipeline reads: names its steps read that no earlier step in their scope returns, plus the names of
 * `.params(defaults)`. In order of first use.
 */
export function parameterNames(model: GraphModel, defaults: readonly string[] = []): string[] {
  const out = new Set<string>();
  const visit = (g: GraphModel, scope: Set<string>) => {
    const local = new Set(scope);
    for (const n of g.nodes) {
      for (const i of [...(n.over ? [n.over] : []), ...(n.on ? [n.on] : []), ...(n.inputs ?? [])]) if (!local.has(i)) out.add(i);
      if (n.onFailure) visit(n.onFailure, local);
      for (const b of n.branches ?? []) {
        const inner = new Set(local);
        if (n.as) inner.add(n.as);
        if (n.indexAs) inner.add(n.indexAs);
        // a loop iteration sees what the previous one returned
        if (n.type === 'loop') for (const p of produces(n)) inner.add(p);
        visit(b.graph, inner);
      }
      for (const p of produces(n)) local.add(p);
    }
  };
  visit(model, new Set());
  for (const d of defaults) out.add(d);
  return [...out];
}
