/**
 * A job whose parameters are validated by a schema (any Standard Schema: zod here, valibot, arktype...) before the
 * task runs: values from --params files and RUNNABLE_PRM_<name> are coerced and checked, and a bad one stops the
 * run before anything is recorded, naming the parameter and where it came from (docs/jobs.md).
 *
 *   RUNNABLE_PRM_n_estimators=20 npx runnable job examples/11-jobs/validated-job.ts    # trains 20 trees
 *   RUNNABLE_PRM_n_estimators=0 npx runnable job examples/11-jobs/validated-job.ts     # exit 2: must be >= 1
 *
 * The schema's output must give the task its inputs: a schema that misses `n_estimators`, or gives it as a string,
 * does not compile.
 */
import { z } from 'zod';
import { job } from 'runnable-ts';
import { Train } from './train-job';

const params = z.object({
  n_estimators: z.coerce.number().int().min(1).max(500),
  test_size: z.number().gt(0).lt(1).default(0.2),
  n_samples: z.number().int().min(50).default(400),
});

export default job(Train, { name: 'train-validated', params });
