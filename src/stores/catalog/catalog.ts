import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { ArtifactError } from '../../errors';

export interface StoredObject {
  /** Path inside the catalog, including the run id: `<run_id>/<relative path>`. */
  catalog_relative_path: string;
  /** SHA-256 (hex) of the stored bytes. */
  data_hash: string;
  size: number;
}

/**
 * Extension point: where artifacts of a run live (pickled values, files put by steps, execution logs).
 * Every implementation passes the shared contract suite in test/contracts/catalog.contract.ts.
 */
export interface Catalog {
  readonly type: string;
  putObject(runId: string, relPath: string, data: Buffer | string): Promise<StoredObject>;
  getObject(runId: string, relPath: string): Promise<Buffer>;
  /** Synchronous read, used to load a pickled input lazily when a step reads it. Catalogs without it are prefetched. */
  getObjectSync?(runId: string, relPath: string): Buffer;
  exists(runId: string, relPath: string): Promise<boolean>;
  /** Human-readable location of a run's catalog. */
  describe(runId: string): string;
  config(): Record<string, unknown>;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Normalises a path inside a run's catalog and refuses anything that would escape it
 * (absolute paths, `..` segments, empty names).
 */
export function confinedRelative(runId: string, relPath: string): string {
  if (!runId || /[\\/]/.test(runId) || runId === '.' || runId === '..') throw new ArtifactError(`Invalid run id '${runId}' for the catalog`);
  if (!relPath || path.isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath)) {
    throw new ArtifactError(`Catalog path '${relPath}' must be a relative path inside the run's catalog`);
  }
  const norm = path.posix.normalize(relPath.replace(/\\/g, '/'));
  if (norm === '..' || norm.startsWith('../') || norm === '.') {
    throw new ArtifactError(`Catalog path '${relPath}' escapes the run's catalog folder; use a path below it`);
  }
  return norm;
}
