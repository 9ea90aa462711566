#!/usr/bin/env node
'use strict';
// Writes test/helpers/test-durations.json (seconds per test file) from a jest JSON result, for the test sequencer
// (test/helpers/sequencer.js), which starts the slowest files first on a machine without jest's own timing cache:
//   npx jest --json --outputFile=/tmp/jest.json && node scripts/test-durations.js /tmp/jest.json
const fs = require('node:fs');
const path = require('node:path');

const [input] = process.argv.slice(2);
if (!input) {
  process.stderr.write('usage: node scripts/test-durations.js <jest --json output>\n');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const results = JSON.parse(fs.readFileSync(input, 'utf8'));
const durations = {};
for (const r of [...results.testResults].sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime))) {
  durations[path.relative(root, r.name).split(path.sep).join('/')] = Math.round((r.endTime - r.startTime) / 100) / 10;
}
fs.writeFileSync(path.join(root, 'test', 'helpers', 'test-durations.json'), JSON.stringify(durations, null, 2) + '\n');
process.stdout.write(`${Object.keys(durations).length} test files\n`);
