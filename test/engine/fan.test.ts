/**
 * A run driven step by step from outside (one process per operation: `fan . out`, `execute-single-node
 * --one-attempt`, `fan <composite> out|in`, `fan <terminal> out`), as the Argo transpiler's pods do, ends with a
 * run log equivalent to a local run's: same steps, statuses, attempts, parameters, metrics, catalog hashes.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, readRunLog, runnable, tmpDir } from '../helpers/cli';
import { StepDriver } from '../helpers/step-driver';
import type { RunLog, StepLog } from '../../src/stores/run-log/types';
import { register } from '../../src/loader';
import { transpile, type Manifest } from '../../src/executors/argo/transpile';
import { parseArgoConfig } from '../../src/executors/argo/config';
import { initialParameters } from '../../src/engine/param-check';

const FILE = path.join(FIXTURES, 'fan-constructs.ts');
register();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mod = require(FILE) as Record<string, any>;

const dirs: string[] = [];
function dir(): string {
  const d = tmpDir('rt-fan-');
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** The parts of a run log that must match: no times, durations, resources or machine-specific values. */
function normalize(log: RunLog): unknown {
  const step = (s: StepLog): unknown => ({
    name: s.name,
    internal_name: s.internal_name,
    status: s.status,
    step_type: s.step_type,
    message: s.message,
    attempts: s.attempts.map((a) => ({
      attempt_number: a.attempt_number,
      status: a.status,
      message: a.message.split('\n')[0],
      input_parameters: a.input_parameters,
      output_parameters: a.output_parameters,
      user_defined_metrics: a.user_defined_metrics,
    })),
    data_catalog: s.data_catalog.map((c) => ({ name: c.name, data_hash: c.data_hash, stage: c.stage })),
    branches: Object.fromEntries(
      Object.entries(s.branches).map(([k, b]) => [k, { status: b.status, parameters: b.parameters, steps: Object.fromEntries(Object.entries(b.steps).map(([n, x]) => [n, step(x)])) }]),
    ),
  });
  return {
    run_id: log.run_id,
    status: log.status,
    dag_hash: log.dag_hash,
    parameters: log.parameters,
    steps: Object.fromEntries(Object.entries(log.steps).map(([n, s]) => [n, step(s)])),
    initial_parameters: log.run_config.initial_parameters,
    is_retry: log.run_config.is_retry,
  };
}

/**
 * Every command the driver ran is one the Argo manifest's pods run: the same words, with the manifest's
 * {{...}} placeholders standing for run ids, iteration keys and loop indexes (flags for files aside).
 */
function expectCommandsInManifest(commands: string[][], exportName: string): void {
  const m: Manifest = transpile({
    pipeline: mod[exportName],
    file: 'pipeline.ts',
    exportName,
    argo: parseArgoConfig({ defaults: { image: 'img:1' } }),
    config: {},
    initialParameters: initialParameters({ defaults: mod[exportName].defaults, env: {} }).params,
  });
  const strip = (words: string[]) => {
    const out: string[] = [];
    for (let i = 0; i < words.length; i++) {
      if (['--output', '--next-iteration-output', '--export', '--config'].includes(words[i]!)) i++;
      else out.push(words[i]!);
    }
    return out;
  };
  const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = (m.spec.templates as Manifest[])
    .filter((t) => t.container)
    .map((t) => new RegExp(`^${strip(t.container.command.slice(2)).map((w: string) => w.split(/\{\{[^}]+\}\}/).map(escape).join('[A-Za-z0-9_-]+')).join(' ')}$`));
  expect(patterns.some((p) => p.test('execute-single-node fan-1 pipeline.ts nowhere --one-attempt --cache-lookup'))).toBe(false);
  expect(commands.length).toBeGreaterThan(3);
  for (const c of commands) {
    const words = strip(c).map((w) => (w === FILE ? 'pipeline.ts' : w));
    const line = words.join(' ');
    expect([line, patterns.some((p) => p.test(line))]).toEqual([line, true]);
  }
}

async function localRun(exportName: string, runId: string, cwd: string, env: Record<string, string> = {}, retry = false): Promise<RunLog> {
  const args = retry ? ['retry', runId, '--file', FILE, '--export', exportName] : ['run', FILE, '--export', exportName, '--run-id', runId];
  const r = await runnable([...args, '--quiet'], { cwd, env });
  expect([0, 1]).toContain(r.code);
  return readRunLog(cwd, runId);
}

async function steppedRun(exportName: string, runId: string, cwd: string, env: Record<string, string> = {}): Promise<{ ok: boolean; log: RunLog; driver: StepDriver }> {
  const driver = new StepDriver(mod[exportName], FILE, exportName, runId, cwd, env);
  const ok = await driver.run();
  return { ok, log: readRunLog(cwd, runId), driver };
}

describe('fan-out / fan-in from outside the process', () => {
  it('every construct, a failing map item, then a resubmission that reruns only that item: same run log as local', async () => {
    const local = dir();
    const stepped = dir();
    const failedLocal = await localRun('constructs', 'fan-1', local, { FAIL_ITEM: 'b' });
    const failedStepped = await steppedRun('constructs', 'fan-1', stepped, { FAIL_ITEM: 'b' });
    expect(failedStepped.ok).toBe(false);
    expect(failedLocal.status).toBe('FAIL');
    expect(normalize(failedStepped.log)).toEqual(normalize(failedLocal));
    expect(failedStepped.log.steps.per_item!.message).toBe("1 of 3 iterations failed: 'per_item.b'");
    expectCommandsInManifest(failedStepped.driver.commands, 'constructs');

    const retriedLocal = await localRun('constructs', 'fan-1', local, {}, true);
    const retried = await steppedRun('constructs', 'fan-1', stepped, { RUNNABLE_RETRY_RUN_ID: 'fan-1' });
    expect(retried.ok).toBe(true);
    expect(retriedLocal.status).toBe('SUCCESS');
    expect(normalize(retried.log)).toEqual(normalize(retriedLocal));
    // only the failed item ran again: its step has two attempts, the others one
    const items = retried.log.steps.per_item!.branches;
    expect(items['per_item.a']!.steps['per_item.a.work']!.attempts).toHaveLength(1);
    expect(items['per_item.b']!.steps['per_item.b.work']!.attempts.map((a) => a.status)).toEqual(['FAIL', 'SUCCESS']);
    // the map was not re-opened for the items that had succeeded: its fan-out listed only 'b'
    const opened = retried.driver.commands.filter((c) => c[0] === 'execute-single-node').map((c) => c[3]);
    expect(opened).toContain('per_item.b.work');
    expect(opened).not.toContain('per_item.a.work');
    // the flaky step: one process per attempt, numbered like Argo's retries
    expect(retried.log.steps.flaky!.attempts.map((a) => [a.attempt_number, a.status])).toEqual([
      [1, 'FAIL'],
      [2, 'SUCCESS'],
    ]);
    expectCommandsInManifest(retried.driver.commands, 'constructs');
    expect(retried.log.parameters.summary!.value).toBe('aa,bb,cc H 2 3 [[1,4],[1,4],[1,4]]');
  }, 300_000);

  it('with the chunked-fs store, branches and map items in concurrent processes (as Argo pods run): same run log as local', async () => {
    const local = dir();
    const stepped = dir();
    for (const d of [local, stepped]) fs.writeFileSync(path.join(d, 'runnable.config.json'), JSON.stringify({ runLogStore: { type: 'chunked-fs' } }));
    const readChunked = async (cwd: string) => JSON.parse((await runnable(['inspect', 'fan-c', '--json'], { cwd })).stdout) as RunLog;
    expect((await runnable(['run', FILE, '--export', 'constructs', '--run-id', 'fan-c', '--quiet'], { cwd: local })).code).toBe(0);
    const driver = new StepDriver(mod.constructs, FILE, 'constructs', 'fan-c', stepped, {}, true);
    expect(await driver.run()).toBe(true);
    const a = await readChunked(local);
    const b = await readChunked(stepped);
    expect(b.status).toBe('SUCCESS');
    expect(normalize(b)).toEqual(normalize(a));
    expect(b.parameters.summary!.value).toBe('aa,bb,cc H 2 3 [[1,4],[1,4],[1,4]]');
  }, 300_000);

  it('onFailure, a conditional whose value matches no branch (a clean FAIL), odd map items and an empty map match local runs', async () => {
    for (const name of ['recovers', 'no_match', 'odd_items']) {
      const local = await localRun(name, `fan-${name}`, dir());
      const stepped = await steppedRun(name, `fan-${name}`, dir());
      expect(normalize(stepped.log)).toEqual(normalize(local));
      expectCommandsInManifest(stepped.driver.commands, name);
    }
    const odd = readRunLog(dirs.at(-1)!, 'fan-odd_items');
    expect(odd.status).toBe('SUCCESS');
    expect(odd.parameters.described!.value).toEqual(['object:{"a":1}', `string:${JSON.stringify(`it's "quoted" \\ {{item}}`)}`, 'number:3', 'boolean:true']);
    expect(odd.steps.each_nothing!.status).toBe('SUCCESS');
    expect(odd.parameters.none_described!.value).toEqual([]);
    const noMatch = readRunLog(dirs.at(-3)!, 'fan-no_match');
    expect(noMatch.status).toBe('FAIL');
    expect(noMatch.steps.toss!.message).toBe(`conditional 'toss': 'choice' is "edge", which matches none of the branches 'heads', 'tails'`);
  }, 120_000);
});
