import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Catalog } from '../stores/catalog/catalog';
import type { RunLog } from '../stores/run-log/types';
import { walkSteps } from '../stores/run-log/document';
import type { SizeOf } from './model';

/** Catalogs without a local folder are read object by object: only up to this many, to keep reports fast. */
const REMOTE_READ_LIMIT = 200;

/**
 * Sizes of the run's pickled values and catalog files (catalog path → bytes). A local (file-system) catalog is
 * stat-ed; other catalogs are read, up to a limit. Paths that cannot be read are left out (size unknown).
 */
export async function catalogSizes(log: RunLog, catalog: Catalog): Promise<SizeOf> {
  const paths = new Set<string>();
  const addParams = (ps: Record<string, { kind: string; catalog_relative_path?: string }>) => {
    for (const p of Object.values(ps)) if (p.kind === 'object' && p.catalog_relative_path) paths.add(p.catalog_relative_path);
  };
  addParams(log.parameters);
  walkSteps(log.steps, (s) => {
    for (const a of s.attempts) {
      addParams(a.input_parameters);
      addParams(a.output_parameters);
      if (a.execution_log) paths.add(a.execution_log);
    }
    for (const c of s.data_catalog) paths.add(c.catalog_relative_path);
  });
  const sizes = new Map<string, number>();
  const root = catalog.localRoot;
  let remoteReads = 0;
  for (const p of paths) {
    if (root) {
      try {
        sizes.set(p, fs.statSync(path.join(root, p)).size);
      } catch {
        /* not in the catalog (storeCopy: false, or removed): size unknown */
      }
      continue;
    }
    if (remoteReads++ >= REMOTE_READ_LIMIT) break;
    const slash = p.indexOf('/');
    if (slash < 0) continue;
    try {
      sizes.set(p, (await catalog.getObject(p.slice(0, slash), p.slice(slash + 1))).length);
    } catch {
      /* size unknown */
    }
  }
  return (p) => sizes.get(p);
}

/** The last `lines` lines of an attempt's execution log, or undefined when it has none or it cannot be read. */
export async function logTail(catalog: Catalog, catalogPath: string, lines = 20): Promise<string | undefined> {
  const slash = catalogPath.indexOf('/');
  if (slash < 0) return undefined;
  try {
    const text = (await catalog.getObject(catalogPath.slice(0, slash), catalogPath.slice(slash + 1))).toString('utf8');
    return text.replace(/\n$/, '').split('\n').slice(-lines).join('\n');
  } catch {
    return undefined;
  }
}
