import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { MemoryCatalog, MemoryRunLogStore, pipeline, task } from '../../src/index';
import { RunOwnedError, ParameterError } from '../../src/errors';
import { acquireRun, ownerGoneReason, ownershipTiming } from '../../src/engine/ownership';
import { executeSingleNode } from '../../src/engine/run';
import { listRuns } from '../../src/engine/runs';
import type { RunOwner } from '../../src/stores/run-log/store';
import { SilentReporter } from '../../src/engine/reporter';
import { WarningsReporter } from '../helpers/warnings-reporter';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const foreign = (heartbeatAt: string): RunOwner => ({
  token: 'foreign',
  pid: 1,
  host: `not-${os.hostname()}`,
  command: 'retry',
  started_at: minutesAgo(30),
  heartbeat_at: heartbeatAt,
});
/** A pid that surely belongs to no process: one that just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}


describe('when an owner is gone', () => {
  const staleMs = 60_000;
  it('on this host: its pid decides (alive even with an old heartbeat, gone when dead)', () => {
    const here = { ...foreign(minutesAgo(10)), host: os.hostname(), pid: process.pid };
    expect(ownerGoneReason(here, staleMs)).toBeUndefined();
    const pid = deadPid();
    expect(ownerGoneReason({ ...here, pid }, staleMs)).toBe(`process ${pid} is no longer running`);
  });

  it('on this host after a reboot: a different boot id means gone, whatever the pid', () => {
    const here = { ...foreign(minutesAgo(0)), host: os.hostname(), pid: process.pid, boot_id: 'a-previous-boot' };
    const reason = ownerGoneReason(here, staleMs);
    // boot ids exist on Linux only; elsewhere the pid decides
    if (process.platform === 'linux') expect(reason).toBe('the machine restarted since');
    else expect(reason).toBeUndefined();
  });

  it('on another host: its heartbeat decides', () => {
    expect(ownerGoneReason(foreign(new Date().toISOString()), staleMs)).toBeUndefined();
    expect(ownerGoneReason(foreign(minutesAgo(5)), staleMs)).toMatch(/^no heartbeat for 30\d s \(stale after 60 s\)$/);
    expect(ownerGoneReason(foreign('not a date'), staleMs)).toMatch(/^no heartbeat for/);
  });

  it('heartbeat and staleness are configurable, and a wrong setting is a ParameterError naming it', () => {
    expect(ownershipTiming({})).toEqual({ heartbeatMs: 10_000, staleMs: 60_000 });
    expect(ownershipTiming({ RUNNABLE_OWNER_HEARTBEAT_SECONDS: '1', RUNNABLE_OWNER_STALE_SECONDS: '5' })).toEqual({ heartbeatMs: 1000, staleMs: 5000 });
    expect(() => ownershipTiming({ RUNNABLE_OWNER_HEARTBEAT_SECONDS: 'soon' })).toThrow(ParameterError);
    expect(() => ownershipTiming({ RUNNABLE_OWNER_HEARTBEAT_SECONDS: 'soon' })).toThrow(/RUNNABLE_OWNER_HEARTBEAT_SECONDS must be a positive number of seconds, got 'soon'/);
    expect(() => ownershipTiming({ RUNNABLE_OWNER_HEARTBEAT_SECONDS: '30', RUNNABLE_OWNER_STALE_SECONDS: '10' })).toThrow(/must be larger than/);
  });
});

describe('ownership in the engine (in memory)', () => {
  function failingPipeline() {
    let broken = true;
    const a = task(() => ({ v: 20 }), { name: 'a', returns: ['v'] });
    const b = task(({ v }: { v: number }) => {
      if (broken) throw new Error('broken');
      return { w: v + 1 };
    }, { name: 'b', returns: ['w'] });
    return { p: pipeline('own').step(a).step(b).build(), fix: () => (broken = false) };
  }

  it('a retry takes over an owner on another host whose heartbeat is stale, and says so', async () => {
    const { p, fix } = failingPipeline();
    const store = new MemoryRunLogStore();
    const reporter = new WarningsReporter();
    const opts = { runLogStore: store, catalog: new MemoryCatalog(), reporter, env: {} };
    await p.execute({ ...opts, runId: 'm-1' }).catch(() => undefined);
    await store.acquireOwner('m-1', foreign(minutesAgo(5)), () => true);
    fix();
    const r = await p.execute({ ...opts, retryRunId: 'm-1' });
    expect(r.runLog.parameters.w!.value).toBe(21);
    expect(reporter.warnings.join('\n')).toMatch(
      new RegExp(`Run m-1 was owned by retry \\(pid 1 on host not-${os.hostname()}, since .*\\), which is gone \\(no heartbeat for 30\\d s \\(stale after 60 s\\)\\); taking it over\\.`),
    );
    expect(await store.getOwner('m-1')).toBeUndefined();
  });

  it('a retry, and execute-single-node, are refused while an owner on another host heartbeats', async () => {
    const { p, fix } = failingPipeline();
    const store = new MemoryRunLogStore();
    const opts = { runLogStore: store, catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {} };
    await p.execute({ ...opts, runId: 'm-2' }).catch(() => undefined);
    await store.acquireOwner('m-2', foreign(new Date().toISOString()), () => true);
    fix();
    await expect(p.execute({ ...opts, retryRunId: 'm-2' })).rejects.toBeInstanceOf(RunOwnedError);
    await expect(executeSingleNode(p, 'm-2', 'b', opts)).rejects.toThrow(/Run m-2 is being executed by another process: retry \(pid 1 on host not-/);
    expect((await store.get('m-2')).steps.b!.attempts).toHaveLength(1); // nothing ran
    expect((await store.getOwner('m-2'))?.token).toBe('foreign');
  });

  it('execute-single-node started by an executor for the owner (its token in RUNNABLE_RUN_OWNER_TOKEN) is not refused', async () => {
    const { p, fix } = failingPipeline();
    const store = new MemoryRunLogStore();
    const opts = { runLogStore: store, catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {} };
    await p.execute({ ...opts, runId: 'm-3' }).catch(() => undefined);
    const mine = await acquireRun(store, 'm-3', 'run', {});
    fix();
    const step = await executeSingleNode(p, 'm-3', 'b', { ...opts, env: { RUNNABLE_RUN_OWNER_TOKEN: mine.token } });
    expect(step.status).toBe('SUCCESS');
    expect((await store.getOwner('m-3'))?.token).toBe(mine.token); // still the owner's
    await mine.release();
    expect(await store.getOwner('m-3')).toBeUndefined();
  });

  it('two retries of one run started together in one process: exactly one executes', async () => {
    const { p, fix } = failingPipeline();
    const store = new MemoryRunLogStore();
    const opts = { runLogStore: store, catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {} };
    await p.execute({ ...opts, runId: 'm-4' }).catch(() => undefined);
    fix();
    const results = await Promise.allSettled([p.execute({ ...opts, retryRunId: 'm-4' }), p.execute({ ...opts, retryRunId: 'm-4' })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')!.reason).toBeInstanceOf(RunOwnedError);
    expect((await store.get('m-4')).steps.b!.attempts.map((a) => a.status)).toEqual(['FAIL', 'SUCCESS']);
  });

  it('listRuns marks a PROCESSING run without a live owner as ownerGone', async () => {
    const store = new MemoryRunLogStore();
    const base = { dag_hash: null, tag: '', steps: {}, job: null, parameters: {}, run_config: {} };
    await store.create({ ...base, run_id: 'crashed', status: 'PROCESSING' });
    await store.create({ ...base, run_id: 'running', status: 'PROCESSING' });
    await store.create({ ...base, run_id: 'failed', status: 'FAIL' });
    const held = await acquireRun(store, 'running', 'run', {});
    const runs = await listRuns(store);
    const byId = Object.fromEntries(runs.map((r) => [r.runId, r.ownerGone]));
    expect(byId).toEqual({ crashed: true, running: undefined, failed: undefined });
    await held.release();
  });
});
