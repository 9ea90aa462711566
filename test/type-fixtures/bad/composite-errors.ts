// Each control-flow construct keeps the data-flow proof: the error lands on the offending branch or option.
import { pipeline, task } from 'runnable-ts';

const gen = task(() => ({ chunks: [1, 2, 3], n: 3, toss: 'heads' as 'heads' | 'tails', label: 'x' }), { name: 'gen', returns: ['chunks', 'n', 'toss', 'label'] });
const needsModel = task(({ model }: { model: string }) => ({ ok: true }), { name: 'needs_model', returns: ['ok'] });
const branchNeedsModel = pipeline('b').params<{ model: string }>().step(needsModel).build();
const strChunk = pipeline('s').params<{ chunk: string }>().step(task(({ chunk }: { chunk: string }) => ({ up: chunk.toUpperCase() }), { name: 'up', returns: ['up'] })).build();
const numChunk = pipeline('n').params<{ chunk: number }>().step(task(({ chunk }: { chunk: number }) => ({ doubled: chunk * 2 }), { name: 'dbl', returns: ['doubled'] })).build();
const heads = pipeline('h').step(task(() => ({ side: 'H', only_heads: 1 }), { name: 'h1', returns: ['side', 'only_heads'] })).build();
const tails = pipeline('t').step(task(() => ({ side: 'T' }), { name: 't1', returns: ['side'] })).build();
const counter = pipeline('c').step(task(() => ({ stop: 'yes', flag: true }), { name: 'c1', returns: ['stop', 'flag'] })).build();

export const a = pipeline('a').step(gen)
  // @expect-error ✖ branch 'left': missing input 'model': no earlier step returns it and it is not a pipeline parameter
  .parallel('par', { left: branchNeedsModel, right: heads })
  .build();

export const b = pipeline('b').step(gen)
  // @expect-error ✖ map 'm': 'over' must name an array, but 'n' is a number
  .map('m', { over: 'n', as: 'chunk', branch: numChunk })
  .build();

export const c = pipeline('c').step(gen)
  // @expect-error map 'm' branch: input 'chunk' has an incompatible type
  .map('m', { over: 'chunks', as: 'chunk', branch: strChunk })
  .build();

export const d = pipeline('d').step(gen)
  // @expect-error ✖ conditional 'cond': 'on' names 'coin', which no earlier step returns and is not a pipeline parameter
  .conditional('cond', { on: 'coin', branches: { heads, tails } })
  .build();

export const e = pipeline('e').step(gen)
  .conditional('cond', { on: 'toss', branches: { heads, tails } })
  .step(task(({ side }: { side: string }) => ({ s: side }), { name: 'uses_side', returns: ['s'] }))
  // only 'heads' writes only_heads: after the conditional it may be absent (number | undefined)
  // @expect-error ✖ input 'only_heads' has an incompatible type: expected number, got number | undefined
  .step(task(({ only_heads }: { only_heads: number }) => ({ h: only_heads }), { name: 'uses_only_heads', returns: ['h'] }))
  .build();

export const f = pipeline('f').step(gen)
  // @expect-error ✖ loop 'lp': 'breakOn' must name a boolean the branch returns, but 'stop' is a string
  .loop('lp', { branch: counter, breakOn: 'stop', maxIterations: 3 })
  .build();

export const g = pipeline('g').step(gen)
  // @expect-error ✖ conditional 'c2': 'label' can be any string, which is not a branch name
  .conditional('c2', { on: 'label', branches: { heads, tails } })
  .build();

const tossOnlyHeads = task(() => ({ coin: 'heads' as 'heads' | 'tails' | 'edge' }), { name: 'coin', returns: ['coin'] });
export const h = pipeline('h').step(tossOnlyHeads)
  // @expect-error ✖ conditional 'c3': 'coin' can be 'edge', which is not a branch name
  .conditional('c3', { on: 'coin', branches: { heads, tails } })
  .build();

export const i = pipeline('i').params<{ side?: 'heads' | 'tails' }>()
  // @expect-error ✖ conditional 'c4': 'side' may be undefined (it is optional)
  .conditional('c4', { on: 'side', branches: { heads, tails } })
  .build();

const needsModelRecovery = pipeline('recover').params<{ model: string }>().step(needsModel).build();
export const j = pipeline('j').step(gen)
  // @expect-error ✖ onFailure: missing input 'model'
  .step(task(() => ({}), { name: 'risky' }), { onFailure: needsModelRecovery })
  .build();

export const k = pipeline('k').step(gen)
  // @expect-error ✖ onFailure: missing input 'model'
  .map('m', { over: 'chunks', as: 'chunk', branch: numChunk, onFailure: needsModelRecovery })
  .build();
