import { createHash } from 'node:crypto';
import type { Pipeline, StepSpec } from '../sdk/pipeline';
import type { StepOptions, TaskDefinition } from '../sdk/task';
import type { StepType } from '../stores/run-log/types';

/** A node of the runtime graph. Node semantics live in engine/; executors only decide where nodes run. */
export interface TaskNode {
  readonly type: 'task';
  readonly name: string;
  readonly task: TaskDefinition;
  readonly options: StepOptions;
  readonly next: string;
  readonly onFailure?: string;
}
export interface TerminalNode {
  readonly type: 'success' | 'fail';
  readonly name: 'success' | 'fail';
}
export type GraphNode = TaskNode | TerminalNode;

export interface Graph {
  readonly name: string;
  readonly startAt: string;
  readonly nodes: ReadonlyMap<string, GraphNode>;
}

function toNode(spec: StepSpec, next: string): GraphNode {
  return { type: 'task', name: spec.name, task: spec.task, options: spec.options, next };
}

/** Builds the runtime graph: steps linked in order, then the implicit `success` and `fail` terminal nodes. */
export function buildGraph(p: Pipeline<any, any>): Graph {
  const nodes = new Map<string, GraphNode>();
  p.steps.forEach((spec, i) => {
    const next = i + 1 < p.steps.length ? p.steps[i + 1]!.name : 'success';
    nodes.set(spec.name, toNode(spec, next));
  });
  nodes.set('success', { type: 'success', name: 'success' });
  nodes.set('fail', { type: 'fail', name: 'fail' });
  return { name: p.name, startAt: p.steps[0]!.name, nodes };
}

export function stepType(node: GraphNode): StepType {
  return node.type;
}

/** The command reference of a task: what the code is, not what it does (function bodies may change between retries). */
export function commandOf(def: TaskDefinition): string {
  const fnName = def.target.name || '(anonymous)';
  return def.kind === 'class' ? `${fnName}.run` : fnName;
}

/** Serializable dump of the graph, with the Python original's field names (recorded as run_config.dag). */
export function dumpGraph(g: Graph): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const [name, node] of g.nodes) {
    if (node.type === 'task') {
      steps[name] = {
        node_type: 'task',
        name,
        next_node: node.next,
        on_failure: node.onFailure ?? '',
        command_type: 'typescript',
        command: commandOf(node.task),
        returns: node.task.returns.map((r) => ({ name: r.name, kind: r.kind === 'pickled' ? 'object' : r.kind })),
        catalog: node.options.catalog ?? null,
        secrets: [...(node.options.secrets ?? [])],
        max_attempts: node.options.retry?.maxAttempts ?? 1,
      };
    } else {
      steps[name] = { node_type: node.type, name };
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
export function dagHash(g: Graph): string {
  return createHash('sha1').update(canonicalJson(dumpGraph(g))).digest('hex');
}
