// Issue 10, part 2: parameters with a listed default are present for later steps, optional for a parent.
import { pipeline, task } from 'runnable-ts';

const needsN = task(({ n }: { n: number }) => ({ doubled: n * 2 }), { name: 'needs_n', returns: ['doubled'] });

// an optional parameter with a listed default is a number for later steps
export const withDefault = pipeline('a').params<{ n?: number; label: string }, 'n'>({ n: 3 }).step(needsN).build();

// a branch whose required parameter has a default: the parent need not provide it
const branch = pipeline('branch')
  .params<{ model: string }, 'model'>({ model: 'linear' })
  .step(task(({ model }: { model: string }) => ({ fitted: `${model}!` }), { name: 'fit', returns: ['fitted'] }))
  .build();
export const parent = pipeline('b')
  .step(task(() => ({ rows: 3 }), { name: 'load', returns: ['rows'] }))
  .parallel('fit_all', { main: branch })
  .step(task(({ fitted }: { fitted: string }) => ({ ok: fitted.length > 0 }), { name: 'check', returns: ['ok'] }))
  .build();

// a conditional on a defaulted parameter
const heads = pipeline('heads').step(task(() => ({ side: 'H' }), { name: 'h', returns: ['side'] })).build();
const tails = pipeline('tails').step(task(() => ({ side: 'T' }), { name: 't', returns: ['side'] })).build();
export const onDefault = pipeline('c')
  .params<{ coin?: 'heads' | 'tails' }, 'coin'>({ coin: 'heads' })
  .conditional('toss', { on: 'coin', branches: { heads, tails } })
  .build();

// JSON-like parameter types: nested plain objects, arrays, unions, null
export const jsonLike = pipeline('d')
  .params<{ grid: { depth: number[]; lr: number | null }; tags: string[]; mode: 'fast' | 'slow'; when?: string }>()
  .step(task(({ grid, tags }: { grid: { depth: number[] }; tags: string[] }) => ({ n: grid.depth.length + tags.length }), { name: 'count', returns: ['n'] }))
  .build();
