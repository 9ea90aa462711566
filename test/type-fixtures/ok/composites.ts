// Control flow keeps the data flow typed: map elements, reducers, merged parallel outputs, loop index,
// values common to all conditional branches, nesting in any combination, shell and stub steps.
import { pipeline, task, shell, stub } from 'runnable-ts';

const gen = task(() => ({ chunks: [1, 2, 3], words: ['a', 'b'], toss: 'heads' as 'heads' | 'tails', flag: true }), {
  name: 'gen',
  returns: ['chunks', 'words', 'toss', 'flag'],
});
const double = pipeline('double').params<{ chunk: number }>().step(task(({ chunk }: { chunk: number }) => ({ doubled: chunk * 2 }), { name: 'dbl', returns: ['doubled'] })).build();
const heads = pipeline('h').step(task(() => ({ side: 'H' as const, extra: 1 }), { name: 'h1', returns: ['side', 'extra'] })).build();
const tails = pipeline('t').step(task(() => ({ side: 'T' as const }), { name: 't1', returns: ['side'] })).build();
const yes = pipeline('y').step(task(() => ({ answer: 1 }), { name: 'y1', returns: ['answer'] })).build();
const no = pipeline('n').step(task(() => ({ answer: 0 }), { name: 'n1', returns: ['answer'] })).build();
const step = pipeline('s').params<{ i: number }>().step(task(({ i }: { i: number }) => ({ done: i >= 2, count: i }), { name: 's1', returns: ['done', 'count'] })).build();
const left = pipeline('l').step(task(() => ({ l: 'left', shared: 1 }), { name: 'l1', returns: ['l', 'shared'] })).build();
const right = pipeline('r').step(task(() => ({ r: 2, shared: 'two' }), { name: 'r1', returns: ['r', 'shared'] })).build();
// nesting: a map inside a parallel branch, a loop inside a map branch
const inner = pipeline('inner').params<{ chunks: number[] }>().map('m', { over: 'chunks', as: 'chunk', branch: double }).build();
const loopInMap = pipeline('lim').params<{ chunk: number }>().loop('lp', { branch: step, breakOn: 'done', maxIterations: 3, indexAs: 'i' }).build();

export default pipeline('ok')
  .step(gen)
  .map('m1', { over: 'chunks', as: 'chunk', branch: double })
  .step(task(({ doubled }: { doubled: number[] }) => ({ total: doubled.length }), { name: 'sum', returns: ['total'] }))
  .map('m2', { over: 'chunks', as: 'chunk', branch: double, reducer: { doubled: (v) => Math.max(...v) }, concurrency: 2 })
  .step(task(({ doubled }: { doubled: number }) => ({ best: doubled }), { name: 'best', returns: ['best'] }))
  .conditional('c', { on: 'toss', branches: { heads, tails } })
  .step(task(({ side }: { side: 'H' | 'T' }) => ({ s: side }), { name: 'side', returns: ['s'] }))
  .conditional('c_bool', { on: 'flag', branches: { true: yes, false: no } })
  .loop('lp', { branch: step, breakOn: 'done', maxIterations: 5, indexAs: 'i' })
  .step(task(({ count, done }: { count: number; done: boolean }) => ({ summary: `${count}/${done}` }), { name: 'after_loop', returns: ['summary'] }))
  .parallel('par', { left, right, nested: inner })
  .step(task(({ l, r, shared, doubled }: { l: string; r: number; shared: number | string; doubled: number[] | number }) => ({ z: `${l}${r}${shared}${doubled}` }), { name: 'after_par', returns: ['z'] }))
  .map('m3', { over: 'chunks', as: 'chunk', branch: loopInMap })
  .step(shell('export greeting="hi"', { name: 'sh', returns: ['greeting'] }))
  .step(task(({ greeting }: { greeting: string }) => ({ g: greeting }), { name: 'use_sh', returns: ['g'] }))
  .step(stub('placeholder'), { onFailure: pipeline('recover').step(stub('recovered')).build() })
  .step(stub('end'), { terminate: 'success' })
  .build();
