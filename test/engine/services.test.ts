import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inject } from 'tsyringe';
import { ExecutionFailedError, MemoryCatalog, MemoryRunLogStore, SECRETS, SilentReporter, Task, listRuns, pipeline, shell, task, metric, type SecretsManager } from '../../src/index';
import { DotenvSecretsManager, EnvSecretsManager } from '../../src/stores/secrets/secrets';
import { summarizeRun } from '../../src/engine/runs';
import { LocalExecutor } from '../../src/executors/local';

const base = () => ({ runLogStore: new MemoryRunLogStore(), catalog: new MemoryCatalog(), executor: new LocalExecutor(), reporter: new SilentReporter(), env: {} });

describe('secrets', () => {
  it('are given to the step as environment variables and through the injected manager, then removed', async () => {
    @Task({ name: 'uses_secret', secrets: ['API_KEY'], returns: ['len', 'same'] })
    class UsesSecret {
      constructor(@inject(SECRETS) private readonly secrets: SecretsManager) {}
      run() {
        return { len: process.env.API_KEY!.length, same: this.secrets.get('API_KEY') === process.env.API_KEY };
      }
    }
    delete process.env.API_KEY;
    const r = await pipeline().step(UsesSecret).build().execute({ ...base(), secrets: new EnvSecretsManager({ API_KEY: 's3cr3t-value' }) });
    expect(r.runLog.parameters.len!.value).toBe(12);
    expect(r.runLog.parameters.same!.value).toBe(true);
    expect(process.env.API_KEY).toBeUndefined();
    expect(JSON.stringify(r.runLog)).not.toContain('s3cr3t-value');
  });

  it('a missing secret fails the step naming it; values never appear in messages', async () => {
    const leaks = task(
      () => {
        throw new Error(`token ${process.env.TOKEN} rejected`);
      },
      { name: 'leaks', secrets: ['TOKEN'] },
    );
    const err = (await pipeline().step(leaks).build().execute({ ...base(), secrets: new EnvSecretsManager({ TOKEN: 'hunter2-abc' }) }).catch((e) => e)) as ExecutionFailedError;
    expect(err.runLog!.steps.leaks!.attempts[0]!.message).toBe('Error: token *** rejected');
    expect(err.message).not.toContain('hunter2');

    const missing = task(() => ({}), { name: 'needs', secrets: ['NOPE'] });
    const err2 = (await pipeline().step(missing).build().execute({ ...base(), secrets: new EnvSecretsManager({}) }).catch((e) => e)) as ExecutionFailedError;
    expect(err2.runLog!.steps.needs!.attempts[0]!.message).toMatch(/SecretNotFoundError: No secret found by name: NOPE in environment variables/);
  });

  it('a secret is visible only to the step that declared it, even with other steps running at the same time', async () => {
    const holder = pipeline('holder').step(task(async () => {
      await new Promise((r) => setTimeout(r, 60));
      return { had: process.env.API_KEY === 'only-for-holder' };
    }, { name: 'holder', secrets: ['API_KEY'], returns: ['had'] })).build();
    const snoop = pipeline('snoop').step(task(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { saw: process.env.API_KEY ?? 'nothing', keys: Object.keys(process.env).includes('API_KEY') };
    }, { name: 'snoop', returns: ['saw', 'keys'] })).step(shell('sleep 0.05; export shell_saw="${API_KEY:-nothing}"', { name: 'snoop_shell', returns: ['shell_saw'] })).build();
    const r = await pipeline('p').parallel('par', { holder, snoop }).build().execute({ ...base(), secrets: new EnvSecretsManager({ API_KEY: 'only-for-holder' }) });
    expect(r.runLog.parameters.had!.value).toBe(true);
    expect(r.runLog.parameters.saw!.value).toBe('nothing');
    expect(r.runLog.parameters.keys!.value).toBe(false);
    expect(r.runLog.parameters.shell_saw!.value).toBe('nothing');
    expect(process.env.API_KEY).toBeUndefined();
  });

  it('dotenv reads the file (comments, quotes, export prefixes)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-env-'));
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, '# comment\nexport A=1\nB="two words"\n');
    const m = new DotenvSecretsManager({ location: file });
    expect(m.get('A')).toBe('1');
    expect(m.get('B')).toBe('two words');
    expect(() => m.get('C')).toThrow(/No secret found by name: C in .*\.env/);
  });
});

describe('listRuns', () => {
  it('lists runs newest first with status, tag, duration, parameters and metrics; filters by tag/status/limit', async () => {
    const opts = base();
    const score = task(({ n = 1 }: { n?: number }) => ({ acc: n / 10 }), { name: 'score', returns: [metric('acc')] });
    const p = pipeline('exp').params<{ n?: number }>().step(score).build();
    for (const n of [3, 5, 8]) await p.execute({ ...opts, params: { n }, tag: n > 4 ? 'big' : 'small' });
    const bad = task(() => {
      throw new Error('x');
    }, { name: 'bad' });
    await pipeline('exp').step(bad).build().execute({ ...opts, tag: 'big' }).catch(() => undefined);

    const all = await listRuns(opts.runLogStore);
    expect(all).toHaveLength(4);
    const ok = await listRuns(opts.runLogStore, { status: 'SUCCESS' });
    expect(ok.map((r) => r.metrics.acc).sort()).toEqual([0.3, 0.5, 0.8]);
    expect(ok.every((r) => r.pipeline === 'exp' && typeof r.durationSeconds === 'number' && r.startTime)).toBe(true);
    expect(ok.find((r) => r.metrics.acc === 0.5)!.parameters).toEqual({ n: 5 });
    expect((await listRuns(opts.runLogStore, { tag: 'big' })).map((r) => r.status).sort()).toEqual(['FAIL', 'SUCCESS', 'SUCCESS']);
    expect(await listRuns(opts.runLogStore, { limit: 2 })).toHaveLength(2);
  });
});

describe('run duration', () => {
  it('counts the time steps ran, not the idle time between a failure and its retry', async () => {
    const attempt = (start: string, end: string) => ({ attempt_number: 1, start_time: start, end_time: end, status: 'SUCCESS' as const, message: '', input_parameters: {}, output_parameters: {}, user_defined_metrics: {}, retry_indicator: '', code_identities: [] });
    const step = (name: string, attempts: ReturnType<typeof attempt>[]) => ({ name, internal_name: name, status: 'SUCCESS' as const, step_type: 'task' as const, message: '', mock: false, attempts, branches: {}, data_catalog: [] });
    const s = summarizeRun({
      run_id: 'r', dag_hash: '', tag: '', status: 'SUCCESS', job: null, parameters: {}, run_config: {},
      steps: {
        a: step('a', [attempt('2026-01-01 10:00:00.000000', '2026-01-01 10:00:02.000000')]),
        // failed at 10:00:03, retried an hour later
        b: step('b', [attempt('2026-01-01 10:00:02.000000', '2026-01-01 10:00:03.000000'), attempt('2026-01-01 11:00:00.000000', '2026-01-01 11:00:01.500000')]),
        c: step('c', [attempt('2026-01-01 11:00:01.000000', '2026-01-01 11:00:02.000000')]), // overlaps b's retry
      },
    });
    expect(s.durationSeconds).toBe(5);
  });
});
