/**
 * Deferred removal of the benches' temp dirs.
 *
 * On this VM's ext4 root file system, creating a file gets several times slower while many inodes were freed in the
 * last minute or so (the inode allocator skips "recently deleted" inodes: `perf` shows the time in ext4_create →
 * find_inode_bit → recently_deleted). Removing the thousands of files of one measured run right before the next
 * one made the chunked-fs store look up to 7x slower (3.2 vs 0.45 ms per step) and made the first iterations of a
 * large map 10x slower than its last ones. So the parts that measure file creation on disk (stores, map) register
 * their temp dirs here and they are removed once, at the end of the bench (or when the process exits).
 */
import * as fs from 'node:fs';

const pending: string[] = [];

/** Removes `dir` (recursively) at the end of the bench instead of now. */
export function deferRemoval(dir: string): void {
  pending.push(dir);
}

/** Removes every deferred dir; returns how many and how long it took. */
export function removeDeferred(): { dirs: number; ms: number } {
  const t0 = performance.now();
  const dirs = pending.splice(0);
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  return { dirs: dirs.length, ms: performance.now() - t0 };
}

process.on('exit', () => {
  removeDeferred();
});
