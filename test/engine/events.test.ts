import { expectTypeOf } from 'expect-type';
import { ExecutionFailedError, pipeline, pickled, task, metric, Task, type PipelineEvent, type StepOut } from '../../src/index';
import { inMemory } from '../helpers/memory-run';

const load = task(() => ({ rows: [1, 2, 3] }), { name: 'load', returns: [pickled('rows')] });
const count = task(({ rows }: { rows: number[] }) => ({ n: rows.length }), { name: 'count', returns: [metric('n')] });

/** A streaming task: what it yields are events; what it returns are its returns. */
async function* generate({ n }: { n: number }) {
  for (let i = 0; i < n; i++) yield { type: 'chunk', text: `part ${i}` };
  return { text: 'part 0part 1part 2' };
}
const gen = task(generate, { name: 'generate', returns: ['text'] });

let flakyCalls = 0;
const flaky = task(
  () => {
    if (++flakyCalls < 2) throw new Error('not yet');
    return { ok: true };
  },
  { name: 'flaky', returns: ['ok'], retry: { maxAttempts: 2 } },
);

const strip = (events: PipelineEvent[]) => events.map(({ time: _t, ...e }) => ('seconds' in e ? { ...e, seconds: typeof e.seconds } : e));

describe('typed events: execute({ onEvent }) and pipeline.stream()', () => {
  it('an async-generator task: its return value is its returns (typed), what it yields arrives as task_event', async () => {
    expectTypeOf<StepOut<typeof gen>>().toEqualTypeOf<{ text: string }>();
    const p = pipeline('gen').step(load).step(count).step(gen).build();
    const events: PipelineEvent[] = [];
    const result = await p.execute(inMemory({ runId: 'ev-1', onEvent: (e) => events.push(e) }));
    expect(result.runLog.parameters.text!.value).toBe('part 0part 1part 2');
    expect(strip(events)).toEqual([
      { type: 'run_started', runId: 'ev-1', pipeline: 'gen', isRetry: false },
      { type: 'step_started', runId: 'ev-1', step: 'load' },
      { type: 'step_succeeded', runId: 'ev-1', step: 'load', attempt: 1, seconds: 'number', outputs: { rows: { pickled: 'rows', catalogPath: 'ev-1/load/rows.superjson' } } },
      { type: 'step_started', runId: 'ev-1', step: 'count' },
      { type: 'step_succeeded', runId: 'ev-1', step: 'count', attempt: 1, seconds: 'number', outputs: { n: 3 } },
      { type: 'step_started', runId: 'ev-1', step: 'generate' },
      { type: 'task_event', runId: 'ev-1', step: 'generate', event: { type: 'chunk', text: 'part 0' } },
      { type: 'task_event', runId: 'ev-1', step: 'generate', event: { type: 'chunk', text: 'part 1' } },
      { type: 'task_event', runId: 'ev-1', step: 'generate', event: { type: 'chunk', text: 'part 2' } },
      { type: 'step_succeeded', runId: 'ev-1', step: 'generate', attempt: 1, seconds: 'number', outputs: { text: 'part 0part 1part 2' } },
      { type: 'run_finished', runId: 'ev-1', status: 'SUCCESS', seconds: 'number', failedSteps: [] },
    ]);
    expect(events.every((e) => typeof e.time === 'number' && e.time > 0)).toBe(true);
  });

  it('a @Task class whose run() is an async generator streams too', async () => {
    @Task({ name: 'counter', returns: ['last'] })
    class Counter {
      async *run({ upto }: { upto: number }) {
        for (let i = 1; i <= upto; i++) yield i;
        return { last: upto };
      }
    }
    expectTypeOf<StepOut<typeof Counter>>().toEqualTypeOf<{ last: number }>();
    const p = pipeline('cls').params<{ upto: number }>().step(Counter).build();
    const yielded: unknown[] = [];
    const r = await p.execute(inMemory({ params: { upto: 3 }, onEvent: (e) => e.type === 'task_event' && yielded.push(e.event) }));
    expect(yielded).toEqual([1, 2, 3]);
    expect(r.runLog.parameters.last!.value).toBe(3);
  });

  it('stream(): events as they happen, retries and composites included; a failed run throws after the last event', async () => {
    flakyCalls = 0;
    const branch = pipeline('b').params<{ x: number }>().step(task(({ x }: { x: number }) => ({ y: x * 2 }), { name: 'double', returns: ['y'] })).build();
    const p = pipeline('s')
      .step(task(() => ({ xs: [1, 2] }), { name: 'xs', returns: ['xs'] }))
      .map('each', { over: 'xs', as: 'x', branch, concurrency: 1 })
      .step(flaky)
      .build();
    const seen: string[] = [];
    for await (const e of p.stream(inMemory({ runId: 'ev-2' }))) {
      expectTypeOf(e).toEqualTypeOf<PipelineEvent>();
      seen.push(`${e.type}${'step' in e ? ` ${e.step}` : ''}`);
    }
    expect(seen).toEqual([
      'run_started',
      'step_started xs',
      'step_succeeded xs',
      'step_started each',
      'step_started each.1.double',
      'step_succeeded each.1.double',
      'step_started each.2.double',
      'step_succeeded each.2.double',
      'step_succeeded each',
      'step_started flaky',
      'step_retrying flaky',
      'step_succeeded flaky',
      'run_finished',
    ]);

    const boom = pipeline('f').step(task(() => { throw new Error('boom'); }, { name: 'explode' })).build();
    const got: PipelineEvent[] = [];
    const consume = async () => {
      for await (const e of boom.stream(inMemory({ runId: 'ev-3' }))) got.push(e);
    };
    await expect(consume()).rejects.toBeInstanceOf(ExecutionFailedError);
    expect(got.map((e) => e.type)).toEqual(['run_started', 'step_started', 'step_failed', 'run_finished']);
    expect(got[2]).toMatchObject({ type: 'step_failed', step: 'explode', error: 'Error: boom' });
    expect(got[3]).toMatchObject({ type: 'run_finished', status: 'FAIL', failedSteps: [{ name: 'explode' }] });
  });

  it('an onEvent that throws is warned about and does not fail the run', async () => {
    const warnings: string[] = [];
    const reporter = { runStarted() {}, stepStarted() {}, stepSkipped() {}, attemptFailed() {}, stepFinished() {}, runFinished() {}, warn: (m: string) => warnings.push(m) };
    const p = pipeline('t').params<{ rows: number[] }>().step(count).build();
    const r = await p.execute(inMemory({ reporter, params: { rows: [1] }, onEvent: () => { throw new Error('listener bug'); } }));
    expect(r.status).toBe('SUCCESS');
    expect(warnings[0]).toBe("onEvent threw on a 'run_started' event (ignored): listener bug");
  });
});
