// async run() (and an async task() function): the outputs are the awaited object, not a Promise.
import { Task, task, pipeline, pickled } from 'runnable-ts';

@Task({ returns: [pickled('rows'), 'count'] })
export class Fetch {
  async run() {
    await Promise.resolve();
    return { rows: [new Map<string, number>()], count: 1 };
  }
}

@Task({ returns: ['total'] })
export class Sum {
  async run({ rows, count }: { rows: Map<string, number>[]; count: number }) {
    return { total: rows.length + count };
  }
}

const report = task(async ({ total }: { total: number }) => ({ line: `total=${total}` }), { name: 'report', returns: ['line'] });

export default pipeline().step(Fetch).step(Sum).step(report).build();
