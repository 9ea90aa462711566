import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArtifactError } from '../../errors';
import { FINGERPRINT_THRESHOLD_BYTES, fileError, hashFile } from './catalog';

/** Size of each of the two buffers of a streamed copy (larger ones measured no faster). */
const COPY_CHUNK_BYTES = 1024 * 1024;

/** Name of the temporary file an atomic write uses next to `file`. {@link isTempName} recognises it. */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** True for the base name of a temporary file of an atomic write still in progress (or left by a crash). */
export function isTempName(base: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(base);
}

/**
 * Copies `srcAbs` to `destAbs` atomically (temporary file next to the destination, then a rename), creating
 * the destination's folders, and returns the {@link hashFile} value and size of the bytes written.
 *
 * The copy is a streamed pass through two 1 MiB buffers (memory use does not depend on the file size): each
 * chunk is read once, hashed (below 1 GiB) and written while the next one is read. From 1 GiB the hash is a
 * fingerprint of both ends, read from the copy afterwards; there a reflink (instant copy-on-write clone, on
 * btrfs/xfs/APFS) is tried first. Measured with bench/catalog-files.ts on ext4: this pass is as fast as `cp`,
 * while `fs.copyFile` (kernel copy_file_range) took twice as long because libuv truncates the new file before
 * copying, which makes ext4 start the write-back of the whole file when it is closed (auto_da_alloc).
 */
export async function copyFileHashed(srcAbs: string, destAbs: string, context: string): Promise<{ data_hash: string; size: number }> {
  let src: fs.promises.FileHandle;
  try {
    src = await fs.promises.open(srcAbs, 'r');
  } catch (err) {
    throw fileError(srcAbs, err, context);
  }
  let tmp: string | undefined;
  try {
    const st = await src.stat();
    if (!st.isFile()) throw new ArtifactError(`${context}: '${srcAbs}' is not a regular file`);
    try {
      await fs.promises.mkdir(path.dirname(destAbs), { recursive: true });
    } catch (err) {
      throw fileError(path.dirname(destAbs), err, `${context} (creating its folder)`);
    }
    tmp = tempPathFor(destAbs);
    let result: { data_hash: string; size: number };
    try {
      if (st.size >= FINGERPRINT_THRESHOLD_BYTES) {
        if (!(await tryReflink(srcAbs, tmp))) await streamCopy(src, tmp, st.mode & 0o777, false);
        result = { data_hash: await hashFile(tmp), size: (await fs.promises.stat(tmp)).size };
      } else {
        result = await streamCopy(src, tmp, st.mode & 0o777, true);
      }
      await fs.promises.rename(tmp, destAbs);
    } catch (err) {
      throw fileError(destAbs, err, `${context} (writing the copy)`);
    }
    tmp = undefined;
    return result;
  } finally {
    await src.close();
    if (tmp) await fs.promises.rm(tmp, { force: true });
  }
}

/** A copy-on-write clone where the file system has them; false (and nothing left behind) elsewhere. */
async function tryReflink(srcAbs: string, tmp: string): Promise<boolean> {
  try {
    await fs.promises.copyFile(srcAbs, tmp, fs.constants.COPYFILE_FICLONE_FORCE);
    return true;
  } catch {
    await fs.promises.rm(tmp, { force: true });
    return false;
  }
}

async function writeAll(fh: fs.promises.FileHandle, chunk: Buffer): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await fh.write(chunk, done, chunk.length - done);
    done += bytesWritten;
  }
}

/** Reads `src` to the end, hashing each chunk (when `hash`) and writing it to `tmp` while the next one is read. */
async function streamCopy(src: fs.promises.FileHandle, tmp: string, mode: number, hash: boolean): Promise<{ data_hash: string; size: number }> {
  // 'wx': a new file, never truncated (see copyFileHashed)
  const out = await fs.promises.open(tmp, 'wx', mode);
  try {
    const hasher = hash ? createHash('sha256') : undefined;
    const buffers = [Buffer.allocUnsafe(COPY_CHUNK_BYTES), Buffer.allocUnsafe(COPY_CHUNK_BYTES)] as const;
    let which = 0;
    let size = 0;
    let pending: Promise<void> = Promise.resolve();
    for (;;) {
      const buf = buffers[which]!;
      const { bytesRead } = await src.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hasher?.update(chunk);
      size += bytesRead;
      await pending; // the other buffer is free again once its write has finished
      pending = writeAll(out, chunk);
      pending.catch(() => undefined); // awaited on the next turn; avoid an unhandled rejection meanwhile
      which ^= 1;
    }
    await pending;
    return { data_hash: hasher ? hasher.digest('hex') : '', size };
  } finally {
    await out.close();
  }
}

/** Writes `data` to `destAbs` atomically, creating its folders (the in-memory catalog's `getFile`). */
export async function writeFileAtomic(destAbs: string, data: Buffer, context: string): Promise<void> {
  const tmp = tempPathFor(destAbs);
  try {
    await fs.promises.mkdir(path.dirname(destAbs), { recursive: true });
    await fs.promises.writeFile(tmp, data, { flag: 'wx' });
    await fs.promises.rename(tmp, destAbs);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw fileError(destAbs, err, `${context} (writing the copy)`);
  }
}
