/**
 * A failing step fails the run: the steps after it do not run, the run log ends at the `fail` step, and the
 * command exits with code 1.
 *
 *   npx runnable run examples/02-sequential/default-fail.ts      # exits 1
 */
import 'reflect-metadata';
import { pipeline, stub, task } from 'runnable-ts';

const step1 = task(() => ({ prepared: true }), { name: 'step_1', returns: ['prepared'] });
const step2 = task(
  ({ prepared }: { prepared: boolean }) => {
    if (prepared) throw new Error('this step always fails');
    return {};
  },
  { name: 'step_2' },
);

export default pipeline('default-fail').step(step1).step(step2).step(stub('step_3')).build();
