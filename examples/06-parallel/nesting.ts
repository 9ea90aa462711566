/**
 * Composites nest in any combination: here a parallel whose first branch maps over items and whose second
 * branch is itself a parallel.
 *
 *   npx runnable run examples/06-parallel/nesting.ts
 */
import 'reflect-metadata';
import { pipeline, task } from 'runnable-ts';

const items = task(() => ({ items: ['a', 'b', 'c'] }), { name: 'items', returns: ['items'] });
const upper = pipeline('upper').params<{ item: string }>().step(task(({ item }: { item: string }) => ({ upper: item.toUpperCase() }), { name: 'upper', returns: ['upper'] })).build();
const mapBranch = pipeline('mapped').params<{ items: string[] }>().map('each', { over: 'items', as: 'item', branch: upper }).build();
const left = pipeline('left').step(task(() => ({ left: 1 }), { name: 'l', returns: ['left'] })).build();
const right = pipeline('right').step(task(() => ({ right: 2 }), { name: 'r', returns: ['right'] })).build();
const inner = pipeline('inner').parallel('inner_parallel', { left, right }).build();

const report = task(({ upper, left, right }: { upper: string[]; left: number; right: number }) => ({ report: `${upper.join('')} ${left + right}` }), {
  name: 'report',
  returns: ['report'],
});

export default pipeline('nesting').step(items).parallel('nested_parallel', { mapped: mapBranch, inner }).step(report).build();
