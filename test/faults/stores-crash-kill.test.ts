import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRunLog, runnable, tmpDir } from '../helpers/cli';
import { FAULTS_SEED, FAULT_FIXTURES, FILE_STORES, HEAVY, openStore, startRunnable, useStore, type FileStore } from './ownership-helpers';
import { walkSteps } from '../../src/stores/run-log/document';
import { rng } from '../helpers/rng';

/*
 * kill -9 at random instants of a run (a chain, then a map with JSON, pickled and catalog outputs, then a sum),
 * again and again, on both file stores; after each kill the next attempt is a retry (or a new run when the kill
 * came before the run log existed). The final retry must finish the run with the correct sum, every step's
 * attempts numbered 1..n, and a run log that reads back (and validates against the schema on file-system).
 * CI: a few kills per store. `npm run test:faults` (RUNNABLE_FAULTS_HEAVY=1): many.
 */

const PIPELINE = path.join(FAULT_FIXTURES, 'own-crashy.ts');
const K = 24;
const EXPECTED = (K * (K + 1) * (2 * K + 1)) / 6;
/** kill -9 per store: CI a few, heavy many (spread over several runs of at most KILLS_PER_RUN kills each). */
const KILLS = HEAVY ? 150 : 3;
const KILLS_PER_RUN = HEAVY ? 6 : 3;


const figures: Record<string, { kills: number; killedMidRun: number; recovered: number; runs: number }> = {};
afterAll(() => {
  for (const [store, f] of Object.entries(figures)) {
    process.stdout.write(`stores-crash-kill [${store}] seed ${FAULTS_SEED}: ${f.kills} kill -9 (${f.killedMidRun} while the run was in progress), ${f.recovered}/${f.runs} runs recovered by retry with the correct result\n`);
  }
});

/** Runs the pipeline once without a kill: how long a process owns the run (the window kills are spread over). */
async function ownedMs(store: FileStore): Promise<number> {
  const cwd = tmpDir('rt-crash-');
  useStore(cwd, store);
  const s = openStore(cwd, store);
  const started = startRunnable(['run', PIPELINE, '--run-id', 'calibrate'], { cwd, env: { RUNNABLE_PRM_k: String(K) } });
  let exited = false;
  void started.done.then(() => (exited = true));
  while (!exited && !(await s.getOwner('calibrate').catch(() => undefined))) await new Promise((res) => setTimeout(res, 5));
  const t0 = Date.now();
  expect((await started.done).code).toBe(0);
  fs.rmSync(cwd, { recursive: true, force: true });
  return Math.max(200, Date.now() - t0);
}

describe.each(FILE_STORES)('kill -9 at random instants, then retry (%s store)', (store: FileStore) => {
  it(`${KILLS} kill(s), at most ${KILLS_PER_RUN} per run: each run's final retry produces the correct result`, async () => {
    const random = rng(FAULTS_SEED + (store === 'chunked-fs' ? 7 : 0));
    const f = (figures[store] = { kills: 0, killedMidRun: 0, recovered: 0, runs: 0 });
    // heavy: measured; CI: a fixed second (saves a whole run)
    const window = HEAVY ? await ownedMs(store) : 1000;
    for (let r = 0; f.kills < KILLS; r++) {
      const cwd = tmpDir('rt-crash-');
      useStore(cwd, store);
      const runId = `crash-${r}`;
      const s = openStore(cwd, store);
      const command = async () => ((await s.exists(runId)) ? ['retry', runId] : ['run', PIPELINE, '--run-id', runId]);
      for (let k = 0; k < KILLS_PER_RUN && f.kills < KILLS; k++) {
        const started = startRunnable(await command(), { cwd, env: { RUNNABLE_PRM_k: String(K) } });
        let exited = false;
        void started.done.then(() => (exited = true));
        // Most kills land while the process owns the run (it is executing steps), spread over the time a whole run
        // takes; one in five anywhere from the spawn on (start-up, before the run log exists, while taking over).
        const midRun = random() >= 0.2;
        if (midRun) {
          while (!exited && (await s.getOwner(runId).catch(() => undefined))?.pid !== started.child.pid) await new Promise((res) => setTimeout(res, 5));
        }
        await new Promise((res) => setTimeout(res, Math.floor(random() * (midRun ? window : window + 1500))));
        if (exited) break; // the run completed before the kill: nothing left to kill
        process.kill(started.child.pid!, 'SIGKILL');
        await started.done;
        f.kills++;
        if (midRun) f.killedMidRun++;
      }
      f.runs++;
      const last = await runnable(await command(), { cwd, env: { RUNNABLE_PRM_k: String(K) } });
      expect({ code: last.code, stderr: last.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      expect(last.stderr).not.toMatch(/TypeError|RangeError|NaN|corrupt/);

      const log = await s.get(runId);
      expect(log.status).toBe('SUCCESS');
      expect(log.parameters.total!.value).toBe(EXPECTED);
      const branches = Object.values(log.steps.each!.branches);
      expect(branches).toHaveLength(K);
      for (const b of branches) expect(b.status).toBe('SUCCESS');
      walkSteps(log.steps, (step) => {
        expect(step.attempts.map((a) => a.attempt_number)).toEqual(step.attempts.map((_, i) => i + 1));
      });
      expect(await s.getOwner(runId)).toBeUndefined();
      if (store === 'file-system') readRunLog(cwd, runId); // validates against the published schema
      // no temp file of an interrupted catalog write is left in the run's catalog
      const leftovers: string[] = [];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(path.join(d, e.name));
          else if (e.name.endsWith('.tmp')) leftovers.push(e.name);
        }
      };
      walk(path.join(cwd, '.catalog', runId));
      expect(leftovers).toEqual([]);
      f.recovered++;
      fs.rmSync(cwd, { recursive: true, force: true }); // verified: the heavy setting makes hundreds of these
    }
  }, HEAVY ? 60 * 60_000 : 180_000);
});
