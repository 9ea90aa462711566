/**
 * Parameters checked by a schema (zod here; valibot, arktype or any Standard Schema work the same way). The steps
 * see the schema's output types; every run validates and coerces the values from --params, RUNNABLE_PRM_<name> and
 * execute({ params }) before any step runs, and reports every problem at once.
 *
 *   npx runnable run examples/03-parameters/schema-parameters.ts --params examples/03-parameters/schema-parameters.yaml
 *   RUNNABLE_PRM_TEST_SIZE=0.3 npx runnable run examples/03-parameters/schema-parameters.ts --params examples/03-parameters/schema-parameters.yaml
 */
import 'reflect-metadata';
import { z } from 'zod';
import { pipeline, task, metric } from 'runnable-ts';

export const Params = z.object({
  test_size: z.number().gt(0).lt(1).default(0.2),
  n_estimators: z.number().int().min(1),
  model: z.enum(['forest', 'linear']).default('forest'),
});

const split = task(
  ({ test_size }: { test_size: number }) => {
    const rows = 1000;
    return { train_rows: Math.round(rows * (1 - test_size)), test_rows: Math.round(rows * test_size) };
  },
  { name: 'split', returns: ['train_rows', 'test_rows'] },
);

const train = task(
  ({ train_rows, n_estimators, model }: { train_rows: number; n_estimators: number; model: 'forest' | 'linear' }) => ({
    accuracy: Math.min(0.99, (model === 'forest' ? 0.8 : 0.7) + n_estimators / 1000 + train_rows / 100000),
  }),
  { name: 'train', returns: [metric('accuracy')] },
);

export default pipeline('schema-parameters').params(Params).step(split).step(train).build();
