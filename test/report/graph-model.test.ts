import { destructuredKeys, inputsFromSource, parameterNames, pipelineGraphModel, produces } from '../../src/report/graph-model';
import { toDot, toMermaid } from '../../src/report/graph-render';
import { buildGraph } from '../../src/graph/graph';
import { pipeline, task, shell, stub, pickled, Task } from '../../src';

describe('inputs read from the code of a step', () => {
  it.each([
    ['({ df, test_size = 0.2 }) => 1', ['df', 'test_size']],
    ['function f({ a: renamed, "b": c = g(1, 2), d = { x: [1, 2] } }, other) {}', ['a', 'b', 'd']],
    ['async run({ preprocessed_data, n_estimators = 50 }) { return {}; }', ['preprocessed_data', 'n_estimators']],
    ["({ s = 'a,}b', t = `x${'{'}` }) => s", ['s', 't']],
    ['() => ({})', []],
    ['run() {}', []],
  ])('%s', (src, keys) => {
    expect(destructuredKeys(src)).toEqual(keys);
  });

  it.each([['(input) => input.a'], ['({ a, ...rest }) => rest'], ['x => x']])('unknown when not destructured: %s', (src) => {
    expect(destructuredKeys(src)).toBeUndefined();
  });

  it('classes, functions, shell and stub steps', () => {
    @Task({ name: 'cls', returns: ['y'] })
    class Cls {
      run({ x, z = 3 }: { x: number; z?: number }) {
        return { y: x + z };
      }
    }
    const fn = task(({ y }: { y: number }) => ({ w: y }), { name: 'fn', returns: ['w'] });
    const def = (s: unknown) => (s as { __task: Parameters<typeof inputsFromSource>[0] }).__task;
    expect(inputsFromSource(Reflect.getOwnMetadata(Symbol.for('runnable-ts.task'), Cls))).toEqual(['x', 'z']);
    expect(inputsFromSource(def(fn))).toEqual(['y']);
    expect(inputsFromSource(def(shell('echo', { name: 'sh' })))).toBeUndefined();
    expect(inputsFromSource(def(stub('st')))).toEqual([]);
  });
});

describe('graph model of a pipeline before any run', () => {
  const load = task(() => ({ df: [1, 2] }), { name: 'load', returns: [pickled('df')] });
  const each = task(({ item, scale = 1 }: { item: number; scale?: number }) => ({ y: item * scale }), { name: 'each', returns: ['y'] });
  const left = task(({ df }: { df: number[] }) => ({ a: df.length, shared: 1 }), { name: 'left', returns: ['a', 'shared'] });
  const right = task(() => ({ b: 2, shared: 2 }), { name: 'right', returns: ['b', 'shared'] });
  const recover = task(() => ({ y: [] as number[] }), { name: 'recover', returns: ['y'] });
  const p = pipeline('demo')
    .params<{ items: number[]; scale?: number; choice: 'x' | 'z'; unused_default?: string }>({ unused_default: 'x' })
    .step(load)
    .map('over_items', { over: 'items', as: 'item', branch: pipeline('b').params<{ item: number; scale?: number }>().step(each).build(), onFailure: pipeline('r').step(recover).build() })
    .conditional('pick', { on: 'choice', branches: { x: pipeline('x').params<{ df: number[] }>().step(left).build(), z: pipeline('z').step(right).build() } })
    .build();
  const model = pipelineGraphModel(buildGraph(p));

  it('nodes in order, composites with their branches, on-failure graphs, inputs and returns', () => {
    expect(model.nodes.map((n) => [n.path, n.type, n.next])).toEqual([
      ['load', 'task', 'over_items'],
      ['over_items', 'map', 'pick'],
      ['pick', 'conditional', 'success'],
      ['success', 'success', undefined],
    ]);
    const map = model.nodes[1]!;
    expect(map.branches!.map((b) => [b.key, b.graph.nodes.map((n) => [n.path, n.inputs])])).toEqual([['*', [['over_items.*.each', ['item', 'scale']], ['over_items.*.success', undefined]]]]);
    expect(map.onFailure!.nodes.map((n) => n.path)).toEqual(['recover', 'success']);
    expect(map.detail).toBe('over items as item');
    // a conditional keeps only what every branch returns
    expect(produces(model.nodes[2]!)).toEqual(['shared']);
    expect(parameterNames(model, Object.keys(p.defaults))).toEqual(['items', 'scale', 'choice', 'unused_default']);
  });

  it('Mermaid: subgraphs for composites and branches, dashed on-failure edge, names on edges, parameters node', () => {
    const text = toMermaid(model, parameterNames(model));
    expect(text.split('\n')[0]).toBe('flowchart TD');
    expect(text).toContain('  params[/"parameters: items, scale, choice"/]');
    expect(text).toContain('  subgraph n_over_items ["🔁 over_items · map over items as item"]');
    expect(text).toContain('    n_over_items_x_each["⚙️ each"]');
    expect(text).toContain('  subgraph n_pick ["🔀 pick · conditional on choice"]');
    expect(text).toContain('    subgraph n_pick_x ["branch x"]');
    expect(text).toContain('  n_load -->|"df (pickled)"| n_over_items');
    expect(text).toContain('  n_over_items -->|"y [ ]"| n_pick');
    expect(text).toContain('  n_over_items -. "on failure" .-> n_recover');
    expect(text).toContain('  n_pick -->|"shared"| n_success');
    expect(text).toContain('  params -.->|"items"| n_over_items');
    expect(text).toContain('  params -.->|"scale"| n_over_items_x_each');
    expect(text).toContain('  params -.->|"choice"| n_pick');
    // subgraph blocks are balanced
    expect(text.match(/subgraph /g)!.length).toBe(text.match(/^\s*end$/gm)!.length);
  });

  it('DOT: clusters, edges into clusters through lhead/ltail, dashed red on-failure edge', () => {
    const text = toDot(model, ['items']);
    expect(text).toMatch(/^digraph "demo" \{\n {2}compound=true;/);
    expect(text).toContain('subgraph cluster_n_over_items {');
    expect(text).toContain('n_load -> n_over_items_x_each [label="df (pickled)", lhead=cluster_n_over_items];');
    expect(text).toContain('n_over_items_x_each -> n_pick_x_left [label="y [ ]", ltail=cluster_n_over_items, lhead=cluster_n_pick];');
    expect(text).toContain('n_over_items_x_each -> n_recover [label="on failure", style=dashed, color=red];');
    expect(text.split('{').length).toBe(text.split('}').length);
  });
});
