/**
 * Reducers: instead of an array, a map can reduce each returned name with a function (typed: it receives the
 * iterations' values). The list to map over can come from an earlier step ("dynamic map").
 *
 *   npx runnable run examples/07-map/custom-reducer.ts
 */
import 'reflect-metadata';
import { metric, pipeline, task } from 'runnable-ts';

const generateChunks = task(({ n = 5 }: { n?: number }) => ({ chunks: Array.from({ length: n }, (_, i) => i + 1) }), { name: 'generate_chunks', returns: ['chunks'] });
const score = task(({ chunk }: { chunk: number }) => ({ processed: chunk * 10, accuracy: 0.5 + chunk / 20 }), {
  name: 'score',
  returns: ['processed', metric('accuracy')],
});
const branch = pipeline('score_chunk').params<{ chunk: number }>().step(score).build();

const collect = task(({ processed, accuracy }: { processed: number; accuracy: number }) => ({ best: { processed, accuracy } }), { name: 'collect', returns: ['best'] });

export default pipeline('custom-reducer')
  .params<{ n?: number }>()
  .step(generateChunks)
  .map('map_state', { over: 'chunks', as: 'chunk', branch, reducer: { processed: (xs) => Math.max(...xs), accuracy: (xs) => Math.max(...xs) } })
  .step(collect)
  .build();
