// The run log as a folder per run (a journal per writing process): safe for concurrent writers, flat cost per step.
// Use it for large maps and parallel runs:  npx runnable run <file> --config examples/configs/chunked-fs.config.ts
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  runLogStore: { type: 'chunked-fs', config: { log_folder: '.run_log_store' } },
  catalog: { type: 'file-system', config: { catalog_location: '.catalog' } },
});
