#!/usr/bin/env node
'use strict';
// Runs a TypeScript file of this repository (benchmarks, test workers) with the runnable-ts loader:
//   node bin/run-ts.js file.ts [args...]
require('../lib/register.js');
const path = require('node:path');
const file = path.resolve(process.argv[2]);
process.argv.splice(1, 1);
require(file);
