/**
 * Counts bytes written under a folder, by wrapping node:fs before the library loads.
 *
 * The library's modules are compiled to CommonJS with `import * as fs from 'node:fs'`, which copies the
 * module's functions into a namespace object when the importing module is first loaded. So this module must be
 * imported before anything from src/ (bench/run.ts imports it first). When no folder is being watched, the
 * wrappers only add one comparison per call.
 */
// `import =` gives the real module object (a namespace import would give swc's copy of it).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the fs module object itself, whose methods are wrapped
import fs = require('node:fs');
import * as path from 'node:path';

export interface IoCounts {
  /** Bytes passed to write calls (journal appends + snapshot rewrites + temp files), under the watched folder. */
  bytesWritten: number;
  /** Number of write calls (writeSync / writeFileSync) under the watched folder. */
  writeCalls: number;
  /** Bytes appended through file descriptors (writeSync: the journal). */
  appendBytes: number;
  /** Number of whole-file writes (writeFileSync: snapshot creation and compactions). */
  fileWrites: number;
  /** Bytes of the whole-file writes. */
  fileWriteBytes: number;
}

let watched: string | undefined;
const zero = (): IoCounts => ({ bytesWritten: 0, writeCalls: 0, appendBytes: 0, fileWrites: 0, fileWriteBytes: 0 });
let counts: IoCounts = zero();
const fdPaths = new Map<number, string>();

const inWatched = (p: unknown): boolean =>
  watched !== undefined && typeof p === 'string' && (path.resolve(p) + path.sep).startsWith(watched + path.sep);
const sizeOf = (data: unknown): number =>
  typeof data === 'string' ? Buffer.byteLength(data) : ArrayBuffer.isView(data) ? data.byteLength : 0;

const origOpenSync = fs.openSync;
const origCloseSync = fs.closeSync;
const origWriteSync = fs.writeSync;
const origWriteFileSync = fs.writeFileSync;

const m = fs as unknown as Record<string, Function>;
m.openSync = function openSync(this: unknown, ...args: unknown[]) {
  const fd = (origOpenSync as Function).apply(this, args) as number;
  if (watched !== undefined && inWatched(args[0])) fdPaths.set(fd, String(args[0]));
  return fd;
};
m.closeSync = function closeSync(this: unknown, ...args: unknown[]) {
  fdPaths.delete(args[0] as number);
  return (origCloseSync as Function).apply(this, args);
};
m.writeSync = function writeSync(this: unknown, ...args: unknown[]) {
  const written = (origWriteSync as Function).apply(this, args) as number;
  if (watched !== undefined && fdPaths.has(args[0] as number)) {
    counts.bytesWritten += written;
    counts.appendBytes += written;
    counts.writeCalls++;
  }
  return written;
};
m.writeFileSync = function writeFileSync(this: unknown, ...args: unknown[]) {
  const r = (origWriteFileSync as Function).apply(this, args);
  if (watched !== undefined && inWatched(args[0])) {
    const n = sizeOf(args[1]);
    counts.bytesWritten += n;
    counts.fileWriteBytes += n;
    counts.writeCalls++;
    counts.fileWrites++;
  }
  return r;
};

/** Starts counting writes under `folder` (resets the counters). */
export function watchWrites(folder: string): void {
  watched = path.resolve(folder);
  counts = zero();
  fdPaths.clear();
}

/** Stops counting and returns the counts since watchWrites. */
export function stopWatching(): IoCounts {
  watched = undefined;
  fdPaths.clear();
  return counts;
}

/** Sum of the sizes of the files under `folder` (recursive) and their number. */
export function folderSize(folder: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const visit = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) {
        bytes += fs.statSync(p).size;
        files++;
      }
    }
  };
  if (fs.existsSync(folder)) visit(folder);
  return { bytes, files };
}
