import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArtifactError } from '../../errors';

export interface StoredObject {
  /** Path inside the catalog, including the run id: `<run_id>/<relative path>`. */
  catalog_relative_path: string;
  /**
   * SHA-256 (hex) of the stored bytes. For `putFile`/`getFile` this is {@link hashFile}'s value,
   * which for files of 1 GiB or more is a fingerprint, not a hash of every byte.
   */
  data_hash: string;
  size: number;
}

/**
 * Extension point: where artifacts of a run live (pickled values, files put by steps, execution logs).
 * Every implementation passes the shared contract suite in src/testing/contracts/catalog.ts (runCatalogContract in runnable-ts/testing).
 */
export interface Catalog {
  readonly type: string;
  putObject(runId: string, relPath: string, data: Buffer | string): Promise<StoredObject>;
  getObject(runId: string, relPath: string): Promise<Buffer>;
  /** Synchronous read, used to load a pickled input lazily when a step reads it. Catalogs without it are prefetched. */
  getObjectSync?(runId: string, relPath: string): Buffer;
  exists(runId: string, relPath: string): Promise<boolean>;
  /**
   * Copies the local file `sourceAbs` into the run's catalog at `relPath`, streamed (memory does not grow
   * with the file size) and atomically. With `storeCopy: false` the file is only hashed: nothing is written.
   * A missing or unreadable source fails with an `ArtifactError`.
   */
  putFile(runId: string, relPath: string, sourceAbs: string, opts: { storeCopy: boolean }): Promise<StoredObject>;
  /**
   * Copies the catalog file `relPath` of the run to the local path `destAbs`, creating parent folders,
   * streamed and atomically (a temporary file next to the destination, then a rename).
   * A file missing from the catalog fails with an `ArtifactError`.
   */
  getFile(runId: string, relPath: string, destAbs: string): Promise<StoredObject>;
  /**
   * Paths (posix, relative to the run's catalog, without the run id) of every file stored for the run,
   * sorted; empty when the run has none.
   */
  list(runId: string): Promise<string[]>;
  /**
   * The local folder holding this catalog, when it is on this machine (the file-system catalog).
   * File globs of `catalog: { put }` never sweep it up when it lies inside the working folder.
   */
  readonly localRoot?: string;
  /** Human-readable location of a run's catalog. */
  describe(runId: string): string;
  config(): Record<string, unknown>;
  /**
   * Removes what interrupted writes of the run left behind (temp files of a put killed mid-way). Called by a retry
   * once it owns the run, so no live writer's file is removed. Resolves with the number of files removed.
   */
  removeLeftovers?(runId: string): Promise<number>;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Files of this size or more get a fingerprint instead of a full SHA-256 (as the Python original). */
export const FINGERPRINT_THRESHOLD_BYTES = 1024 * 1024 * 1024;
/** Bytes taken from each end of a file for its fingerprint. */
export const FINGERPRINT_EDGE_BYTES = 1024 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

function fingerprint(size: number, first: Buffer, last: Buffer): string {
  return createHash('sha256').update(String(size)).update(first).update(last).digest('hex');
}

/**
 * The `data_hash` of a file, as recorded in the run log's `data_catalog` entries.
 *
 * - Files smaller than 1 GiB: the SHA-256 (hex) of the whole content, read in 1 MiB chunks (memory stays flat).
 * - Files of 1 GiB or more: a **fingerprint**, not a content hash: SHA-256 over the decimal file size as
 *   text, then the first 1 MiB, then the last 1 MiB. Two large files that differ only in their middle have
 *   the same fingerprint. Same rule as the Python original, so hashes are comparable across both.
 *
 * Fails with an `ArtifactError` when the file is missing or is not a regular file.
 */
export async function hashFile(absPath: string): Promise<string> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(absPath, 'r');
  } catch (err) {
    throw fileError(absPath, err, 'Cannot hash');
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new ArtifactError(`Cannot hash: '${absPath}' is not a regular file`);
    const size = st.size;
    if (size >= FINGERPRINT_THRESHOLD_BYTES) {
      const first = Buffer.alloc(FINGERPRINT_EDGE_BYTES);
      const last = Buffer.alloc(FINGERPRINT_EDGE_BYTES);
      const a = await readFully(fh, first, 0);
      const b = await readFully(fh, last, size - FINGERPRINT_EDGE_BYTES);
      return fingerprint(size, first.subarray(0, a), last.subarray(0, b));
    }
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

/** {@link hashFile}'s rule applied to bytes already in memory (used by the in-memory catalog). */
export function hashBytes(data: Buffer): string {
  if (data.length >= FINGERPRINT_THRESHOLD_BYTES) {
    return fingerprint(data.length, data.subarray(0, FINGERPRINT_EDGE_BYTES), data.subarray(data.length - FINGERPRINT_EDGE_BYTES));
  }
  return sha256(data);
}

async function readFully(fh: fs.promises.FileHandle, buf: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * Turns a file-system error about `absPath` into an `ArtifactError` whose message is
 * `<context>: '<absPath>' <reason>` (e.g. `Cannot hash: '/data/x.csv' does not exist`).
 */
export function fileError(absPath: string, err: unknown, context: string): Error {
  if (err instanceof ArtifactError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT' ? 'does not exist'
    : code === 'EISDIR' ? 'is a folder, not a file'
    : code === 'ENOTDIR' ? 'has a file where a folder is expected in its path'
    : code === 'EACCES' || code === 'EPERM' ? 'is not accessible (permission denied)'
    : code === 'ENOSPC' ? 'could not be written: no space left on the device'
    : code ? `could not be accessed (${(err as Error).message})`
    : undefined;
  if (!reason) return err instanceof Error ? err : new Error(String(err));
  return new ArtifactError(`${context}: '${absPath}' ${reason}`, { cause: err });
}

/** Refuses a run id that could not be a single folder name of the catalog. */
export function checkRunId(runId: string): void {
  if (!runId || /[\\/]/.test(runId) || runId === '.' || runId === '..') throw new ArtifactError(`Invalid run id '${runId}' for the catalog`);
}

/**
 * Normalises a path inside a run's catalog and refuses anything that would escape it
 * (absolute paths, `..` segments, empty names).
 */
export function confinedRelative(runId: string, relPath: string): string {
  checkRunId(runId);
  if (!relPath || path.isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath)) {
    throw new ArtifactError(`Catalog path '${relPath}' must be a relative path inside the run's catalog`);
  }
  const norm = path.posix.normalize(relPath.replace(/\\/g, '/'));
  if (norm === '..' || norm.startsWith('../') || norm === '.') {
    throw new ArtifactError(`Catalog path '${relPath}' escapes the run's catalog folder; use a path below it`);
  }
  return norm;
}
