// Issue 12, part 4: jobs are typed by their task: parameters are the task's inputs, the result is a RunResult typed by its returns.
import 'reflect-metadata';
import { expectTypeOf } from 'expect-type';
import { z } from 'zod';
import { Task, job, metric, shell, task, type Job, type RunResult } from 'runnable-ts';

@Task({ name: 'train', returns: [metric('score')] })
class Train {
  run({ n_estimators, learning_rate = 0.1 }: { n_estimators: number; learning_rate?: number }) {
    return { score: n_estimators * learning_rate };
  }
}

const trainJob = job(Train, { name: 'nightly-train', defaults: { learning_rate: 0.05 }, retry: { maxAttempts: 2 } });
export const typed: Job<{ n_estimators: number; learning_rate?: number }, { score: number }> = trainJob;
expectTypeOf(trainJob.execute({ params: { n_estimators: 50 } })).toEqualTypeOf<Promise<RunResult<{ score: number }>>>();
// every parameter may come from the parameters file or the environment instead
export const fromEnv = trainJob.execute();

const hello = task(({ who }: { who: string }) => ({ greeting: `hello ${who}` }), { name: 'hello', returns: ['greeting'] });
export const helloRun = job(hello).execute({ params: { who: 'ada' }, runId: 'hello-1', tag: 'demo' });

// a shell command and a task without inputs make jobs too
export const shellJob = job(shell('echo hi', { name: 'echo' }));
export const noInputs = job(task(() => ({ n: 1 }), { name: 'one', returns: ['n'] }));
export const noParams = noInputs.execute({ quiet: true });

// a params schema: its input types execute({ params }), its output gives the task its inputs (coerced, defaulted)
const trainSchema = z.object({ n_estimators: z.coerce.number().int().positive(), learning_rate: z.number().default(0.1) });
const validated = job(Train, { params: trainSchema });
export const schemaTyped: Job<{ n_estimators: unknown; learning_rate?: number | undefined }, { score: number }> = validated;
export const schemaRun = validated.execute({ params: { n_estimators: '50' } });
