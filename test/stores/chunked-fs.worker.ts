/**
 * Child process for the chunked-fs concurrency tests (run with `node bin/run-ts.js <this file> <args>`).
 *
 *   write  <log_folder> <run_id> <branch> <steps> <barrier_dir>   writes its own branch of <step>: the branch log,
 *                                                                 <steps> steps (each PROCESSING, params, SUCCESS)
 *                                                                 and the branch status
 *   create <log_folder> <run_id> <barrier_dir>                    tries to create the run; prints `created` or `exists`
 *
 * Every worker first writes `<barrier_dir>/ready.<pid>` and waits for `<barrier_dir>/go`, so they all start together.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import { RunLogExistsError } from '../../src/errors';
import { newRunLog, stepLog } from '../../src/testing/contracts/run-log-store';

async function barrier(dir: string): Promise<void> {
  fs.writeFileSync(path.join(dir, `ready.${process.pid}`), '');
  const deadline = Date.now() + 60_000;
  while (!fs.existsSync(path.join(dir, 'go'))) {
    if (Date.now() > deadline) throw new Error('barrier: no go after 60s');
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function main(): Promise<void> {
  const [mode, folder, runId, ...rest] = process.argv.slice(2);
  const store = new ChunkedFsRunLogStore({ log_folder: folder });
  if (mode === 'create') {
    await barrier(rest[0]!);
    try {
      await store.create(newRunLog(runId!));
      process.stdout.write('created');
    } catch (err) {
      if (!(err instanceof RunLogExistsError)) throw err;
      process.stdout.write('exists');
    }
    return;
  }
  if (mode === 'write') {
    const [branch, count, barrierDir] = rest as [string, string, string];
    await barrier(barrierDir);
    await store.apply(runId!, [{ op: 'branch', branch: { internal_name: branch, status: 'PROCESSING', parameters: {} } }]);
    for (let i = 0; i < Number(count); i++) {
      const name = `${branch}.s${i}`;
      await store.apply(runId!, [{ op: 'step', step: stepLog(name, 'PROCESSING') }]);
      await store.apply(runId!, [
        { op: 'params', branch, params: { [`p${i}`]: { kind: 'json', value: i, description: String(i) } } },
        { op: 'step', step: stepLog(name, 'SUCCESS') },
      ]);
    }
    await store.apply(runId!, [{ op: 'status', branch, status: 'SUCCESS' }]);
    await store.close(runId!);
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err));
  process.exit(1);
});
