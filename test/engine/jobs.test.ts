/**
 * job(X) from code: a one-step run with the task's inputs as parameters, marked `run_config.kind: "job"`; a failed
 * job rejects (unlike the Python original, whose failed SDK job returns None); definition errors name the fix.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { DoNothingSecretsManager, ExecutionFailedError, LocalExecutor, MemoryCatalog, MemoryRunLogStore, ParameterValidationError, PipelineDefinitionError, Task, job, metric, pipeline, stub, task } from 'runnable-ts';
import { assertValidRunLog } from '../helpers/run-log-schema';

@Task({ name: 'score', returns: [metric('score'), 'label'] })
class Score {
  run({ n, factor = 2, label }: { n: number; factor?: number; label: string }) {
    if (n < 0) throw new Error(`n must be positive, got ${n}`);
    return { score: n * factor, label: label.toUpperCase() };
  }
}

const services = () => ({ runLogStore: new MemoryRunLogStore(), catalog: new MemoryCatalog(), secrets: new DoNothingSecretsManager(), executor: new LocalExecutor(), quiet: true });

describe('job() from code', () => {
  it('runs the task with params given in code, defaults and the environment; records a one-step run of kind "job"', async () => {
    const scoring = job(Score, { name: 'scoring', defaults: { factor: 3 } });
    const r = await scoring.execute({ ...services(), params: { n: 4 }, env: { RUNNABLE_PRM_label: 'abc' }, runId: 'score-1' });
    assertValidRunLog(r.runLog);
    expect(r.status).toBe('SUCCESS');
    expect(Object.keys(r.runLog.steps)).toEqual(['score', 'success']);
    expect(r.runLog.run_config).toMatchObject({ kind: 'job', pipeline_name: 'scoring', parameter_sources: { n: 'api', factor: 'default', label: 'env:RUNNABLE_PRM_label' } });
    expect(r.runLog.parameters.score).toMatchObject({ kind: 'metric', value: 12 });
    expect(r.runLog.parameters.label!.value).toBe('ABC');
  });

  it('a failing job rejects with ExecutionFailedError carrying the run id; the run log says FAIL', async () => {
    const s = services();
    const err = await job(Score).execute({ ...s, params: { n: -1, label: 'x' }, runId: 'score-fail' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecutionFailedError);
    expect((err as ExecutionFailedError).runId).toBe('score-fail');
    const log = await s.runLogStore.get('score-fail');
    expect(log.status).toBe('FAIL');
    // the task's own error, after the note that it read 'factor', an optional input nothing provided
    expect(log.steps.score!.attempts[0]!.message).toMatch(/^it read 'factor', which no earlier step returned and no parameter provided .*Then: Error: n must be positive, got -1$/);
  });

  it('a pipeline run records kind "pipeline"', async () => {
    const r = await pipeline('p').step(stub('nothing')).build().execute({ ...services(), runId: 'p-1' });
    expect(r.runLog.run_config.kind).toBe('pipeline');
    expect(r.runLog.run_config.job_definition_file).toBeUndefined();
  });

  it('refuses catalog get, a pipeline and a non-task, saying why and what to do', () => {
    const reads = task(() => ({}), { name: 'reads', catalog: { get: ['data/*.csv'] } });
    expect(() => job(reads)).toThrow(PipelineDefinitionError);
    expect(() => job(reads)).toThrow(/job 'reads': catalog get is not supported for jobs .*A job is the only step of its run/);
    expect(() => job(Score, { catalog: { get: ['x.csv'] } })).toThrow(/catalog get is not supported for jobs/);
    const p = pipeline('p').step(stub('nothing')).build();
    // @ts-expect-error a pipeline is not a job (the compile-time message is pinned in test/type-fixtures/bad/job-params.ts)
    expect(() => job(p)).toThrow(/job\(\): pipeline 'p' is not a task\. A job is one task; run a pipeline with 'runnable run'\./);
    class Plain {
      run() {
        return {};
      }
    }
    expect(() => job(Plain)).toThrow(/job\(\): class Plain is not a task\. Decorate the class with @Task/);
  });

  it('catalog put stores the files the task writes (storeCopy false records only their hashes)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-job-put-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const write = task(() => (fs.writeFileSync('report.txt', 'ok'), {}), { name: 'write', catalog: { put: ['report.txt'] } });
      const s = services();
      const r = await job(write).execute({ ...s, runId: 'put-1' });
      expect(r.runLog.steps.write!.data_catalog.map((c) => [c.name, c.stage])).toEqual([['report.txt', 'put']]);
      expect(await s.catalog.list('put-1')).toContain('report.txt');
      const r2 = await job(write, { catalog: { put: ['report.txt'], storeCopy: false } }).execute({ ...services(), runId: 'put-2' });
      expect(r2.runLog.steps.write!.data_catalog[0]).toMatchObject({ name: 'report.txt', stored: false });
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('job(X, { params: schema })', () => {
  const schema = z.object({ n: z.coerce.number().int().nonnegative(), factor: z.number().default(5), label: z.string().min(1) });
  const scoring = job(Score, { name: 'scoring', params: schema });

  it('validates and coerces the parameters with the schema before the task runs; schema defaults are recorded as defaults', async () => {
    const r = await scoring.execute({ ...services(), params: { n: '4' }, env: { RUNNABLE_PRM_label: 'abc' }, runId: 'schema-ok' });
    expect(r.runLog.parameters.n!.value).toBe(4);
    expect(r.runLog.parameters.score).toMatchObject({ kind: 'metric', value: 20 });
    expect(r.runLog.run_config).toMatchObject({ kind: 'job', parameter_sources: { n: 'api', factor: 'default', label: 'env:RUNNABLE_PRM_label' } });
  });

  it('reports every invalid parameter with its source, names the job, and creates no run', async () => {
    const s = services();
    const err = await scoring.execute({ ...s, params: { n: -1 }, env: { RUNNABLE_PRM_label: '' }, runId: 'schema-bad' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParameterValidationError);
    const e = err as ParameterValidationError;
    expect(e.problems.map((p) => [p.name, p.source])).toEqual([
      ['n', 'execute({ params })'],
      ['label', 'RUNNABLE_PRM_label='],
    ]);
    expect(e.message).toMatch(/^2 parameters of job 'scoring' are not valid; nothing ran:/);
    expect(await s.runLogStore.list()).toEqual([]);
  });

  it('refuses a params option that is not a schema, and defaults beside a schema, naming the fix', () => {
    expect(() => job(Score, { params: { n: 1 } as never })).toThrow(PipelineDefinitionError);
    expect(() => job(Score, { params: { n: 1 } as never })).toThrow(/job 'score': params must be a Standard Schema .* give defaults with job\(X, \{ defaults/);
    expect(() => job(Score, { params: schema, defaults: { factor: 2 } })).toThrow(/job 'score': give defaults in the params schema \(e\.g\. z\.number\(\)\.default\(50\)\)/);
  });
});
