import { createHash } from 'node:crypto';
import type { FlowOptions, StepSpec } from '../sdk/pipeline';
import type { StepOptions, TaskDefinition } from '../sdk/task';
import type { StepType } from '../stores/run-log/types';
import { PipelineDefinitionError } from '../errors';
import type { AnyArgs, AnyPipeline } from '../types/any';
import type { StandardSchemaV1 } from '../types/standard-schema';

/** Where a node goes next. `onFailure` is a sub-graph run in the same scope when the node fails. */
interface Links {
  readonly name: string;
  readonly next: string;
  readonly onFailure?: Graph;
}

/** A node of the runtime graph. Node semantics live in engine/; executors only decide where task nodes run. */
export interface TaskNode extends Links {
  readonly type: 'task' | 'stub';
  readonly task: TaskDefinition;
  readonly options: StepOptions;
}
export interface ParallelNode extends Links {
  readonly type: 'parallel';
  readonly branches: ReadonlyMap<string, Graph>;
}
export interface MapNode extends Links {
  readonly type: 'map';
  readonly over: string;
  readonly as: string;
  readonly branch: Graph;
  readonly reducer?: Readonly<Record<string, (values: AnyArgs) => unknown>>;
  readonly concurrency: number;
}
export interface ConditionalNode extends Links {
  readonly type: 'conditional';
  readonly on: string;
  readonly branches: ReadonlyMap<string, Graph>;
}
export interface LoopNode extends Links {
  readonly type: 'loop';
  readonly branch: Graph;
  readonly breakOn: string;
  readonly maxIterations: number;
  readonly indexAs?: string;
}
export interface TerminalNode {
  readonly type: 'success' | 'fail';
  readonly name: 'success' | 'fail';
}
export function isTerminal(node: GraphNode): node is TerminalNode {
  return node.type === 'success' || node.type === 'fail';
}

export function isTaskNode(node: GraphNode): node is TaskNode {
  return node.type === 'task' || node.type === 'stub';
}

export type CompositeNode = ParallelNode | MapNode | ConditionalNode | LoopNode;
export type ExecutableNode = TaskNode | CompositeNode;
export type GraphNode = ExecutableNode | TerminalNode;

export interface Graph {
  readonly name: string;
  readonly startAt: string;
  readonly nodes: ReadonlyMap<string, GraphNode>;
  /** Defaults given to the pipeline's `.params<P>(defaults)`: for a branch, they fill names its parent lacks. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** The pipeline's `.params(schema)`: for a branch, the values it starts with must pass it unchanged. */
  readonly schema?: StandardSchemaV1;
}

export const DEFAULT_MAP_CONCURRENCY = 8;

function toNode(spec: StepSpec, next: string, graphName: string, taken: Set<string>): ExecutableNode {
  const links: { name: string; next: string; onFailure?: Graph } = { name: spec.name, next };
  if (spec.onFailure) links.onFailure = buildGraph(spec.onFailure, taken, `on-failure of '${spec.name}' in '${graphName}'`);
  switch (spec.kind) {
    case 'task':
      return { ...links, type: spec.task.kind === 'stub' ? 'stub' : 'task', task: spec.task, options: spec.options };
    case 'parallel':
      return { ...links, type: 'parallel', branches: new Map(Object.entries(spec.branches).map(([k, p]) => [k, buildGraph(p)])) };
    case 'map':
      return {
        ...links,
        type: 'map',
        over: spec.over,
        as: spec.as,
        branch: buildGraph(spec.branch),
        ...(spec.reducer && { reducer: spec.reducer }),
        concurrency: spec.concurrency ?? DEFAULT_MAP_CONCURRENCY,
      };
    case 'conditional':
      return { ...links, type: 'conditional', on: spec.on, branches: new Map(Object.entries(spec.branches).map(([k, p]) => [k, buildGraph(p)])) };
    case 'loop':
      return {
        ...links,
        type: 'loop',
        branch: buildGraph(spec.branch),
        breakOn: spec.breakOn,
        maxIterations: spec.maxIterations,
        ...(spec.indexAs !== undefined && { indexAs: spec.indexAs }),
      };
  }
}

function nextOf(spec: FlowOptions, following: string | undefined): string {
  if (spec.terminate === 'success') return 'success';
  if (spec.terminate === 'failure') return 'fail';
  return following ?? 'success';
}

/**
 * Builds the runtime graph: steps linked in order, then the implicit `success` and `fail` terminal nodes.
 * Steps of on-failure pipelines run in the same scope, so their names share one namespace with the pipeline's
 * (`taken`); branches of composites have their own.
 */
export function buildGraph(p: AnyPipeline, taken: Set<string> = new Set(), where?: string): Graph {
  const nodes = new Map<string, GraphNode>();
  for (const spec of p.steps) {
    if (taken.has(spec.name)) {
      throw new PipelineDefinitionError(
        `pipeline '${p.name}'${where ? ` (${where})` : ''}: step name '${spec.name}' is used twice in the same scope; on-failure pipelines share their parent's step names. Rename one.`,
      );
    }
    taken.add(spec.name);
  }
  p.steps.forEach((spec, i) => {
    nodes.set(spec.name, toNode(spec, nextOf(spec, p.steps[i + 1]?.name), p.name, taken));
  });
  nodes.set('success', { type: 'success', name: 'success' });
  nodes.set('fail', { type: 'fail', name: 'fail' });
  return { name: p.name, startAt: p.steps[0]!.name, nodes, defaults: p.defaults, ...(p.paramSpec?.schema && { schema: p.paramSpec.schema }) };
}

export function stepType(node: GraphNode): StepType {
  return node.type;
}

/** The command reference of a task: what the code is, not what it does (function bodies may change between retries). */
export function commandOf(def: TaskDefinition): string {
  if (def.kind === 'shell') return def.command ?? '';
  if (def.kind === 'stub') return '';
  const fnName = def.target.name || '(anonymous)';
  return def.kind === 'class' ? `${fnName}.run` : fnName;
}

/** Serializable dump of the graph, with the Python original's field names (recorded as run_config.dag). */
export function dumpGraph(g: Graph): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const [name, node] of g.nodes) {
    if (isTerminal(node)) {
      steps[name] = { node_type: node.type, name };
      continue;
    }
    const common = { node_type: node.type, name, next_node: node.next, on_failure: node.onFailure ? dumpGraph(node.onFailure) : '' };
    switch (node.type) {
      case 'task':
      case 'stub':
        steps[name] = {
          ...common,
          command_type: node.task.kind === 'shell' ? 'shell' : node.task.kind === 'stub' ? 'stub' : 'typescript',
          command: commandOf(node.task),
          returns: node.task.returns.map((r) => ({ name: r.name, kind: r.kind === 'pickled' ? 'object' : r.kind })),
          catalog: node.options.catalog ?? null,
          secrets: [...(node.options.secrets ?? [])],
          max_attempts: node.options.retry?.maxAttempts ?? 1,
        };
        break;
      case 'parallel':
        steps[name] = { ...common, branches: Object.fromEntries([...node.branches].map(([k, b]) => [k, dumpGraph(b)])) };
        break;
      case 'conditional':
        steps[name] = { ...common, parameter: node.on, branches: Object.fromEntries([...node.branches].map(([k, b]) => [k, dumpGraph(b)])) };
        break;
      case 'map':
        steps[name] = {
          ...common,
          iterate_on: node.over,
          iterate_as: node.as,
          reducer: node.reducer ? Object.fromEntries(Object.entries(node.reducer).map(([k, f]) => [k, f.name || '(anonymous)'])) : null,
          branch: dumpGraph(node.branch),
        };
        break;
      case 'loop':
        steps[name] = { ...common, max_iterations: node.maxIterations, break_on: node.breakOn, index_as: node.indexAs ?? null, branch: dumpGraph(node.branch) };
        break;
    }
  }
  return { name: g.name, start_at: g.startAt, steps };
}

/** Canonical JSON (sorted keys) so the hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** sha1 of the canonical DAG dump: names, types, links, commands, returns, catalog, secrets, retries. */
export function hashDump(dump: Record<string, unknown>): string {
  return createHash('sha1').update(canonicalJson(dump)).digest('hex');
}

export function dagHash(g: Graph): string {
  return hashDump(dumpGraph(g));
}

/**
 * The names the steps of a graph may write (nested composites included, on-failure pipelines excluded: a recovered
 * failure fails its branch): what a map collects even when no item wrote them.
 */
/** Every task and stub node of a graph, nested composites' and on-failure pipelines' included. */
export function taskNodes(g: Graph, out: TaskNode[] = []): TaskNode[] {
  for (const node of g.nodes.values()) {
    if (isTerminal(node)) continue;
    if (isTaskNode(node)) out.push(node);
    else if (node.type === 'parallel' || node.type === 'conditional') for (const b of node.branches.values()) taskNodes(b, out);
    else taskNodes(node.branch, out);
    if (node.onFailure) taskNodes(node.onFailure, out);
  }
  return out;
}

export function declaredReturns(g: Graph): string[] {
  const out = new Set<string>();
  const visit = (graph: Graph) => {
    for (const node of graph.nodes.values()) {
      if (node.type === 'task' || node.type === 'stub') node.task.returns.forEach((r) => out.add(r.name));
      else if (node.type === 'parallel' || node.type === 'conditional') node.branches.forEach(visit);
      else if (node.type === 'map' || node.type === 'loop') visit(node.branch);
    }
  };
  visit(g);
  return [...out];
}

/** A node of a graph's scope by name: its own nodes, then those of its on-failure pipelines (they share the scope). */
export function nodeInScope(g: Graph, name: string): GraphNode | undefined {
  const direct = g.nodes.get(name);
  if (direct) return direct;
  for (const n of g.nodes.values()) {
    if (isTerminal(n) || !n.onFailure) continue;
    const found = nodeInScope(n.onFailure, name);
    if (found) return found;
  }
  return undefined;
}
