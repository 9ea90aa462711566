#!/usr/bin/env node
'use strict';
// `prepare` builds lib/ when the package is installed from git, but npm 11+ lists every dependency's `prepare` as an
// install script to review, although it never runs for a registry or tarball install. So the packed package.json
// carries it as `_prepare` (prepack: disable) and the repository's copy gets it back right after (postpack: enable).
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package.json');
const text = fs.readFileSync(file, 'utf8');
const pkg = JSON.parse(text);
const [from, to] = process.argv[2] === 'disable' ? ['prepare', '_prepare'] : ['_prepare', 'prepare'];
if (pkg.scripts && from in pkg.scripts) {
  pkg.scripts = Object.fromEntries(Object.entries(pkg.scripts).map(([k, v]) => [k === from ? to : k, v]));
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
}
