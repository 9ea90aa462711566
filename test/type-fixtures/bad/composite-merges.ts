// Issue 10, part 1: what a composite leaves in scope is what the engine delivers.
import { pipeline, task, stub } from 'runnable-ts';

const gen = task(() => ({ x: 1, toss: 'heads' as 'heads' | 'tails', items: [1, 2, 3] }), { name: 'gen', returns: ['x', 'toss', 'items'] });
const needsNumberX = task(({ x }: { x: number }) => ({ y: x + 1 }), { name: 'needs_number_x', returns: ['y'] });

// Conditional: only 'heads' rewrites x (as a string). When 'tails' runs, x keeps its number: x is number | string.
const heads = pipeline('heads').step(task(() => ({ x: 'str' }), { name: 'h1', returns: ['x'] })).build();
const tails = pipeline('tails').step(stub('t1')).build();
export const conditionalOldOrNew = pipeline('c1')
  .step(gen)
  .conditional('c', { on: 'toss', branches: { heads, tails } })
  // @expect-error ✖ input 'x' has an incompatible type: expected number, got string | number
  .step(needsNumberX)
  .build();

// Loop: iteration 2 receives what iteration 1 returned. This body turns x: number into a string.
const toText = pipeline('to_text')
  .params<{ x: number }>()
  .step(task(({ x }: { x: number }) => ({ x: String(x), done: x > 3 }), { name: 'to_text', returns: ['x', 'done'] }))
  .build();
export const loopOwnOutputs = pipeline('l1')
  .step(gen)
  // @expect-error ✖ loop 'lp' branch, from iteration 2 on (it receives what the previous iteration returned): input 'x' has an incompatible type: expected number, got string
  .loop('lp', { branch: toText, breakOn: 'done', maxIterations: 3 })
  .build();

// Map: the branch writes `total`, also one of its parameters of the same type: after the map it is number[].
const addItem = pipeline('add_item')
  .params<{ total: number; item: number }>()
  .step(task(({ total, item }: { total: number; item: number }) => ({ total: total + item }), { name: 'add', returns: ['total'] }))
  .build();
export const mapRewritesParameter = pipeline('m1')
  .step(gen)
  .step(task(() => ({ total: 0 }), { name: 'zero', returns: ['total'] }))
  .map('m', { over: 'items', as: 'item', branch: addItem })
  // @expect-error ✖ input 'total' has an incompatible type: expected number, got number[]
  .step(task(({ total }: { total: number }) => ({ t: total }), { name: 'uses_total', returns: ['t'] }))
  .build();

// Map whose branch has a conditional writing an existing name in one branch only: each iteration delivers the
// old value or the new one, so the array is (number | string)[].
const relabel = pipeline('relabel')
  .params<{ item: number; toss: 'heads' | 'tails'; x: number }>()
  .conditional('which', { on: 'toss', branches: { heads, tails } })
  .build();
export const mapOverConditional = pipeline('m2')
  .step(gen)
  .map('m', { over: 'items', as: 'item', branch: relabel })
  // @expect-error ✖ input 'x' has an incompatible type: expected number[], got (string | number)[]
  .step(task(({ x }: { x: number[] }) => ({ n: x.length }), { name: 'uses_xs', returns: ['n'] }))
  .build();

// A name written by only one branch, with no value before the conditional, may be absent.
const onlyHeads = pipeline('only_heads').step(task(() => ({ bonus: 5 }), { name: 'bonus', returns: ['bonus'] })).build();
export const partialNewName = pipeline('c2')
  .step(gen)
  .conditional('c', { on: 'toss', branches: { heads: onlyHeads, tails } })
  // @expect-error ✖ input 'bonus' has an incompatible type: expected number, got number | undefined
  .step(task(({ bonus }: { bonus: number }) => ({ b: bonus }), { name: 'uses_bonus', returns: ['b'] }))
  .build();
