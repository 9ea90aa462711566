import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempPathFor } from './copy';

/** Characters encoded per chunk when writing a string (at most 3 bytes each in UTF-8). */
const CHUNK_CHARS = 1024 * 1024;

function writeAll(fd: number, buf: Uint8Array, length: number): void {
  for (let off = 0; off < length; ) off += fs.writeSync(fd, buf, off, length - off);
}

/**
 * Writes `data` to `file` atomically (a temporary file next to it, then a rename; folders created) and returns the
 * SHA-256 (hex) and size of the bytes written, hashed while writing. A string is encoded to UTF-8 in chunks into one
 * reused buffer, so writing a large pickled value needs no second copy of it in memory (`writeFileSync` plus a
 * separate hash each made a whole UTF-8 copy); the bytes are the same as `fs.writeFileSync(file, data)` writes.
 */
export function writeFileAtomicHashedSync(file: string, data: string | Buffer): { data_hash: string; size: number } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  const hash = createHash('sha256');
  let size = 0;
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w');
    if (typeof data !== 'string') {
      writeAll(fd, data, data.length);
      hash.update(data);
      size = data.length;
    } else {
      const buf = Buffer.allocUnsafe(Math.min(data.length, CHUNK_CHARS) * 3);
      const encoder = new TextEncoder();
      for (let i = 0; i < data.length; ) {
        let end = Math.min(i + CHUNK_CHARS, data.length);
        // never split a surrogate pair between two chunks
        if (end < data.length) {
          const c = data.charCodeAt(end - 1);
          if (c >= 0xd800 && c <= 0xdbff) end--;
        }
        const { written } = encoder.encodeInto(i === 0 && end === data.length ? data : data.slice(i, end), buf);
        const bytes = buf.subarray(0, written);
        hash.update(bytes);
        writeAll(fd, bytes, written);
        size += written;
        i = end;
      }
    }
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { data_hash: hash.digest('hex'), size };
}
