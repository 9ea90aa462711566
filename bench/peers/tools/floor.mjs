// The Node floor: the same work as a plain loop, with the durability the others give at its simplest: the state
// after each step (or map item) written to a file (JSON.stringify + writeFileSync, not fsynced), arrays of the
// artifact case written and read back as JSON files (JSON.stringify + writeFileSync, readFileSync + JSON.parse).
//   node tools/floor.mjs <case> <work dir>      (cases: see ./cases.mjs)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCase, report, PAYLOAD, makeNumbers } from './cases.mjs';

const { kind, n, dir } = parseCase(process.argv);
const put = (name, v) => fs.writeFileSync(path.join(dir, name), JSON.stringify(v));
const get = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));

if (kind === 'steps') {
  let v;
  for (let i = 0; i < n; i++) {
    v = { i, prev: v ? v.i : -1, payload: PAYLOAD };
    put('state.json', { step: `s${i}`, v });
  }
  report({ last: v.i });
} else if (kind === 'artifact') {
  put('xs.json', makeNumbers(n));
  put('ys.json', get('xs.json').map((x) => x * 2));
  put('zs.json', get('ys.json').map((x) => x + 1));
  const total = get('zs.json').reduce((a, b) => a + b, 0);
  put('total.json', total);
  report({ total });
} else if (kind === 'map') {
  const items = Array.from({ length: n }, (_, i) => i);
  const ys = [];
  for (const item of items) {
    ys.push(item * 2);
    put(`item-${item}.json`, { item, y: item * 2 });
  }
  report({ total: ys.reduce((a, b) => a + b, 0), count: ys.length });
} else throw new Error(`unknown case ${kind}`);
