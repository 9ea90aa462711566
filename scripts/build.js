#!/usr/bin/env node
'use strict';
// npm run build: src/ -> lib/ (CommonJS + .d.ts + source maps), then superjson (ESM-only) bundled as CommonJS into
// lib/vendor/superjson.js so the package loads with require() on every Node 20 and in users' jest set-ups.
// Incremental: a second run with no change in src/ takes about a second.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lib = path.join(root, 'lib');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const t = fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** True when lib/ is older than any file in src/ or the build configuration. */
function stale() {
  const stamp = path.join(lib, '.build-stamp');
  if (!fs.existsSync(stamp)) return true;
  const built = fs.statSync(stamp).mtimeMs;
  const inputs = [path.join(root, 'tsconfig.build.json'), path.join(root, 'tsconfig.json'), __filename];
  return newestMtime(path.join(root, 'src')) > built || inputs.some((f) => fs.statSync(f).mtimeMs > built);
}

function build() {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  } catch {
    process.exitCode = 1;
    return;
  }
  require('esbuild').buildSync({
    entryPoints: [require.resolve('superjson', { paths: [root] })],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: path.join(lib, 'vendor', 'superjson.js'),
    legalComments: 'inline',
    banner: { js: '// superjson (MIT, https://github.com/flightcontrol-hq/superjson) and its dependencies, bundled as CommonJS.' },
    logLevel: 'warning',
  });
  // The shim's own declaration would point at the ESM package: nothing public refers to it.
  for (const f of ['superjson.d.ts', 'superjson.d.ts.map', 'superjson.js.map']) fs.rmSync(path.join(lib, 'vendor', f), { force: true });
  fs.chmodSync(path.join(root, 'bin', 'runnable.js'), 0o755);
  fs.writeFileSync(path.join(lib, '.build-stamp'), `${new Date().toISOString()}\n`);
}

if (require.main === module) {
  if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
  build();
}

module.exports = { build, stale };
