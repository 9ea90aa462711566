/**
 * Part F: the cost of run ownership. The same N-step run (file-system stores) with the owner record (take at the
 * start, unref'd heartbeat timer, release at the end) and without it (the same store with its owner methods made
 * no-ops), alternated, median of reps. Ownership is taken once per run, so its cost per step falls with N.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSystemCatalog, FileSystemRunLogStore } from '../src/index';
import type { RunOwner } from '../src/stores/run-log/store';
import { buildPipeline, stepFunctions, type V } from './steps';
import { collectGarbage, median, table } from './stats';

/** The file-system store without ownership: the baseline. */
class UnownedFileSystemStore extends FileSystemRunLogStore {
  override async acquireOwner(): Promise<RunOwner | undefined> {
    return undefined;
  }
  override async heartbeatOwner(): Promise<boolean> {
    return true;
  }
  override async releaseOwner(): Promise<void> {}
}

export interface OwnershipBenchResult {
  n: number;
  reps: number;
  withMs: number;
  withoutMs: number;
  ratio: number;
  usPerStep: number;
}

export async function ownershipBench(cfg: { tmpRoot: string; n: number; reps: number }): Promise<OwnershipBenchResult> {
  const p = buildPipeline(stepFunctions(cfg.n), 'fn');
  const once = async (owned: boolean): Promise<number> => {
    const dir = fs.mkdtempSync(path.join(cfg.tmpRoot, 'rts-bench-own-'));
    const log_folder = path.join(dir, 'run-logs');
    const runLogStore = owned ? new FileSystemRunLogStore({ log_folder }) : new UnownedFileSystemStore({ log_folder });
    const catalog = new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog') });
    collectGarbage();
    const t0 = performance.now();
    const r = await p.execute({ runLogStore, catalog, quiet: true, runId: 'own-bench', env: {} });
    const ms = performance.now() - t0;
    if (r.status !== 'SUCCESS' || (r.runLog.parameters.v?.value as V).i !== cfg.n - 1) throw new Error('bench: ownership run failed');
    fs.rmSync(dir, { recursive: true, force: true });
    return ms;
  };
  await once(true); // warm-up
  await once(false);
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  for (let i = 0; i < cfg.reps; i++) {
    // alternate the order so drift in machine load hits both sides alike
    if (i % 2) {
      withMs.push(await once(true));
      withoutMs.push(await once(false));
    } else {
      withoutMs.push(await once(false));
      withMs.push(await once(true));
    }
  }
  const w = median(withMs);
  const wo = median(withoutMs);
  return { n: cfg.n, reps: cfg.reps, withMs: w, withoutMs: wo, ratio: w / wo, usPerStep: ((w - wo) * 1000) / cfg.n };
}

export function formatOwnershipBench(r: OwnershipBenchResult): string {
  return [
    `K. Run ownership: ${r.n}-step run, file-system stores, with vs without the owner record (median of ${r.reps}, alternated)`,
    table(
      ['N', 'with owner ms', 'without ms', 'ratio', 'extra µs/step'],
      [[r.n, r.withMs.toFixed(1), r.withoutMs.toFixed(1), `${r.ratio.toFixed(3)}x`, r.usPerStep.toFixed(2)]],
    ),
  ].join('\n');
}
