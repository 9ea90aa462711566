import { produces, type GraphModel, type GraphModelNode } from './graph-model';
import { TYPE_ICON } from './timeline';

/** A node id safe in Mermaid and DOT: the dot path with `*` as `x` and other separators as `_`. */
export function nodeId(path: string): string {
  return `n_${path.replace(/\*/g, 'x').replace(/[^A-Za-z0-9_]/g, '_')}`;
}

const isTerminal = (n: GraphModelNode) => n.type === 'success' || n.type === 'fail';
const isComposite = (n: GraphModelNode) => !!n.branches;

function title(n: GraphModelNode): string {
  return `${TYPE_ICON[n.type] ?? ''} ${n.name}`;
}

/** Second line of a task's label: its command, retries and catalog files. */
function taskDetails(n: GraphModelNode): string[] {
  const lines: string[] = [];
  if (n.command && n.command !== '(anonymous)') lines.push(n.command.replace(/\s+/g, ' ').slice(0, 40));
  if (n.maxAttempts) lines.push(`↻ up to ${n.maxAttempts} attempts`);
  if (n.catalog?.get) lines.push(`💾 get ${n.catalog.get.join(', ')}`);
  if (n.catalog?.put) lines.push(`💾 put ${n.catalog.put.join(', ')}`);
  return lines;
}

/** What an edge leaving `n` carries: the names it adds to scope (pickled ones marked). */
function edgeLabel(n: GraphModelNode): string {
  const kinds = new Map<string, string>();
  const collect = (x: GraphModelNode) => {
    for (const r of x.returns) kinds.set(r.name, r.kind);
    for (const b of x.branches ?? []) b.graph.nodes.forEach(collect);
  };
  collect(n);
  const names = produces(n).map((name) => (kinds.get(name) === 'object' ? `${name} (pickled)` : kinds.get(name) === 'metric' ? `${name} (metric)` : name));
  const suffix = n.type === 'map' ? ' [ ]' : '';
  return names.map((x) => x + suffix).join(', ');
}

/** Where the incoming edge of a composite's first branch lands (a leaf node, for DOT). */
function firstLeaf(n: GraphModelNode): GraphModelNode {
  if (!n.branches) return n;
  const first = n.branches[0]?.graph.nodes.find((x) => !isTerminal(x));
  return first ? firstLeaf(first) : n;
}
function lastLeaf(n: GraphModelNode): GraphModelNode {
  if (!n.branches) return n;
  const nodes = n.branches[0]!.graph.nodes.filter((x) => !isTerminal(x));
  const last = nodes.at(-1);
  return last ? lastLeaf(last) : n;
}

const mq = (s: string) => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

/** Mermaid flowchart: composites as subgraphs, on-failure edges dashed, names returned on each edge. */
export function toMermaid(model: GraphModel, parameters: string[] = []): string {
  const lines: string[] = ['flowchart TD'];
  const edges: string[] = [];
  const paramUsers = new Map<string, string[]>();
  const emit = (g: GraphModel, indent: string, inBranch: boolean) => {
    for (const n of g.nodes) {
      if (isTerminal(n)) {
        if (!inBranch) lines.push(`${indent}${nodeId(n.path)}(["${n.type === 'success' ? '✅ success' : '❌ fail'}"])`);
        continue;
      }
      const id = nodeId(n.path);
      if (isComposite(n)) {
        lines.push(`${indent}subgraph ${id} ["${mq(`${title(n)} · ${n.type}${n.detail ? ` ${n.detail}` : ''}`)}"]`);
        lines.push(`${indent}  direction TB`);
        for (const b of n.branches!) {
          if (n.type === 'parallel' || n.type === 'conditional') {
            lines.push(`${indent}  subgraph ${nodeId(`${n.path}.${b.key}`)} ["${mq(`branch ${b.key}`)}"]`);
            emit(b.graph, `${indent}    `, true);
            lines.push(`${indent}  end`);
          } else emit(b.graph, `${indent}  `, true);
        }
        lines.push(`${indent}end`);
      } else {
        const label = [title(n), ...taskDetails(n)].map(mq).join('<br/>');
        lines.push(`${indent}${id}["${label}"]`);
      }
      for (const p of [...(n.over ? [n.over] : []), ...(n.on ? [n.on] : []), ...(n.inputs ?? [])]) if (parameters.includes(p)) paramUsers.set(id, [...(paramUsers.get(id) ?? []), p]);
      const target = g.nodes.find((x) => x.name === n.next);
      if (target && !(inBranch && isTerminal(target))) {
        const label = edgeLabel(n);
        edges.push(`${nodeId(n.path)} -->${label ? `|"${mq(label)}"|` : ''} ${nodeId(target.path)}`);
      }
      if (n.onFailure) {
        const first = n.onFailure.nodes[0];
        lines.push(`${indent}subgraph ${nodeId(`${n.path}.on_failure`)} ["${mq(`on failure of ${n.name}`)}"]`);
        emit({ name: n.onFailure.name, nodes: n.onFailure.nodes.filter((x) => !isTerminal(x)) }, `${indent}  `, false);
        lines.push(`${indent}end`);
        if (first) edges.push(`${nodeId(n.path)} -. "on failure" .-> ${nodeId(first.path)}`);
        // where the on-failure pipeline ends: the same terminal as the parent's
        for (const x of n.onFailure.nodes) {
          if (isTerminal(x)) continue;
          const t = n.onFailure.nodes.find((y) => y.name === x.next);
          if (t && isTerminal(t)) {
            const label = edgeLabel(x);
            edges.push(`${nodeId(x.path)} -->${label ? `|"${mq(label)}"|` : ''} ${nodeId(t.path)}`);
          }
        }
      }
    }
  };
  if (parameters.length) lines.push(`  params[/"${mq(`parameters: ${parameters.join(', ')}`)}"/]`);
  emit(model, '  ', false);
  if (parameters.length) {
    if (paramUsers.size) for (const [id, names] of paramUsers) edges.push(`params -.->|"${mq(names.join(', '))}"| ${id}`);
    else if (model.nodes[0]) edges.push(`params -.-> ${nodeId(model.nodes[0].path)}`);
  }
  lines.push(...edges.map((e) => `  ${e}`));
  return lines.join('\n');
}

const dq = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Graphviz DOT: composites as clusters (`compound=true`), on-failure edges dashed red. */
export function toDot(model: GraphModel, parameters: string[] = []): string {
  const lines: string[] = [`digraph "${dq(model.name)}" {`, '  compound=true;', '  rankdir=TB;', '  node [shape=box, style="rounded", fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  const edges: string[] = [];
  const emit = (g: GraphModel, indent: string, inBranch: boolean) => {
    for (const n of g.nodes) {
      if (isTerminal(n)) {
        if (!inBranch) lines.push(`${indent}${nodeId(n.path)} [label="${n.type}", shape=oval, color="${n.type === 'success' ? 'darkgreen' : 'red'}"];`);
        continue;
      }
      if (isComposite(n)) {
        lines.push(`${indent}subgraph cluster_${nodeId(n.path)} {`, `${indent}  label="${dq(`${n.name} (${n.type}${n.detail ? `, ${n.detail}` : ''})`)}";`, `${indent}  style=rounded;`);
        for (const b of n.branches!) {
          if (n.type === 'parallel' || n.type === 'conditional') {
            lines.push(`${indent}  subgraph cluster_${nodeId(`${n.path}.${b.key}`)} {`, `${indent}    label="${dq(`branch ${b.key}`)}";`);
            emit(b.graph, `${indent}    `, true);
            lines.push(`${indent}  }`);
          } else emit(b.graph, `${indent}  `, true);
        }
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}${nodeId(n.path)} [label="${dq([n.name, ...taskDetails(n)].join('\n'))}"${n.type === 'stub' ? ', style="rounded,dashed"' : ''}];`);
      }
      const target = g.nodes.find((x) => x.name === n.next);
      if (target && !(inBranch && isTerminal(target))) {
        const attrs = [`label="${dq(edgeLabel(n))}"`];
        if (isComposite(n)) attrs.push(`ltail=cluster_${nodeId(n.path)}`);
        if (isComposite(target)) attrs.push(`lhead=cluster_${nodeId(target.path)}`);
        edges.push(`${nodeId(lastLeaf(n).path)} -> ${nodeId(firstLeaf(target).path)} [${attrs.join(', ')}];`);
      }
      if (n.onFailure) {
        const first = n.onFailure.nodes[0];
        lines.push(`${indent}subgraph cluster_${nodeId(`${n.path}.on_failure`)} {`, `${indent}  label="${dq(`on failure of ${n.name}`)}";`, `${indent}  style=dashed;`);
        emit({ name: n.onFailure.name, nodes: n.onFailure.nodes.filter((x) => !isTerminal(x)) }, `${indent}  `, false);
        lines.push(`${indent}}`);
        if (first) edges.push(`${nodeId(lastLeaf(n).path)} -> ${nodeId(firstLeaf(first).path)} [label="on failure", style=dashed, color=red];`);
        for (const x of n.onFailure.nodes) {
          const t = n.onFailure.nodes.find((y) => y.name === x.next);
          if (!isTerminal(x) && t && isTerminal(t)) edges.push(`${nodeId(lastLeaf(x).path)} -> ${nodeId(t.path)} [label="${dq(edgeLabel(x))}"];`);
        }
      }
    }
  };
  if (parameters.length) lines.push(`  params [label="${dq(`parameters:\n${parameters.join(', ')}`)}", shape=parallelogram];`);
  emit(model, '  ', false);
  const first = model.nodes[0];
  if (parameters.length && first) edges.push(`params -> ${nodeId(firstLeaf(first).path)} [style=dotted${isComposite(first) ? `, lhead=cluster_${nodeId(first.path)}` : ''}];`);
  lines.push(...edges.map((e) => `  ${e}`), '}');
  return lines.join('\n');
}
