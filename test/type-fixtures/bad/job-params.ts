// Issue 12, part 4: a job's parameters are its task's inputs, so execute({ params }) is type-checked against them,
// and job() refuses a task whose inputs cannot be parameters (not JSON-like) or a pipeline.
import 'reflect-metadata';
import { z } from 'zod';
import { Task, job, pipeline, task } from 'runnable-ts';

@Task({ name: 'train', returns: ['score'] })
class Train {
  run({ n_estimators, learning_rate = 0.1 }: { n_estimators: number; learning_rate?: number }) {
    return { score: n_estimators * learning_rate };
  }
}
const trainJob = job(Train);

// a parameter of the wrong type
// @expect-error Type 'string' is not assignable to type 'number'
export const wrongType = trainJob.execute({ params: { n_estimators: '50' } });

// a misspelled parameter
// @expect-error 'n_estimator' does not exist
export const misspelled = trainJob.execute({ params: { n_estimator: 50 } });

// defaults are checked too
// @expect-error Type 'boolean' is not assignable to type 'number'
export const badDefault = job(Train, { defaults: { learning_rate: true } });

// a task input that no parameters file or environment variable can give
const useModel = task(({ model }: { model: Map<string, number> }) => ({ size: model.size }), { name: 'use_model', returns: ['size'] });
// @expect-error ✖ parameter 'model' is a Map or Set (use a plain object or an array): parameters come from a JSON/YAML parameters file
export const notJson = job(useModel);

// a pipeline is not a job
const p = pipeline('p').step(task(() => ({ x: 1 }), { name: 'x', returns: ['x'] })).build();
// @expect-error ✖ job() takes one task (a @Task class, task(), shell() or stub()), not a pipeline
export const notATask = job(p);

// a params schema must give the task its inputs: a missing one, and one of the wrong type
// @expect-error ✖ job(): the params schema's output does not give the task its inputs: each input needs a property of the same name and a type it accepts (missing: n_estimators)
export const schemaMissing = job(Train, { params: z.object({ learning_rate: z.number() }) });
// @expect-error ✖ job(): the params schema's output does not give the task its inputs: each input needs a property of the same name and a type it accepts (a type differs)
export const schemaWrongType = job(Train, { params: z.object({ n_estimators: z.string() }) });
// execute({ params }) is typed by the schema's input
// @expect-error Type 'boolean' is not assignable to type 'number'
export const schemaBadParam = job(Train, { params: z.object({ n_estimators: z.number(), learning_rate: z.number().optional() }) }).execute({ params: { n_estimators: 1, learning_rate: true } });
