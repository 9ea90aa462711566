// How a user tests examples/testing/revenue.ts (docs/testing.md). Runs with the repo's jest.
import { runPipeline, PipelineFailedError } from 'runnable-ts/testing';
import revenue, { Total, type Order } from './revenue';

const orders: Order[] = [
  { id: 'a', amount: 10, currency: 'EUR' },
  { id: 'b', amount: 20, currency: 'USD' },
];

describe('revenue', () => {
  // One step: a class is just a class.
  it('totals EUR and converted USD amounts', () => {
    expect(new Total().run({ orders, usd_to_eur: 0.5 })).toEqual({ revenue_eur: 20, skipped: [] });
  });

  // The whole pipeline, in memory, with the API call replaced.
  it('runs end to end without the shop API', async () => {
    const run = await runPipeline(revenue, {
      params: { since: '2026-01-01' },
      mock: { fetch_orders: ({ since }) => ({ orders: since.startsWith('2026') ? orders : [] }) },
    });
    expect(run.outputs.revenue_eur).toBe(28);
    expect(run.step('fetch_orders').mock).toBe(true);
    expect(run.step('total').outputs).toEqual({ revenue_eur: 28, skipped: [] });
    expect(run.runLog.steps.total!.attempts[0]!.user_defined_metrics.revenue_eur!.value).toBe(28);
  });

  // A failure is a rejected promise that names the step.
  it('fails at fetch_orders when the API is down', async () => {
    const failed = runPipeline(revenue, { params: { since: '2026-01-01' }, mock: { fetch_orders: { fail: 'the shop API answered 503' } } });
    await expect(failed).rejects.toThrow("step 'fetch_orders': PatchedFailure: the shop API answered 503");
    await expect(failed).rejects.toBeInstanceOf(PipelineFailedError);
  });
});
