#!/usr/bin/env node
'use strict';
// The `runnable` (and `runnable-ts`) command. The library runs compiled from lib/; only the user's own .ts files go
// through the TypeScript loader, which the CLI installs before it loads them.
// `runnable | head` closes the pipe early: stop quietly instead of printing an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
// `runnable --version` answers without loading the CLI (the same text commander prints for it).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
  return;
}
let cli;
try {
  cli = require('../lib/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('lib/cli/main.js')) {
    console.error('error: runnable-ts is not built (lib/ is missing). In a clone of the repository run: npm run build');
    process.exit(2);
  }
  throw err;
}
cli.main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 2; },
);
