'use strict';
// Preloaded into the tsc processes of bench/typecheck.ts (node -r): prints the process's CPU time at exit, which
// is less sensitive than wall time to other load on the machine.
process.on('exit', () => {
  const u = process.cpuUsage();
  process.stderr.write(`\n__BENCH_CPU__ ${u.user} ${u.system}\n`);
});
