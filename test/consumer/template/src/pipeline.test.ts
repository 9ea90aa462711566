import { expect, test } from '@jest/globals';
import { MemoryCatalog, MemoryRunLogStore } from 'runnable-ts';
import { Load, sumRows } from '__STEPS__';
import consumer from '__PIPELINE__';

test('one step, as a plain class and a plain function', () => {
  expect(new Load().run()).toEqual({ rows: [1, 2, 3, 4] });
  expect(sumRows({ rows: [1, 2], factor: 3 })).toEqual({ total: 9 });
});

test('the whole pipeline, in memory', async () => {
  const result = await consumer.execute({ runLogStore: new MemoryRunLogStore(), catalog: new MemoryCatalog(), quiet: true, params: { factor: 2 } });
  expect(result.status).toBe('SUCCESS');
  expect(result.runLog.parameters['total']?.value).toBe(20);
});
