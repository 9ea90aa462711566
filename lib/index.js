'use strict';
// Entry point of the `runnable-ts` package at run time: installs the TypeScript loader
// and exposes the public API from src/index.ts.
require('./register');
module.exports = require('../src/index.ts');
