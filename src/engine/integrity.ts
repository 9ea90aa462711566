import * as path from 'node:path';
import { IntegrityError } from '../errors';
import { hashBytes, hashFile, type Catalog } from '../stores/catalog/catalog';
import { walkSteps } from '../stores/run-log/document';
import type { DataCatalog, RunLog } from '../stores/run-log/types';

/**
 * Every file a run stored in its catalog (pickled values and files of `catalog: { put }`) with the hash the run log
 * recorded for it: the last `put` of each path wins (a retried step puts again). Entries of `storeCopy: false` puts
 * are left out: nothing was copied, there is nothing to check.
 */
export function recordedFiles(log: RunLog): Map<string, DataCatalog> {
  const out = new Map<string, DataCatalog>();
  const add = (entries: readonly DataCatalog[]) => {
    for (const e of entries) if (e.stage === 'put' && e.stored !== false) out.set(stripRun(log.run_id, e.catalog_relative_path || e.name), e);
  };
  walkSteps(log.steps, (s) => add(s.data_catalog));
  if (log.job) add(log.job.data_catalog);
  return out;
}

/** A catalog path relative to its run's folder (`<run>/x/y` → `x/y`). */
export function stripRun(runId: string, rel: string): string {
  return rel.startsWith(`${runId}/`) ? rel.slice(runId.length + 1) : rel;
}

/** The hash of a stored catalog file by the run log's rule (hashFile), or undefined when it is missing. */
export async function storedHash(catalog: Catalog, runId: string, rel: string): Promise<string | undefined> {
  if (!(await catalog.exists(runId, rel).catch(() => false))) return undefined;
  if (catalog.localRoot !== undefined) return hashFile(path.join(catalog.localRoot, runId, rel));
  return hashBytes(await catalog.getObject(runId, rel));
}

/** Fails with an IntegrityError when the stored file is missing or differs from what the run log recorded. */
export async function verifyFile(catalog: Catalog, runId: string, rel: string, expected: string, where = ''): Promise<void> {
  const found = await storedHash(catalog, runId, rel);
  if (found !== expected) throw new IntegrityError(runId, `${runId}/${rel}`, expected, found, where);
}

export interface VerifyProblem {
  /** The catalog path, `<run_id>/<path>`. */
  artifact: string;
  problem: 'missing' | 'mismatch';
  expected: string;
  found?: string;
  /** The step that put it. */
  step: string;
}

export interface VerifyReport {
  runId: string;
  /** Files checked. */
  checked: number;
  problems: VerifyProblem[];
}

/** Checks every file the run log says the run stored against the catalog: present, and with the recorded hash. */
export async function verifyRun(log: RunLog, catalog: Catalog): Promise<VerifyReport> {
  const steps = new Map<string, string>();
  walkSteps(log.steps, (s) => {
    for (const e of s.data_catalog) if (e.stage === 'put') steps.set(stripRun(log.run_id, e.catalog_relative_path || e.name), s.internal_name);
  });
  const files = recordedFiles(log);
  const problems: VerifyProblem[] = [];
  for (const [rel, entry] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const found = await storedHash(catalog, log.run_id, rel);
    if (found === entry.data_hash) continue;
    problems.push({
      artifact: `${log.run_id}/${rel}`,
      problem: found === undefined ? 'missing' : 'mismatch',
      expected: entry.data_hash,
      ...(found !== undefined && { found }),
      step: steps.get(rel) ?? '(job)',
    });
  }
  return { runId: log.run_id, checked: files.size, problems };
}
