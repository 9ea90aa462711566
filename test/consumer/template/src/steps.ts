import 'reflect-metadata';
import { Task, task, pickled, metric } from 'runnable-ts';

@Task({ name: 'load', returns: [pickled('rows')] })
export class Load {
  run() {
    return { rows: [1, 2, 3, 4] };
  }
}

export function sumRows({ rows, factor = 1 }: { rows: number[]; factor?: number }) {
  return { total: rows.reduce((a, b) => a + b, 0) * factor };
}

export const total = task(sumRows, { name: 'total', returns: [metric('total')] });
