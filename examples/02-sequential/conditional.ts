/**
 * Branching: the value of `toss` chooses the branch. Its type, 'heads' | 'tails', must match the branch names
 * exactly (the compiler checks it); values returned by every branch are in scope after the conditional.
 *
 *   npx runnable run examples/02-sequential/conditional.ts
 *   RUNNABLE_PRM_coin=tails npx runnable run examples/02-sequential/conditional.ts
 */
import 'reflect-metadata';
import { pipeline, stub, task } from 'runnable-ts';

const tossTask = task(({ coin = 'heads' }: { coin?: string }) => ({ toss: (coin === 'tails' ? 'tails' : 'heads') as 'heads' | 'tails' }), {
  name: 'toss_task',
  returns: ['toss'],
});
const heads = pipeline('heads').step(task(() => ({ branch_param: 'heads_value' }), { name: 'when_heads_task', returns: ['branch_param'] })).build();
const tails = pipeline('tails').step(task(() => ({ branch_param: 'tails_value' }), { name: 'when_tails_task', returns: ['branch_param'] })).build();
const verify = task(({ branch_param, toss }: { branch_param: string; toss: string }) => ({ verified: branch_param === `${toss}_value` }), {
  name: 'verify',
  returns: ['verified'],
});

export default pipeline('conditional')
  .params<{ coin?: string }>()
  .step(tossTask)
  .conditional('conditional', { on: 'toss', branches: { heads, tails } })
  .step(verify)
  .step(stub('continue_to'))
  .build();
