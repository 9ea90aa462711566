// runnable-ts, the main project's build (lib/, `npm run build`), with its default stores: the file-system run log
// (.run_log_store/) and catalog (.catalog/) in the work dir; every step's result is in the run log before the next
// step starts, so `runnable retry` can resume the run after a crash.
//   node tools/runnable.cjs <case> <work dir>      (cases: see ./cases.mjs)
'use strict';
const path = require('node:path');
const { pipeline, task, pickled, metric } = require(path.resolve(__dirname, '../../../lib/index.js'));

(async () => {
  const { parseCase, report, PAYLOAD, makeNumbers } = await import('./cases.mjs');
  const { kind, n, dir } = parseCase(process.argv);
  process.chdir(dir);
  const opts = { quiet: true };
  if (kind === 'steps') {
    let b = pipeline(`steps_${n}`);
    for (let i = 0; i < n; i++) b = b.step(task(({ v }) => ({ v: { i, prev: v ? v.i : -1, payload: PAYLOAD } }), { name: `s${i}`, returns: ['v'] }));
    const r = await b.build().execute(opts);
    report({ last: r.runLog.parameters.v.value.i });
  } else if (kind === 'artifact') {
    // the arrays are `pickled` artifacts (files in the catalog), the total a metric
    const make = task(() => ({ xs: makeNumbers(n) }), { name: 'make', returns: [pickled('xs')] });
    const double = task(({ xs }) => ({ ys: xs.map((x) => x * 2) }), { name: 'double', returns: [pickled('ys')] });
    const inc = task(({ ys }) => ({ zs: ys.map((x) => x + 1) }), { name: 'inc', returns: [pickled('zs')] });
    const sum = task(({ zs }) => ({ total: zs.reduce((a, b) => a + b, 0) }), { name: 'sum', returns: [metric('total')] });
    const r = await pipeline('artifact').step(make).step(double).step(inc).step(sum).build().execute(opts);
    report({ total: r.runLog.parameters.total.value });
  } else if (kind === 'map') {
    const items = task(() => ({ items: Array.from({ length: n }, (_, i) => i) }), { name: 'items', returns: ['items'] });
    const double = task(({ item }) => ({ y: item * 2 }), { name: 'double', returns: ['y'] });
    const branch = pipeline('item').step(double).build();
    const sum = task(({ y }) => ({ total: y.reduce((a, b) => a + b, 0), count: y.length }), { name: 'sum', returns: ['total', 'count'] });
    const r = await pipeline('map').step(items).map('m', { over: 'items', as: 'item', branch, concurrency: 8 }).step(sum).build().execute(opts);
    report({ total: r.runLog.parameters.total.value, count: r.runLog.parameters.count.value });
  } else throw new Error(`unknown case ${kind}`);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
