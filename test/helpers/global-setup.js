'use strict';
// jest globalSetup: the CLI and the examples run the compiled package (lib/), and the type fixtures read its .d.ts
// files, so rebuild lib/ when src/ changed since the last build (about a second when nothing changed).
const { build, stale } = require('../../scripts/build.js');

module.exports = function globalSetup() {
  if (!stale()) return;
  build();
  if (process.exitCode) throw new Error('npm run build failed: fix the TypeScript errors above');
};
