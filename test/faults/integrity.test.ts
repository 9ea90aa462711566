/**
 * Part 4 of issue 9: what a run recorded is what is read back. Attack tests: a pickled value or a catalog file is
 * changed, truncated or deleted after the run, then retry, inspect, loadArtifact and verify must notice, naming the
 * artifact, the run and the expected vs found hash, and never compute with the altered data.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRunLog, runnable } from '../helpers/cli';
import { project } from './exits.helpers';
import { FileSystemCatalog, FileSystemRunLogStore, IntegrityError, loadArtifact, MemoryCatalog, MemoryRunLogStore, pickled, pipeline, task, type Catalog } from '../../src/index';

const PIPELINE = `
import * as fs from 'node:fs';
import { pipeline, task, pickled } from 'runnable-ts';

const produce = task(() => {
  fs.mkdirSync('out', { recursive: true });
  fs.writeFileSync('out/report.txt', 'the report\\n');
  return { data: { rows: [1, 2, 3] } };
}, { name: 'produce', returns: [pickled('data')], catalog: { put: ['out/report.txt'] } });

const consume = task(({ data }: { data: { rows: number[] } }) => {
  if (fs.readFileSync('flag.txt', 'utf8').trim() === 'fail') throw new Error('the flag says fail');
  return { total: data.rows.reduce((a, b) => a + b, 0), report: fs.readFileSync('out/report.txt', 'utf8') };
}, { name: 'consume', returns: ['total', 'report'], catalog: { get: ['out/report.txt'] } });

export default pipeline('integrity').step(produce).step(consume).build();
`;

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A project whose run `runId` failed at 'consume' (the flag), with produce's value and file in the catalog. */
async function failedRun(runId: string): Promise<{ cwd: string; value: string; file: string; valueHash: string; fileHash: string }> {
  const cwd = project({ 'p.ts': PIPELINE, 'flag.txt': 'fail' });
  const out = await runnable(['run', 'p.ts', '--run-id', runId], { cwd });
  expect(out.code).toBe(1);
  const log = readRunLog(cwd, runId);
  const param = log.steps.produce!.attempts[0]!.output_parameters.data!;
  const put = log.steps.produce!.data_catalog.find((e) => e.name === 'out/report.txt')!;
  fs.writeFileSync(path.join(cwd, 'flag.txt'), 'ok'); // "fix the code": a retry would now succeed
  return {
    cwd,
    value: path.join(cwd, '.catalog', param.catalog_relative_path!),
    file: path.join(cwd, '.catalog', runId, 'out/report.txt'),
    valueHash: param.data_hash!,
    fileHash: put.data_hash,
  };
}

describe('an untouched run verifies and retries', () => {
  it('runnable verify: exit 0, every artifact listed as matching; the retry succeeds', async () => {
    const { cwd } = await failedRun('clean');
    const verify = await runnable(['verify', 'clean'], { cwd });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^✅ 2 artifacts of run clean match the run log \(\.catalog\/clean\)\.$/m);
    const retry = await runnable(['retry', 'clean'], { cwd });
    expect(retry.code).toBe(0);
    expect(readRunLog(cwd, 'clean').parameters.total!.value).toBe(6);
  });
});

describe.each([
  ['changed', (f: string) => fs.writeFileSync(f, '{"json":{"rows":[100,200]}}')],
  ['truncated', (f: string) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2))],
])('a pickled value %s after the run', (how, tamper) => {
  let ctx: Awaited<ReturnType<typeof failedRun>>;
  const runId = `value-${how}`;
  beforeAll(async () => {
    ctx = await failedRun(runId);
    tamper(ctx.value);
  });

  it('retry: the step reading it fails with an IntegrityError naming artifact, run, expected and found hash; nothing is computed from it', async () => {
    const found = sha(fs.readFileSync(ctx.value));
    const out = await runnable(['retry', runId], { cwd: ctx.cwd });
    expect(out.code).toBe(1);
    const log = readRunLog(ctx.cwd, runId);
    const attempt = log.steps.consume!.attempts.at(-1)!;
    expect(attempt.attempt_number).toBe(2);
    expect(attempt.error_type).toBe('IntegrityError');
    expect(attempt.message).toBe(
      `IntegrityError: Artifact '${runId}/produce/data.superjson' of run '${runId}' does not match the run log (pickled value 'data'): ` +
        `expected SHA-256 ${ctx.valueHash}, found ${found}. It was changed or truncated after it was written; restore it, or start a new run ('runnable verify ${runId}' checks the whole run).`,
    );
    expect(log.parameters.total).toBeUndefined();
    expect(out.stdout).toContain(`expected SHA-256 ${ctx.valueHash}, found ${found}`);
  });

  it('inspect <run> data: exit 1 with the same error', async () => {
    const out = await runnable(['inspect', runId, 'data'], { cwd: ctx.cwd });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`error: Artifact '${runId}/produce/data.superjson' of run '${runId}' does not match the run log`);
    expect(out.stdout).toBe('');
  });

  it('loadArtifact rejects with an IntegrityError carrying both hashes', async () => {
    const options = {
      runLogStore: new FileSystemRunLogStore({ log_folder: path.join(ctx.cwd, '.run_log_store') }),
      catalog: new FileSystemCatalog({ catalog_location: path.join(ctx.cwd, '.catalog') }),
    };
    const err = await loadArtifact(runId, 'data', options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err).toMatchObject({ runId, artifact: `${runId}/produce/data.superjson`, expectedHash: ctx.valueHash, foundHash: sha(fs.readFileSync(ctx.value)) });
  });

  it('verify: exit 1, the value listed as changed', async () => {
    const out = await runnable(['verify', runId], { cwd: ctx.cwd });
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(`❌ changed   ${runId}/produce/data.superjson (put by step 'produce'): expected SHA-256 ${ctx.valueHash}, found ${sha(fs.readFileSync(ctx.value))}`);
    expect(out.stdout).toContain(`1 of 2 artifacts of run ${runId} do not match its run log`);
  });
});

describe('a pickled value deleted after the run', () => {
  it('retry, inspect and verify say it is missing, with the recorded hash', async () => {
    const ctx = await failedRun('value-deleted');
    fs.rmSync(ctx.value);
    const retry = await runnable(['retry', 'value-deleted'], { cwd: ctx.cwd });
    expect(retry.code).toBe(1);
    const attempt = readRunLog(ctx.cwd, 'value-deleted').steps.consume!.attempts.at(-1)!;
    expect(attempt.message).toBe(
      `IntegrityError: Artifact 'value-deleted/produce/data.superjson' of run 'value-deleted' is missing from the catalog (pickled value 'data'): ` +
        `the run log recorded it with SHA-256 ${ctx.valueHash}. It was deleted after it was written; restore it, or start a new run.`,
    );
    const inspect = await runnable(['inspect', 'value-deleted', 'data'], { cwd: ctx.cwd });
    expect(inspect.code).toBe(1);
    expect(inspect.stderr).toContain("is missing from the catalog (pickled value 'data')");
    const verify = await runnable(['verify', 'value-deleted', '--json'], { cwd: ctx.cwd });
    expect(verify.code).toBe(1);
    expect(JSON.parse(verify.stdout)).toEqual({
      runId: 'value-deleted',
      checked: 2,
      problems: [{ artifact: 'value-deleted/produce/data.superjson', problem: 'missing', expected: ctx.valueHash, step: 'produce' }],
    });
  });
});

describe('a catalog file changed after the run', () => {
  it('retry: catalog get fails the step with an IntegrityError (and removes the copy); inspect and verify report it', async () => {
    const ctx = await failedRun('file-changed');
    fs.writeFileSync(ctx.file, 'a forged report\n');
    const found = sha('a forged report\n');
    const retry = await runnable(['retry', 'file-changed'], { cwd: ctx.cwd });
    expect(retry.code).toBe(1);
    const attempt = readRunLog(ctx.cwd, 'file-changed').steps.consume!.attempts.at(-1)!;
    expect(attempt.message).toBe(
      `IntegrityError: Artifact 'file-changed/out/report.txt' of run 'file-changed' does not match the run log (catalog get of 'out/report.txt'): ` +
        `expected SHA-256 ${ctx.fileHash}, found ${found}. It was changed or truncated after it was written; restore it, or start a new run ('runnable verify file-changed' checks the whole run).`,
    );
    expect(fs.existsSync(path.join(ctx.cwd, 'out/report.txt'))).toBe(false);
    const inspect = await runnable(['inspect', 'file-changed', 'out/report.txt'], { cwd: ctx.cwd });
    expect(inspect.code).toBe(1);
    expect(inspect.stderr).toContain(`expected SHA-256 ${ctx.fileHash}, found ${found}`);
    const verify = await runnable(['verify', 'file-changed'], { cwd: ctx.cwd });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`❌ changed   file-changed/out/report.txt (put by step 'produce'): expected SHA-256 ${ctx.fileHash}, found ${found}`);
  });

  it('deleted: verify lists it as missing; truncated to nothing: verify lists it as changed', async () => {
    const ctx = await failedRun('file-gone');
    fs.rmSync(ctx.file);
    fs.truncateSync(ctx.value, 0);
    const verify = await runnable(['verify', 'file-gone'], { cwd: ctx.cwd });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`❌ missing   file-gone/out/report.txt (put by step 'produce', recorded SHA-256 ${ctx.fileHash})`);
    expect(verify.stdout).toContain(`❌ changed   file-gone/produce/data.superjson (put by step 'produce'): expected SHA-256 ${ctx.valueHash}, found ${sha('')}`);
    expect(verify.stdout).toContain('2 of 2 artifacts of run file-gone do not match its run log');
  });
});

describe('in-memory stores (async reads): the same checks', () => {
  it('a value changed in a catalog without synchronous reads fails the retried step that loads it, and loadArtifact', async () => {
    const store = new MemoryRunLogStore();
    const mem = new MemoryCatalog();
    // A catalog that only reads asynchronously: values are prefetched with loadValue before the step runs.
    const asyncOnly: Catalog = {
      type: 'async-memory',
      putObject: (r, p, d) => mem.putObject(r, p, d),
      getObject: (r, p) => mem.getObject(r, p),
      exists: (r, p) => mem.exists(r, p),
      putFile: (r, p, s, o) => mem.putFile(r, p, s, o),
      getFile: (r, p, d) => mem.getFile(r, p, d),
      list: (r) => mem.list(r),
      describe: (r) => mem.describe(r),
      config: () => mem.config(),
    };
    let fail = true;
    const p = pipeline('mem')
      .step(task(() => ({ v: [1, 2] }), { name: 'make', returns: [pickled('v')] }))
      .step(task(({ v }: { v: number[] }) => {
        if (fail) throw new Error('not yet');
        return { n: v.length };
      }, { name: 'use', returns: ['n'] }))
      .build();
    const services = { runLogStore: store, catalog: asyncOnly, quiet: true };
    await expect(p.execute({ ...services, runId: 'mem-1' })).rejects.toThrow('not yet');
    const rel = 'make/v.superjson';
    await mem.putObject('mem-1', rel, '{"json":[9,9,9]}');
    fail = false;
    await expect(p.execute({ ...services, retryRunId: 'mem-1' })).rejects.toThrow(`Artifact 'mem-1/${rel}' of run 'mem-1' does not match the run log`);
    const log = await store.get('mem-1');
    expect(log.steps.use!.attempts.map((a) => [a.attempt_number, a.error_type])).toEqual([
      [1, 'Error'],
      [2, 'IntegrityError'],
    ]);
    const err = await loadArtifact('mem-1', 'v', { runLogStore: store, catalog: asyncOnly }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err).toMatchObject({ runId: 'mem-1', artifact: `mem-1/${rel}`, foundHash: sha('{"json":[9,9,9]}') });
  });

  it('a step that catches the IntegrityError and carries on still fails: the bad value never yields a SUCCESS', async () => {
    const store = new MemoryRunLogStore();
    const mem = new MemoryCatalog();
    let fail = true;
    const p = pipeline('mem2')
      .step(task(() => ({ v: [1, 2] }), { name: 'make', returns: [pickled('v')] }))
      .step(task((input: { v: number[] }) => {
        if (fail) throw new Error('not yet');
        try {
          return { n: input.v.length };
        } catch {
          return { n: 0 };
        }
      }, { name: 'use', returns: ['n'] }))
      .build();
    const services = { runLogStore: store, catalog: mem, quiet: true };
    await expect(p.execute({ ...services, runId: 'mem-2' })).rejects.toThrow('not yet');
    await mem.putObject('mem-2', 'make/v.superjson', '{"json":[9,9,9]}');
    fail = false;
    await expect(p.execute({ ...services, retryRunId: 'mem-2' })).rejects.toThrow('IntegrityError');
    const log = await store.get('mem-2');
    expect(log.steps.use!.attempts.at(-1)!.error_type).toBe('IntegrityError');
    expect(log.parameters.n).toBeUndefined();
  });
});
