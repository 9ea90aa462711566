// LangGraph.js (@langchain/langgraph) with the SqliteSaver checkpointer (@langchain/langgraph-checkpoint-sqlite):
// every super-step is checkpointed to a SQLite file, so a run can be resumed from its thread after a crash.
//   node tools/langgraph.mjs <case> <work dir>      (cases: see ./cases.mjs)
import * as path from 'node:path';
import { Annotation, END, START, Send, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { parseCase, report, PAYLOAD, makeNumbers } from './cases.mjs';

const { kind, n, dir } = parseCase(process.argv);
const checkpointer = SqliteSaver.fromConnString(path.join(dir, 'checkpoints.sqlite'));
const config = (steps) => ({ configurable: { thread_id: 'bench-1' }, recursionLimit: steps + 10 });

if (kind === 'steps') {
  const State = Annotation.Root({ v: Annotation() });
  let g = new StateGraph(State);
  for (let i = 0; i < n; i++) g = g.addNode(`s${i}`, ({ v }) => ({ v: { i, prev: v ? v.i : -1, payload: PAYLOAD } }));
  g = g.addEdge(START, 's0');
  for (let i = 1; i < n; i++) g = g.addEdge(`s${i - 1}`, `s${i}`);
  g = g.addEdge(`s${n - 1}`, END);
  const out = await g.compile({ checkpointer }).invoke({}, config(n));
  report({ last: out.v.i });
} else if (kind === 'artifact') {
  const State = Annotation.Root({ xs: Annotation(), ys: Annotation(), zs: Annotation(), total: Annotation() });
  const g = new StateGraph(State)
    .addNode('make', () => ({ xs: makeNumbers(n) }))
    .addNode('double', ({ xs }) => ({ ys: xs.map((x) => x * 2) }))
    .addNode('inc', ({ ys }) => ({ zs: ys.map((x) => x + 1) }))
    .addNode('sum', ({ zs }) => ({ total: zs.reduce((a, b) => a + b, 0) }))
    .addEdge(START, 'make')
    .addEdge('make', 'double')
    .addEdge('double', 'inc')
    .addEdge('inc', 'sum')
    .addEdge('sum', END);
  const out = await g.compile({ checkpointer }).invoke({}, config(4));
  report({ total: out.total });
} else if (kind === 'map') {
  // the map-reduce pattern of LangGraph: Send one task per item; each task's write is checkpointed
  const State = Annotation.Root({
    items: Annotation(),
    ys: Annotation({ reducer: (a, b) => a.concat(b), default: () => [] }),
    total: Annotation(),
  });
  const Item = Annotation.Root({ item: Annotation() });
  const g = new StateGraph(State)
    .addNode('make_items', () => ({ items: Array.from({ length: n }, (_, i) => i) }))
    .addNode('double', ({ item }) => ({ ys: [item * 2] }), { input: Item })
    .addNode('sum', ({ ys }) => ({ total: ys.reduce((a, b) => a + b, 0) }))
    .addEdge(START, 'make_items')
    .addConditionalEdges('make_items', ({ items }) => items.map((item) => new Send('double', { item })), ['double'])
    .addEdge('double', 'sum')
    .addEdge('sum', END);
  const out = await g.compile({ checkpointer }).invoke({}, config(10));
  report({ total: out.total, count: out.ys.length });
} else throw new Error(`unknown case ${kind}`);
