import type { RunLog } from '../stores/run-log/types';
import { walkSteps } from '../stores/run-log/document';

/** One file of a run's catalog that the run log records, as the runs browser offers it for download. */
export interface RecordedArtifact {
  /** Path inside the run's catalog (without the run id): what the download URL names. */
  path: string;
  /** What the run log says it is. */
  kind: 'pickled' | 'catalog file' | 'execution log';
  /** Parameter names (pickled values) or catalog names (files) recorded for it. */
  names: string[];
  hash?: string;
}

/** A catalog path recorded in a run log, relative to the run: only `<run_id>/<segments>` with ordinary segments. */
function relativeToRun(runId: string, catalogPath: string | undefined): string | undefined {
  if (!catalogPath || !catalogPath.startsWith(`${runId}/`)) return undefined;
  const rel = catalogPath.slice(runId.length + 1);
  const segments = rel.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) return undefined;
  return rel;
}

/**
 * Every catalog file the run log records for the run: pickled values (the run's parameters and each step's outputs),
 * files put or got by steps (`data_catalog`) and execution logs. The runs browser serves these paths and no other:
 * a download request is matched against this list, never turned into a path itself.
 */
export function recordedArtifacts(log: RunLog): RecordedArtifact[] {
  const byPath = new Map<string, RecordedArtifact>();
  const add = (catalogPath: string | undefined, kind: RecordedArtifact['kind'], name: string, hash?: string) => {
    const rel = relativeToRun(log.run_id, catalogPath);
    if (!rel) return;
    const known = byPath.get(rel);
    if (known) {
      if (!known.names.includes(name)) known.names.push(name);
      return;
    }
    byPath.set(rel, { path: rel, kind, names: [name], ...(hash && { hash }) });
  };
  for (const [name, p] of Object.entries(log.parameters)) if (p.kind === 'object') add(p.catalog_relative_path, 'pickled', name, p.data_hash);
  walkSteps(log.steps, (s) => {
    for (const a of s.attempts) {
      for (const [name, p] of Object.entries(a.output_parameters)) if (p.kind === 'object') add(p.catalog_relative_path, 'pickled', name, p.data_hash);
      if (a.execution_log) add(a.execution_log, 'execution log', `${s.internal_name} attempt ${a.attempt_number}`);
    }
    for (const c of s.data_catalog) add(c.catalog_relative_path, 'catalog file', c.name, c.data_hash);
  });
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}
