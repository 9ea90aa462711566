import { isTaskNode, isTerminal, nodeInScope, type Graph, type GraphNode } from '../graph/graph';
import { ParameterError } from '../errors';

export interface LocatedNode {
  node: GraphNode;
  /** The graph the node belongs to. */
  graph: Graph;
  /** The enclosing branches' internal names, outermost first. */
  branches: string[];
}

/**
 * Finds the node of a dot path (`step`, `map.3.step`, `par.b.loop.0.step`, `par.b.success`): branch keys of maps and
 * loops are free. `terminals: false` refuses the `success`/`fail` nodes and leaves them out of the names it suggests
 * (what `execute-single-node` addresses); `fan` addresses them.
 */
export function locateNode(root: Graph, internalName: string, opts: { terminals: boolean }): LocatedNode {
  const segments = internalName.split('.');
  const branches: string[] = [];
  let g = root;
  let prefix = '';
  for (let i = 0; ; i += 2) {
    const name = segments[i]!;
    const node = nodeInScope(g, name);
    if (!node || (!opts.terminals && isTerminal(node))) {
      const where = prefix ? `branch '${prefix}'` : `pipeline '${root.name}'`;
      const names = [...g.nodes.values()].filter((n) => opts.terminals || !isTerminal(n)).map((n) => n.name);
      throw new ParameterError(`${where} has no step '${name}'. Its steps: ${names.join(', ')}.`);
    }
    if (i === segments.length - 1) return { node, graph: g, branches };
    const key = segments[i + 1];
    if (key === undefined || i + 2 > segments.length - 1) throw new ParameterError(`'${internalName}' does not name a step: after a branch comes a step name (<step>.<branch>.<step>).`);
    if (isTerminal(node) || isTaskNode(node)) throw new ParameterError(`'${name}' in '${internalName}' is a ${node.type} step: it has no branches.`);
    const next = node.type === 'parallel' || node.type === 'conditional' ? node.branches.get(key) : node.branch;
    if (!next) throw new ParameterError(`${node.type} '${name}' has no branch '${key}'. Its branches: ${'branches' in node ? [...node.branches.keys()].join(', ') : '(map iterations and loop iterations are named by item and index)'}.`);
    prefix = prefix ? `${prefix}.${name}.${key}` : `${name}.${key}`;
    branches.push(prefix);
    g = next;
  }
}
