// Chapter 7: every step in the `runnable` process (the default, written out). Copy to runnable.config.ts or pass
// it with --config.
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  executor: { type: 'local' },
  runLogStore: { type: 'file-system', config: { log_folder: '.run_log_store' } },
  catalog: { type: 'file-system', config: { catalog_location: '.catalog' } },
});
