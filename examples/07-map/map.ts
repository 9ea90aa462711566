/**
 * Map: run a branch once per item of an array, the item visible to the branch as `chunk` (typed as the
 * array's element). Each value the branch returns becomes an array, in item order, after the map. Iterations run
 * concurrently (at most `concurrency` at a time).
 *
 *   npx runnable run examples/07-map/map.ts --params examples/03-parameters/initial-parameters.yaml
 */
import 'reflect-metadata';
import { pipeline, shell, task } from 'runnable-ts';

const processPython = task(({ chunk }: { chunk: number }) => ({ processed_python: chunk * 10 }), { name: 'execute_python', returns: ['processed_python'] });
const processMore = task(({ processed_python }: { processed_python: number }) => ({ processed_ts: processed_python * 10 }), {
  name: 'execute_ts',
  returns: ['processed_ts'],
});
const processShell = shell('export processed_shell=$((processed_ts * 10))', { name: 'execute_shell', returns: ['processed_shell'] });
const readChunk = task(
  ({ chunk, processed_python, processed_ts, processed_shell }: { chunk: number; processed_python: number; processed_ts: number; processed_shell: number }) => {
    if (processed_python !== chunk * 10 || processed_ts !== chunk * 100 || processed_shell !== chunk * 1000) throw new Error(`wrong values for chunk ${chunk}`);
    return {};
  },
  { name: 'read_processed_chunk' },
);

const branch = pipeline('process_chunk').params<{ chunk: number }>().step(processPython).step(processMore).step(processShell).step(readChunk).build();

const collect = task(
  ({ processed_python, processed_ts, processed_shell }: { processed_python: number[]; processed_ts: number[]; processed_shell: number[] }) => ({
    totals: [processed_python, processed_ts, processed_shell].map((xs) => xs.reduce((a, b) => a + b, 0)),
  }),
  { name: 'collect', returns: ['totals'] },
);

export default pipeline('map')
  .params<{ chunks: number[] }>()
  .map('map_state', { over: 'chunks', as: 'chunk', branch, concurrency: 4 })
  .step(collect)
  .build();
