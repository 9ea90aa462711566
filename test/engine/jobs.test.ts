/**
 * job(X) from code: a one-step run with the task's inputs as parameters, marked `run_config.kind: "job"`; a failed
 * job rejects (unlike the Python original, whose failed SDK job returns None); definition errors name the fix.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DoNothingSecretsManager, ExecutionFailedError, LocalExecutor, MemoryCatalog, MemoryRunLogStore, PipelineDefinitionError, Task, job, metric, pipeline, stub, task } from 'runnable-ts';
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
