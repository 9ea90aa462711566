// Plain names (and json()) accept nested plain objects and arrays of JSON values, optional properties included.
import { Task, task, json, pipeline } from 'runnable-ts';

interface Report {
  title: string;
  rows: { label: string; values: number[]; ok: boolean; note?: string }[];
  meta: { nested: { deeper: { flags: boolean[] } } };
  nothing: null;
}

@Task({ returns: ['report', json('matrix'), 'tags'] })
export class MakeReport {
  run() {
    const report: Report = {
      title: 't',
      rows: [{ label: 'a', values: [1, 2], ok: true }],
      meta: { nested: { deeper: { flags: [true] } } },
      nothing: null,
    };
    return { report, matrix: [[1, 2], [3, 4]], tags: ['x', 'y'] as const };
  }
}

const summarize = task(({ report }: { report: Report }) => ({ summary: { rows: report.rows.length } }), {
  name: 'summarize',
  returns: ['summary'],
});

export default pipeline().step(MakeReport).step(summarize).build();
