// Loaded by contracts.test.ts in a plain Node process (no test runner): importing runnable-ts/testing loads no test
// framework, and a contract suite called outside a runner says what it needs.
import * as testing from '../../src/testing';

const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\/](jest|@jest|expect|vitest|jest-[^\\/]+)[\\/]/.test(f));
let message = '';
try {
  testing.runCatalogContract('mine', () => {
    throw new Error('never called');
  });
} catch (err) {
  message = (err as Error).message;
}
process.stdout.write(JSON.stringify({ exports: Object.keys(testing).sort(), loaded, message }));
