import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Runs `code` in a fresh Node process (the compiled package, as users load it) and returns what it printed as JSON. */
function probe(code: string): Record<string, unknown> {
  return JSON.parse(execFileSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' })) as Record<string, unknown>;
}

const SNAPSHOT = `
  const Module = require('node:module');
  const snap = () => ({
    extensions: Object.keys(Module._extensions).sort(),
    resolve: Module._resolveFilename.toString().length,
    globals: Object.keys(globalThis).sort(),
    listeners: process.eventNames().map(String).sort(),
    exitCode: process.exitCode ?? null,
  });`;

describe('importing runnable-ts', () => {
  it('changes no module loading, no global and no process handler; it only loads the Reflect metadata API', () => {
    const r = probe(`${SNAPSHOT}
      const before = snap();
      const lib = require('./lib/index.js');
      const after = snap();
      process.stdout.write(JSON.stringify({ before, after, exports: typeof lib.pipeline, reflect: typeof Reflect.getMetadata }));`);
    expect(r.exports).toBe('function');
    expect(r.reflect).toBe('function'); // reflect-metadata: decorators record constructor types through it
    expect(r.after).toEqual(r.before);
  });

  it('runnable-ts/register is the explicit opt-in for .ts files', () => {
    const r = probe(`${SNAPSHOT}
      require('./lib/register.js');
      process.stdout.write(JSON.stringify(snap()));`);
    expect(r.extensions).toEqual(expect.arrayContaining(['.ts', '.mts', '.cts']));
  });

  it('loads without typescript, @swc/core, yaml, commander or tsyringe until they are needed', () => {
    const r = probe(`
      require('./lib/index.js');
      const loaded = Object.keys(require.cache);
      const has = (name) => loaded.some((f) => f.includes('/node_modules/' + name + '/'));
      process.stdout.write(JSON.stringify({ typescript: has('typescript'), swc: has('@swc/core'), yaml: has('yaml'), commander: has('commander'), tsyringe: has('tsyringe') }));`);
    expect(r).toEqual({ typescript: false, swc: false, yaml: false, commander: false, tsyringe: false });
  });
});
