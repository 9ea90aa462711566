'use strict';
// In-process TypeScript loader for `runnable` and for users' pipeline files.
// Compiles .ts/.mts/.cts with @swc/core to CommonJS, keeping legacy decorators and
// emitDecoratorMetadata (tsx/esbuild drop the metadata that tsyringe needs).
// Type-checking is a separate step (`tsc --noEmit` / `runnable check`).
const Module = require('node:module');
const fs = require('node:fs');

if (!global.__runnableTsRegistered) {
  global.__runnableTsRegistered = true;
  const { transformSync } = require('@swc/core');
  const options = (filename) => ({
    filename,
    sourceMaps: 'inline',
    swcrc: false,
    configFile: false,
    module: { type: 'commonjs' },
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      target: 'es2022',
      keepClassNames: true,
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
  });
  const compile = (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    module._compile(transformSync(source, options(filename)).code, filename);
  };
  for (const ext of ['.ts', '.mts', '.cts']) Module._extensions[ext] = compile;
  // Stack traces point at the .ts source lines.
  if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);
}
