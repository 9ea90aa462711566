import * as path from 'node:path';
import { trace, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { job, pipeline, task } from '../../src/index';
import { configureTelemetryFromEnv, attributeValue } from '../../src/telemetry/otel';
import { inMemory } from '../helpers/memory-run';
import { ROOT, runnable, tmpDir } from '../helpers/cli';

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  expect(trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))).toBe(true);
});
afterAll(() => trace.disable());
beforeEach(() => exporter.reset());

const byName = (spans: ReadableSpan[], name: string) => {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span '${name}' in ${spans.map((x) => x.name).join(', ')}`);
  return s;
};
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('OpenTelemetry spans (in-memory exporter)', () => {
  it("a job's run span is named job:<name>, as in the original", async () => {
    await job(task(({ n }: { n: number }) => ({ twice: n * 2 }), { name: 'double', returns: ['twice'] }), { name: 'doubler' }).execute(inMemory({ runId: 'otel-job', params: { n: 2 } }));
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['attempt:double#1', 'job:doubler', 'task:double']);
    expect(byName(spans, 'job:doubler').attributes).toMatchObject({ pipeline_name: 'doubler', run_id: 'otel-job' });
  });

  it('a span per run, step and attempt (terminal nodes have none), nested as the run is, with the original names and attributes', async () => {
    let calls = 0;
    const flaky = task(
      ({ y }: { y: number[] }) => {
        if (++calls === 1) throw new Error('first call fails');
        return { total: y.reduce((a, b) => a + b, 0) };
      },
      { name: 'flaky', returns: ['total'], retry: { maxAttempts: 2 } },
    );
    const branch = pipeline('b').params<{ x: number }>().step(task(({ x }: { x: number }) => ({ y: x * 10 }), { name: 'times_ten', returns: ['y'] })).build();
    const p = pipeline('traced')
      .step(task(() => ({ xs: [1, 2] }), { name: 'xs', returns: ['xs'] }))
      .map('each', { over: 'xs', as: 'x', branch })
      .step(flaky)
      .build();
    await p.execute(inMemory({ runId: 'otel-1' }));
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(
      [
        'pipeline:traced',
        'task:xs',
        'attempt:xs#1',
        'task:each',
        'task:each.1.times_ten',
        'attempt:each.1.times_ten#1',
        'task:each.2.times_ten',
        'attempt:each.2.times_ten#1',
        'task:flaky',
        'attempt:flaky#1',
        'attempt:flaky#2',
      ].sort(),
    );
    const run = byName(spans, 'pipeline:traced');
    expect(run.attributes).toMatchObject({ pipeline_name: 'traced', run_id: 'otel-1', executor: 'local' });
    expect(run.events.map((e) => e.name)).toEqual(['Pipeline execution started', 'Pipeline completed']);
    expect(run.status.code).toBe(SpanStatusCode.OK);
    expect(parentOf(run)).toBeUndefined();
    // steps are children of the run; steps of an iteration children of their map step
    expect(parentOf(byName(spans, 'task:each'))).toBe(run.spanContext().spanId);
    expect(parentOf(byName(spans, 'task:each.2.times_ten'))).toBe(byName(spans, 'task:each').spanContext().spanId);
    const step = byName(spans, 'task:flaky');
    expect(step.attributes).toMatchObject({ task_name: 'flaky', task_type: 'task', run_id: 'otel-1', status: 'SUCCESS', attempts: 2 });
    expect(step.events.map((e) => e.name)).toEqual(['Task started', 'Task retrying', 'Task completed']);
    expect(step.events[2]!.attributes).toEqual({ status: 'success', 'output.total': '30' });
    const [a1, a2] = [byName(spans, 'attempt:flaky#1'), byName(spans, 'attempt:flaky#2')];
    expect([parentOf(a1), parentOf(a2)]).toEqual([step.spanContext().spanId, step.spanContext().spanId]);
    expect(a1.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Error: first call fails' });
    expect(a1.attributes).toMatchObject({ attempt_number: 1, status: 'FAIL', error_type: 'Error', 'input.y': '[10,20]' });
    expect(a2.attributes).toMatchObject({ attempt_number: 2, status: 'SUCCESS' });
    expect(typeof a2.attributes.cpu_seconds).toBe('number');
    expect(typeof a2.attributes.peak_rss_bytes).toBe('number');
    // the attempt spans carry the attempts' own times, inside their step's span
    const t = (hr: [number, number]) => hr[0] * 1e3 + hr[1] / 1e6;
    expect(t(a1.startTime)).toBeLessThanOrEqual(t(a2.startTime));
  });

  it('a failed run: the step and the run spans have an error status and say why', async () => {
    const p = pipeline('broken').step(task(() => { throw new Error('x'.repeat(300)); }, { name: 'explode' })).build();
    await expect(p.execute(inMemory({ runId: 'otel-2' }))).rejects.toThrow();
    const spans = exporter.getFinishedSpans();
    const run = byName(spans, 'pipeline:broken');
    expect(run.status.code).toBe(SpanStatusCode.ERROR);
    expect(run.events.map((e) => e.name)).toEqual(['Pipeline execution started', 'Pipeline failed']);
    const step = byName(spans, 'task:explode');
    expect(step.events.at(-1)!.name).toBe('Task failed');
    const error = step.events.at(-1)!.attributes!.error as string;
    expect(error).toHaveLength(256);
    expect(error.endsWith('...')).toBe(true);
  });

  it('values become JSON strings of at most 256 characters', () => {
    expect(attributeValue({ a: 1 })).toBe('{"a":1}');
    expect(attributeValue('plain')).toBe('plain');
    expect(attributeValue('y'.repeat(300))).toBe(`${'y'.repeat(253)}...`);
  });
});

describe('environment switches', () => {
  it('without the SDK installed, RUNNABLE_TELEMETRY_CONSOLE warns with the package to install', () => {
    const warnings: string[] = [];
    const missing = (id: string) => {
      throw new Error(`Cannot find module '${id}'`);
    };
    expect(configureTelemetryFromEnv({ RUNNABLE_TELEMETRY_CONSOLE: 'true' }, (m) => warnings.push(m), missing)).toBeUndefined();
    expect(warnings).toEqual(['RUNNABLE_TELEMETRY_CONSOLE is set but the OpenTelemetry SDK is not installed: npm install @opentelemetry/sdk-trace-base. No spans are exported.']);
  });

  it('RUNNABLE_TELEMETRY_CONSOLE=true prints the spans of a real run (SDK installed)', async () => {
    const out = await runnable(['run', path.join(ROOT, 'examples/10-loop/loop.ts'), '--run-id', 'otel-console'], { cwd: tmpDir(), env: { RUNNABLE_TELEMETRY_CONSOLE: 'true' } });
    expect(out.code).toBe(0);
    for (const name of ['pipeline:loop', 'task:counter_loop', 'task:counter_loop.2.improve', 'attempt:counter_loop.2.improve#1', 'task:validate']) expect(out.stdout).toContain(`name: '${name}'`);
    expect(out.stdout).toContain("run_id: 'otel-console'");
  });
});
