/**
 * A retry keeps the original run's parameters. When the pipeline's parameters changed since (a new default, a new
 * required name, a schema that refuses the old values or fills in a new one), the failed steps would not get what a
 * fresh run gives them: the retry is refused, naming the parameter, and the run log is left as it was.
 */
import { z } from 'zod';
import { pipeline, task, RetryValidationError, type Pipeline } from '../../src/index';
import { inMemory } from '../helpers/memory-run';

let broken = true;
const reads = task(({ n, m }: { n: number; m?: number }) => {
  if (broken) throw new Error('broken');
  return { total: n + (m ?? 0) };
}, { name: 'reads', returns: ['total'] });
const first = task(() => ({ seen: 1 }), { name: 'first', returns: ['seen'] });

/** Runs `before` until its second step fails, then retries with `after`: the retry's outcome or error. */
async function retryWith(before: Pipeline<any, any>, after: Pipeline<any, any>, params: Record<string, unknown>) {
  const opts = inMemory();
  broken = true;
  await before.execute({ ...opts, runId: 'r1', params }).catch(() => undefined);
  const logBefore = JSON.stringify(await opts.runLogStore.get('r1'));
  broken = false;
  const outcome = await after.execute({ ...opts, retryRunId: 'r1' }).then(
    (r) => ({ values: r.values as Record<string, unknown> }),
    (err: unknown) => ({ err }),
  );
  const logAfter = JSON.stringify(await opts.runLogStore.get('r1'));
  return { ...outcome, logUnchanged: logBefore === logAfter };
}

describe('a retry re-checks the original parameters against the pipeline as it is now', () => {
  it('goes ahead when nothing about the parameters changed (schema and defaults forms)', async () => {
    const withSchema = () => pipeline('s').params(z.object({ n: z.coerce.number(), m: z.number().default(2) })).step(first).step(reads).build();
    const r = await retryWith(withSchema(), withSchema(), { n: '3' });
    expect(r).toMatchObject({ values: { total: 5 } });
    const withDefaults = () => pipeline('d').params<{ n?: number; m?: number }, 'n' | 'm'>({ n: 1, m: 4 }).step(first).step(reads).build();
    expect(await retryWith(withDefaults(), withDefaults(), {})).toMatchObject({ values: { total: 5 } });
  });

  it('refuses a new default, a new required name, a value the schema now refuses and a new schema default, and changes nothing', async () => {
    const base = pipeline('p').params<{ n: number }>({ n: 1 }).step(first).step(reads).build();
    const cases: [Pipeline<any, any>, RegExp][] = [
      [pipeline('p').params<{ n: number; m?: number }, 'm'>({ n: 1, m: 5 }).step(first).step(reads).build(), /'m' now has a default \(5\) that the run did not have/],
      [pipeline('p').params<{ n?: number; m?: number }, 'n'>({ n: 1 }, { required: ['m'] }).step(first).step(reads).build(), /'m' is now required and the run did not have it/],
      [pipeline('p').params(z.object({ n: z.number().max(0) })).step(first).step(reads).build(), /'n': .*(0|small|less)/i],
      [pipeline('p').params(z.object({ n: z.number(), m: z.number().default(7) })).step(first).step(reads).build(), /the schema now gives 'm' the value 7 that the run did not have/],
    ];
    for (const [after, message] of cases) {
      const r = await retryWith(base, after, {});
      expect('err' in r && r.err).toBeInstanceOf(RetryValidationError);
      const text = (r as { err: Error }).err.message;
      expect(text).toMatch(message);
      expect(text).toMatch(/^The parameters of run r1 no longer fit pipeline 'p': .*start a new run, or undo the parameter change\.$/);
      expect(r.logUnchanged).toBe(true);
    }
  });
});
