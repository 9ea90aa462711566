import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Flushes a folder's entries (a rename into it) to disk. Not every platform can open a folder: then nothing. */
export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* Windows and some file systems cannot fsync a folder */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes a file atomically: a reader sees the old content or the new one, never a half-written file, whenever the
 * process dies. `durable` (default true) also survives a power loss: the file is fsynced before the rename and the
 * folder after it. Records rewritten at a high rate that a crash of the machine may lose pass `durable: false`.
 */
export function writeFileAtomicSync(file: string, data: string | Buffer, opts: { mkdir?: boolean; durable?: boolean } = {}): void {
  if (opts.mkdir !== false) fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  const durable = opts.durable !== false;
  try {
    if (durable) {
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeFileSync(fd, data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } else fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  if (durable) fsyncDirSync(path.dirname(file));
}

/**
 * Creates a file atomically and exclusively: returns false (and writes nothing) when it already exists.
 * Two concurrent creators never both succeed (hard link creation is atomic and fails on an existing name).
 */
export function createFileExclusiveSync(file: string, data: string | Buffer): boolean {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  fs.writeFileSync(tmp, data);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The names in a folder, or none when the folder does not exist (yet): for stores whose folders are made lazily. */
export function readdirOrEmptySync(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
