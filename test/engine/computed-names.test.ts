/**
 * Tasks whose names and returns are computed at run time (made in a factory or a loop): the compiler cannot check
 * them (test/type-fixtures/ok/computed-names.ts), so the engine does, when the pipeline is built and when the step
 * returns.
 */
import { PipelineDefinitionError, ReturnsMismatchError, ExecutionFailedError, pipeline, task } from '../../src/index';
import { inMemory } from '../helpers/memory-run';

function trainer(dataset: string, returned = dataset) {
  return task(({ rows }: { rows: number }) => ({ [`model_${returned}`]: rows * dataset.length }), { name: `train_${dataset}`, returns: [`model_${dataset}`] });
}
const load = task(() => ({ rows: 10 }), { name: 'load', returns: ['rows'] });

describe('tasks with computed names', () => {
  it('run and are read by name downstream', async () => {
    const report = task(({ model_iris, model_wine }: { model_iris: number; model_wine: number }) => ({ total: model_iris + model_wine }), { name: 'report', returns: ['total'] });
    const r = await pipeline('by-dataset').step(load).step(trainer('iris')).step(trainer('wine')).step(report).build().execute(inMemory());
    expect(r.values).toMatchObject({ model_iris: 40, model_wine: 40, total: 80 });
  });

  it('a computed name used twice is refused when the pipeline is built; a return that is not the declared one fails the step', async () => {
    expect(() => pipeline('twice').step(load).step(trainer('iris')).step(trainer('iris'))).toThrow(PipelineDefinitionError);
    const opts = inMemory();
    const err = await pipeline('wrong').step(load).step(trainer('iris', 'wine')).build().execute(opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecutionFailedError);
    const log = await opts.runLogStore.get((err as ExecutionFailedError).runId);
    expect(log.steps.train_iris!.attempts[0]!.error_type).toBe(ReturnsMismatchError.name);
    expect(log.steps.train_iris!.attempts[0]!.message).toMatch(/model_iris/);
  });
});
