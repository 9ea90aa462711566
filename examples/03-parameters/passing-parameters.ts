/**
 * Passing values between steps: plain JSON values and metrics live in the run log, `pickled` values (anything
 * superjson can round-trip, registered classes included) live in the catalog. The next step reads them by name,
 * with the types the first step returned.
 *
 *   npx runnable run examples/03-parameters/passing-parameters.ts
 */
import 'reflect-metadata';
import { Serializable, Task, metric, pickled, pipeline, shell, task } from 'runnable-ts';

@Serializable('examples.Frame')
export class Frame {
  constructor(readonly columns: string[], readonly rows: number[][]) {}
  column(name: string): number[] {
    const i = this.columns.indexOf(name);
    return this.rows.map((r) => r[i]!);
  }
}

@Task({ name: 'set_parameter', returns: [pickled('df'), 'integer', 'floater', 'stringer', 'complex_param', metric('score')] })
export class SetParameter {
  run() {
    return {
      df: new Frame(['a', 'b'], [[1, 2], [3, 4]]),
      integer: 1,
      floater: 3.14,
      stringer: 'hello',
      complex_param: { x: 10, foo: 'bar' },
      score: 0.9,
    };
  }
}

const getParameters = task(
  ({ df, integer, complex_param, score }: { df: Frame; integer: number; complex_param: { x: number; foo: string }; score: number }) => ({
    checked: df instanceof Frame && df.column('b').join(',') === '2,4' && integer === 1 && complex_param.x === 10 && score === 0.9,
  }),
  { name: 'get_parameters', returns: ['checked'] },
);

// A shell step can return values too: they are read from the variables it exports (JSON-parsed when they parse).
const fromShell = shell('export doubled=$((integer * 2)); export label="score was $score"', { name: 'from_shell', returns: ['doubled', 'label'] });

export default pipeline('passing-parameters').step(SetParameter).step(getParameters).step(fromShell).build();
