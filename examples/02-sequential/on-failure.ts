/**
 * Recovering from a failure: when step_1 fails, its onFailure pipeline runs in the same scope and the run
 * succeeds (step_1 stays FAIL in the run log). End the recovery with `terminate: 'failure'` to fail the run
 * after cleaning up instead.
 *
 *   npx runnable run examples/02-sequential/on-failure.ts
 */
import 'reflect-metadata';
import { pipeline, stub, task } from 'runnable-ts';

const risky = task(
  (): { result: number } => {
    throw new Error('the upstream service is down');
  },
  { name: 'step_1', returns: ['result'] },
);
const fallback = task(() => ({ result: -1, used_fallback: true }), { name: 'step_4', returns: ['result', 'used_fallback'] });

export default pipeline('on-failure')
  .step(risky, { onFailure: pipeline('recover').step(fallback).build() })
  .step(stub('step_2'))
  .step(stub('step_3'))
  .build();
