// Mastra (@mastra/core workflows) with LibSQLStore (@mastra/libsql) on a local SQLite file: the workflow's snapshot
// is persisted as steps finish, so a run can be resumed after a crash.
//   node tools/mastra.mjs <case> <work dir>      (cases: see ./cases.mjs)
import * as path from 'node:path';
import { Mastra } from '@mastra/core';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { LibSQLStore } from '@mastra/libsql';
import { z } from 'zod';
import { parseCase, report, PAYLOAD, makeNumbers } from './cases.mjs';

const { kind, n, dir } = parseCase(process.argv);
const storage = new LibSQLStore({ url: `file:${path.join(dir, 'mastra.db')}` });

async function run(workflow, inputData) {
  const mastra = new Mastra({ workflows: { workflow }, storage, logger: false, telemetry: { enabled: false } });
  const r = await mastra.getWorkflow('workflow').createRunAsync();
  const out = await r.start({ inputData });
  if (out.status !== 'success') throw new Error(`mastra run: ${out.status} ${JSON.stringify(out.error ?? '')}`);
  return out.result;
}

if (kind === 'steps') {
  const V = z.object({ v: z.object({ i: z.number(), prev: z.number(), payload: z.string() }).optional() });
  let wf = createWorkflow({ id: 'workflow', inputSchema: V, outputSchema: V });
  for (let i = 0; i < n; i++) {
    wf = wf.then(createStep({ id: `s${i}`, inputSchema: V, outputSchema: V, execute: async ({ inputData: { v } }) => ({ v: { i, prev: v ? v.i : -1, payload: PAYLOAD } }) }));
  }
  const out = await run(wf.commit(), {});
  report({ last: out.v.i });
} else if (kind === 'artifact') {
  const Xs = z.object({ xs: z.array(z.number()) });
  const Total = z.object({ total: z.number() });
  const make = createStep({ id: 'make', inputSchema: z.object({}), outputSchema: Xs, execute: async () => ({ xs: makeNumbers(n) }) });
  const double = createStep({ id: 'double', inputSchema: Xs, outputSchema: Xs, execute: async ({ inputData: { xs } }) => ({ xs: xs.map((x) => x * 2) }) });
  const inc = createStep({ id: 'inc', inputSchema: Xs, outputSchema: Xs, execute: async ({ inputData: { xs } }) => ({ xs: xs.map((x) => x + 1) }) });
  const sum = createStep({ id: 'sum', inputSchema: Xs, outputSchema: Total, execute: async ({ inputData: { xs } }) => ({ total: xs.reduce((a, b) => a + b, 0) }) });
  const wf = createWorkflow({ id: 'workflow', inputSchema: z.object({}), outputSchema: Total }).then(make).then(double).then(inc).then(sum).commit();
  report({ total: (await run(wf, {})).total });
} else if (kind === 'map') {
  // .foreach: one step run per item (concurrency 8), the results an array in item order
  const Item = z.object({ item: z.number() });
  const Y = z.object({ y: z.number() });
  const items = createStep({ id: 'items', inputSchema: z.object({}), outputSchema: z.array(Item), execute: async () => Array.from({ length: n }, (_, i) => ({ item: i })) });
  const double = createStep({ id: 'double', inputSchema: Item, outputSchema: Y, execute: async ({ inputData: { item } }) => ({ y: item * 2 }) });
  const sum = createStep({ id: 'sum', inputSchema: z.array(Y), outputSchema: z.object({ total: z.number(), count: z.number() }), execute: async ({ inputData }) => ({ total: inputData.reduce((a, { y }) => a + y, 0), count: inputData.length }) });
  const wf = createWorkflow({ id: 'workflow', inputSchema: z.object({}), outputSchema: z.object({ total: z.number(), count: z.number() }) }).then(items).foreach(double, { concurrency: 8 }).then(sum).commit();
  report(await run(wf, {}));
} else throw new Error(`unknown case ${kind}`);
