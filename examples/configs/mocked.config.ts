// A dry run of a whole pipeline: no step's code runs except the patched ones. Every other task step records a
// successful attempt that returned nothing (marked `mock: true` in the run log).
//
//   npx runnable run examples/02-sequential/default-fail.ts --config examples/configs/mocked.config.ts
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  executor: {
    type: 'mocked',
    config: {
      patches: {
        // called instead of step_2 with its inputs; step_1 was faked, so `prepared` was never returned
        step_2: ({ prepared }: { prepared?: boolean }) => {
          console.log(`Hello from mock (prepared: ${prepared})`);
        },
      },
    },
  },
});
