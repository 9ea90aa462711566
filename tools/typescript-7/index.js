'use strict';
// Where TypeScript 7 is, for the repo's tests and bench (one place): its package folder, version, the `tsc` launcher
// and the native compiler the launcher runs (from its platform package, an optional dependency npm may skip).
const fs = require('node:fs');
const path = require('node:path');

const packageJson = require.resolve('typescript/package.json', { paths: [__dirname] });
const packageDir = path.dirname(packageJson);

module.exports = {
  /** The folder of TypeScript 7's npm package. */
  packageDir,
  version: JSON.parse(fs.readFileSync(packageJson, 'utf8')).version,
  /** Its `tsc`: a node script that runs the native compiler (`node <launcher> ...args`). */
  launcher: path.join(__dirname, 'bin', 'tsc'),
  /** The native compiler itself (what the bench times), or undefined when its platform package is not installed. */
  nativeBinary() {
    try {
      const platformPackage = require.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`, { paths: [packageDir] });
      const exe = path.join(path.dirname(platformPackage), 'lib', process.platform === 'win32' ? 'tsc.exe' : 'tsc');
      return fs.existsSync(exe) ? exe : undefined;
    } catch {
      return undefined;
    }
  },
};
