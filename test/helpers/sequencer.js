'use strict';
// The order jest starts test files in: slowest first, so that the two workers finish together. jest does this by
// itself from the timings it cached in an earlier run on the same machine; a fresh machine (CI) has none and falls
// back to file size, which started the 43-second argo-emulation file late and made `npm test` several seconds longer
// there. So the timings of a run are committed (test/helpers/test-durations.json, refreshed with
// scripts/test-durations.js) and used for each file jest has no timing of its own for.
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const committed = require('./test-durations.json');

const root = path.resolve(__dirname, '..', '..');

class SlowestFirst extends Sequencer {
  /** ms a file took: jest's own cached figure, else the committed one, else unknown (jest then orders by size). */
  time(test) {
    const own = super.time(test);
    if (own !== undefined) return own;
    const seconds = committed[path.relative(root, test.path).split(path.sep).join('/')];
    return seconds === undefined ? undefined : seconds * 1000;
  }
}

module.exports = SlowestFirst;
