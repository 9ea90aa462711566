import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runnable, tmpDir } from '../helpers/cli';
import { FAULT_FIXTURES, FILE_STORES, openStore, startRunnable, startedFile, useStore, waitFor } from './ownership-helpers';

const PIPELINE = path.join(FAULT_FIXTURES, 'own-blocking.ts');
const SUM_1_TO_100 = 5050;
const calls = (cwd: string) => fs.readFileSync(path.join(cwd, 'calls.log'), 'utf8').trim().split('\n');

/** A run of own-blocking.ts that failed at `total` (flag.txt says fail); flag.txt then says ok. */
async function failedRun(store: (typeof FILE_STORES)[number], runId: string): Promise<string> {
  const cwd = tmpDir('rt-own-');
  useStore(cwd, store);
  fs.writeFileSync(path.join(cwd, 'flag.txt'), 'fail');
  const first = await runnable(['run', PIPELINE, '--run-id', runId], { cwd });
  expect(first.code).toBe(1);
  fs.writeFileSync(path.join(cwd, 'flag.txt'), 'ok');
  return cwd;
}

describe.each(FILE_STORES)('run ownership with real processes (%s store)', (storeType) => {
  it('two concurrent retries of one run: the second is refused with exit 2 naming the owner; the result is correct', async () => {
    const cwd = await failedRun(storeType, 'own-1');
    const a = startRunnable(['retry', 'own-1'], { cwd, env: { RUNNABLE_OWNER_HEARTBEAT_SECONDS: '0.2' } });
    const started = await waitFor(() => startedFile(cwd), 'the first retry to reach its step');
    const ownerPid = Number(started.split('.')[1]);
    expect(ownerPid).toBe(a.child.pid);

    const b = await runnable(['retry', 'own-1'], { cwd });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`error: Run own-1 is being executed by another process: retry (pid ${ownerPid} on host ${os.hostname()}, since `);
    // the other commands that execute a run are refused the same way
    const single = await runnable(['execute-single-node', 'own-1', PIPELINE, 'total'], { cwd });
    expect(single.code).toBe(2);
    expect(single.stderr).toContain(`pid ${ownerPid}`);
    const viaEnv = await runnable(['run', PIPELINE], { cwd, env: { RUNNABLE_RETRY_RUN_ID: 'own-1' } });
    expect(viaEnv.code).toBe(2);

    // the owner heartbeats while its step runs (0.2 s here)
    const store = openStore(cwd, storeType);
    const beat1 = (await store.getOwner('own-1'))!.heartbeat_at;
    await waitFor(() => fs.existsSync(cwd) && Date.now() > Date.parse(beat1) + 600, 'time to pass');
    expect(Date.parse((await store.getOwner('own-1'))!.heartbeat_at)).toBeGreaterThan(Date.parse(beat1));
    // while its owner lives, `runs` shows the run as running
    const listing = await runnable(['runs'], { cwd });
    expect(listing.stdout).toMatch(/own-1\s+\S+ PROCESSING\s/);
    expect(listing.stdout).not.toContain('owner gone');

    fs.writeFileSync(path.join(cwd, 'release'), '');
    const resultA = await a.done;
    expect(resultA.code).toBe(0);
    const log = await store.get('own-1');
    expect(log.status).toBe('SUCCESS');
    expect(log.parameters.sum!.value).toBe(SUM_1_TO_100);
    expect(log.steps.total!.attempts.map((t) => [t.attempt_number, t.status])).toEqual([
      [1, 'FAIL'],
      [2, 'SUCCESS'],
    ]);
    expect(calls(cwd)).toEqual(['numbers', 'total', 'total']); // the refused commands executed nothing
    expect(await store.getOwner('own-1')).toBeUndefined(); // released at the end
  });

  it('kill -9 of the owner: runs shows "PROCESSING (owner gone)", and a retry takes the run over, says so and finishes it', async () => {
    const cwd = await failedRun(storeType, 'own-2');
    const a = startRunnable(['retry', 'own-2'], { cwd });
    await waitFor(() => startedFile(cwd), 'the retry to reach its step');
    const pid = a.child.pid!;
    process.kill(pid, 'SIGKILL');
    await a.done;

    const listing = await runnable(['runs'], { cwd });
    expect(listing.stdout).toMatch(/own-2\s+\S+ PROCESSING \(owner gone\)/);

    fs.writeFileSync(path.join(cwd, 'release'), '');
    const b = await runnable(['retry', 'own-2'], { cwd });
    expect(b.code).toBe(0);
    expect(b.stderr).toContain(`Run own-2 was owned by retry (pid ${pid} on host ${os.hostname()}, since `);
    expect(b.stderr).toContain(`which is gone (process ${pid} is no longer running); taking it over.`);
    const log = await openStore(cwd, storeType).get('own-2');
    expect(log.status).toBe('SUCCESS');
    expect(log.parameters.sum!.value).toBe(SUM_1_TO_100);
    const attempts = log.steps.total!.attempts;
    expect(attempts.at(-1)!.status).toBe('SUCCESS');
    expect(attempts.map((t) => t.attempt_number)).toEqual(attempts.map((_, i) => i + 1));
    expect((await runnable(['runs'], { cwd })).stdout).toMatch(/own-2\s+\S+ SUCCESS/);
  });
});

describe('run ownership: refusals and messages', () => {
  it('a `run` killed with -9 is shown as owner gone and taken over by `retry`', async () => {
    const cwd = tmpDir('rt-own-');
    useStore(cwd, 'file-system');
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'ok');
    const a = startRunnable(['run', PIPELINE, '--run-id', 'own-3'], { cwd });
    await waitFor(() => startedFile(cwd), 'the run to reach its step');
    process.kill(a.child.pid!, 'SIGKILL');
    await a.done;
    fs.writeFileSync(path.join(cwd, 'release'), '');
    const b = await runnable(['retry', 'own-3'], { cwd });
    expect(b.code).toBe(0);
    expect(b.stderr).toContain(`Run own-3 was owned by run (pid ${a.child.pid} on host`);
    await expect(openStore(cwd, 'file-system').get('own-3')).resolves.toMatchObject({ status: 'SUCCESS' });
  });
});
