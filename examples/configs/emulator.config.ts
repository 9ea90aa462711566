// Every step in its own Node process, up to 4 at once (the run log must be chunked-fs: steps' processes write it).
//   npx runnable run examples/tutorial/04-connecting-workflow.ts --config examples/configs/emulator.config.ts
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  executor: { type: 'emulator', config: { maxProcesses: 4 } },
  runLogStore: { type: 'chunked-fs' },
});
