import { expect, test } from '@jest/globals';
import { runPipeline } from 'runnable-ts/testing';
import { Load, sumRows } from '__STEPS__';
import consumer from '__PIPELINE__';

test('one step, as a plain class and a plain function', () => {
  expect(new Load().run()).toEqual({ rows: [1, 2, 3, 4] });
  expect(sumRows({ rows: [1, 2], factor: 3 })).toEqual({ total: 9 });
});

test('the whole pipeline, in memory, with a typed mock', async () => {
  const run = await runPipeline(consumer, { params: { factor: 2 }, mock: { load: { outputs: { rows: [5, 5] } } } });
  expect(run.outputs.total).toBe(20);
  expect(run.step('load').mock).toBe(true);
});
