// The step cache's options: on a task, on a step of the builder, and in the configuration (docs/caching.md).
import { Task, defineConfig, pipeline, pickled, task, type CacheOption } from 'runnable-ts';

@Task({ name: 'load', returns: [pickled('rows')], cache: true })
export class Load {
  run() {
    return { rows: [1, 2, 3] };
  }
}

const sum = task(({ rows }: { rows: number[] }) => ({ total: rows.length }), { name: 'sum', returns: ['total'], cache: { version: '2' } });
const live = task(() => ({ now: Date.now() }), { name: 'live', returns: ['now'], cache: false });

const choice: CacheOption = { version: 'v3' };

export default pipeline('cached').step(Load, { cache: choice }).step(sum).step(live, { cache: false }).build();

export const config = defineConfig({ cache: { enabled: true } });
