// Loaded with `node -r` into every measured process: at exit, reports its own CPU time (user, system, µs) and peak
// RSS (KiB) on stderr for the harness (run.mjs).
'use strict';
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`\n__PEER_RES__ ${u.userCPUTime} ${u.systemCPUTime} ${u.maxRSS}\n`);
});
