import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes a file atomically: a reader sees the old content or the new one, never a half-written file. */
export function writeFileAtomicSync(file: string, data: string | Buffer, opts: { mkdir?: boolean } = {}): void {
  if (opts.mkdir !== false) fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
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
