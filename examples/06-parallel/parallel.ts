/**
 * Parallel branches run side by side. Each branch sees the values in scope before it (declare what it reads
 * with `.params<...>()`), and what the branches return is merged back in declaration order: when two branches
 * return the same name, the last branch wins (`shared` below is 'value_b').
 *
 *   npx runnable run examples/06-parallel/parallel.ts
 */
import 'reflect-metadata';
import { pipeline, stub, task } from 'runnable-ts';

const seed = task(() => ({ root_val: 5 }), { name: 'seed', returns: ['root_val'] });

const branch1 = pipeline('branch1')
  .params<{ root_val: number }>()
  .step(stub('hello_stub'))
  .step(task(({ root_val }: { root_val: number }) => ({ result1: `branch1_value_${root_val}`, shared: 'value_a' }), { name: 'work', returns: ['result1', 'shared'] }))
  .build();
const branch2 = pipeline('branch2')
  .step(task(async () => ({ result2: 'branch2_value', shared: 'value_b' }), { name: 'work', returns: ['result2', 'shared'] }))
  .build();

const verify = task(
  ({ result1, result2, shared }: { result1: string; result2: string; shared: string }) => ({ summary: `${result1} + ${result2}, shared=${shared}` }),
  { name: 'verify', returns: ['summary'] },
);

export default pipeline('parallel').step(seed).parallel('parallel_step', { branch1, branch2 }).step(verify).build();
