// Issue 10, part 1: the sound merges still accept what is right.
import { pipeline, task, stub } from 'runnable-ts';

const gen = task(() => ({ x: 1, toss: 'heads' as 'heads' | 'tails', items: [1, 2, 3] }), { name: 'gen', returns: ['x', 'toss', 'items'] });
const heads = pipeline('heads').step(task(() => ({ x: 'str' }), { name: 'h1', returns: ['x'] })).build();
const tails = pipeline('tails').step(stub('t1')).build();
const tailsToo = pipeline('tails_too').step(task(() => ({ x: true }), { name: 't2', returns: ['x'] })).build();

// a step that accepts both the old and the new type of a partially rewritten name
export const oldOrNew = pipeline('c1')
  .step(gen)
  .conditional('c', { on: 'toss', branches: { heads, tails } })
  .step(task(({ x }: { x: number | string }) => ({ s: String(x) }), { name: 'either', returns: ['s'] }))
  .build();

// every branch writes x: the old type is gone, x is the union of the branches' types
export const allBranches = pipeline('c2')
  .step(gen)
  .conditional('c', { on: 'toss', branches: { heads, tails: tailsToo } })
  .step(task(({ x }: { x: string | boolean }) => ({ s: String(x) }), { name: 'str_or_bool', returns: ['s'] }))
  .build();

// a loop body that keeps its types from one iteration to the next, and reads its own output optionally
const countUp = pipeline('count_up')
  .params<{ x: number; count?: number }>()
  .step(task(({ x, count }: { x: number; count?: number }) => ({ x: x + 1, count: (count ?? 0) + 1, done: x > 3 }), { name: 'inc', returns: ['x', 'count', 'done'] }))
  .build();
export const loopStable = pipeline('l1')
  .step(gen)
  .loop('lp', { branch: countUp, breakOn: 'done', maxIterations: 5 })
  .step(task(({ x, count }: { x: number; count: number }) => ({ r: x * count }), { name: 'after_loop', returns: ['r'] }))
  .build();

// map: a rewritten parameter is an array afterwards, and a reducer turns it back into one value
const addItem = pipeline('add_item')
  .params<{ total: number; item: number }>()
  .step(task(({ total, item }: { total: number; item: number }) => ({ total: total + item }), { name: 'add', returns: ['total'] }))
  .build();
export const mapArrays = pipeline('m1')
  .step(gen)
  .step(task(() => ({ total: 0 }), { name: 'zero', returns: ['total'] }))
  .map('m', { over: 'items', as: 'item', branch: addItem })
  .step(task(({ total }: { total: number[] }) => ({ sum: total.reduce((a, b) => a + b, 0) }), { name: 'sum', returns: ['sum'] }))
  .build();
export const mapReduced = pipeline('m2')
  .step(gen)
  .step(task(() => ({ total: 0 }), { name: 'zero', returns: ['total'] }))
  .map('m', { over: 'items', as: 'item', branch: addItem, reducer: { total: (v: number[]) => Math.max(...v) } })
  .step(task(({ total }: { total: number }) => ({ best: total }), { name: 'best', returns: ['best'] }))
  .build();

// a name only one branch writes, read as optional
const onlyHeads = pipeline('only_heads').step(task(() => ({ bonus: 5 }), { name: 'bonus', returns: ['bonus'] })).build();
export const optionalBonus = pipeline('c3')
  .step(gen)
  .conditional('c', { on: 'toss', branches: { heads: onlyHeads, tails } })
  .step(task(({ bonus }: { bonus?: number }) => ({ b: bonus ?? 0 }), { name: 'uses_bonus', returns: ['b'] }))
  .build();
