// Chapter 7: every step in its own Node process, as a pod would run it, on this machine.
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  executor: { type: 'emulator', config: { maxProcesses: 2 } },
  runLogStore: { type: 'chunked-fs', config: { log_folder: '.run_log_store' } }, // steps' processes write it
  catalog: { type: 'file-system', config: { catalog_location: '.catalog' } },
});
