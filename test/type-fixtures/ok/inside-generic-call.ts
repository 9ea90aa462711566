// A pipeline built inside an argument of a generic call (`expect(() => pipeline()...)` in a test, a helper taking a
// builder) is typed as it is outside one. TypeScript 7 infers a call's type parameters also from the type its
// result is expected to have there: the builder's `name`/`terminate`/reducer type parameters must come from the
// options only (a step was once refused there as "step name 'load' is already used").
import { pipeline, task, type Pipeline } from 'runnable-ts';

declare function expectLike<T>(actual: T): { value: T };

function trainer(dataset: string) {
  return task(({ rows }: { rows: number }) => ({ [`model_${dataset}`]: rows }), { name: `train_${dataset}`, returns: [`model_${dataset}`] });
}
const load = task(() => ({ rows: 10, items: [1, 2] }), { name: 'load', returns: ['rows', 'items'] });
const double = pipeline('double').params<{ item: number }>().step(task(({ item }: { item: number }) => ({ twice: item * 2 }), { name: 'twice', returns: ['twice'] })).build();
const flip = pipeline('flip').params<{ i: number }>().step(task(({ i }: { i: number }) => ({ done: i > 1 }), { name: 'flip', returns: ['done'] })).build();

expectLike(() => pipeline('twice').step(load).step(trainer('iris')).step(trainer('iris')));
expectLike(pipeline('a').step(load).step(trainer('wine')).build());
expectLike(() => pipeline('named').step(load).step(trainer('x'), { name: 'first' }).step(trainer('x'), { name: 'second' }).build());
expectLike(() => pipeline('ends').step(load, { terminate: 'success' }).build());

const mapped = expectLike(pipeline('m').step(load).map('m', { over: 'items', as: 'item', branch: double }).build()).value;
export const arrays: Pipeline<{}, { rows: number; items: number[]; twice: number[] }, any> = mapped;
const reduced = expectLike(pipeline('r').step(load).map('m', { over: 'items', as: 'item', branch: double, reducer: { twice: (v) => v.length } }).build()).value;
export const counted: Pipeline<{}, { rows: number; items: number[]; twice: number }, any> = reduced;
const looped = expectLike(pipeline('l').step(load).loop('lp', { branch: flip, breakOn: 'done', maxIterations: 3, indexAs: 'i' }).build()).value;
export const done: Pipeline<{}, { rows: number; items: number[]; done: boolean }, any> = looped;
