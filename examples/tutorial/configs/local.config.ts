// Chapter 7: every step in the `runnable` process (the default executor, written out). The stores are the same in
// all four configurations of this folder, so only the executor changes between them. Copy to runnable.config.ts or
// pass it with --config.
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  executor: { type: 'local' },
  runLogStore: { type: 'chunked-fs', config: { log_folder: '.run_log_store' } },
  catalog: { type: 'file-system', config: { catalog_location: '.catalog' } },
});
