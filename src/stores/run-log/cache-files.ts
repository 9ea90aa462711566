import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { StepCacheEntry } from './store';
import { readdirOrEmptySync } from '../../util/fs';

/*
 * The step cache index on a local file system, shared by the file-system and chunked-fs stores:
 *
 *   <log_folder>/.step-cache/<key[0..2]>/<key>.<fingerprint>.<run>.json
 *        one StepCacheEntry per file, in 256 folders by the key's first two hex digits (a lookup lists one folder, and
 *        recording an entry creates one file, no folder); <run> is the first 16 hex digits of the SHA-256 of its run id
 *
 * Every entry is its own file, written atomically (temp file + rename), so writers never read-modify-write a shared
 * file: concurrent runs (or processes) recording entries cannot corrupt the index, and a reader sees whole entries
 * only. Two writers of the same key, fingerprint and run race on one file name; the last rename wins, both are valid.
 * The folder starts with '.', so neither store lists it as a run.
 */

const HEX64 = /^[0-9a-f]{64}$/;

/** Refuses anything but a SHA-256 hex digest (a key or fingerprint becomes a file name). */
export function checkDigest(what: string, value: string): void {
  if (typeof value !== 'string' || !HEX64.test(value)) throw new Error(`step cache: ${what} must be a SHA-256 hex digest, got '${String(value)}'`);
}

/** Checks an entry's shape before it is stored (a store keeps only what the engine can read back). */
export function checkCacheEntry(e: StepCacheEntry): void {
  checkDigest('key', e.key);
  checkDigest('fingerprint', e.fingerprint);
  if (typeof e.run_id !== 'string' || !e.run_id || typeof e.step !== 'string' || !e.step) throw new Error('step cache: an entry needs run_id and step');
  if (!Array.isArray(e.inputs) || !Array.isArray(e.absent)) throw new Error('step cache: an entry needs inputs and absent (arrays of names)');
}

function isEntry(v: unknown): v is StepCacheEntry {
  const e = v as StepCacheEntry;
  return !!e && typeof e === 'object' && HEX64.test(String(e.key)) && HEX64.test(String(e.fingerprint)) && typeof e.run_id === 'string' && typeof e.step === 'string' && Array.isArray(e.inputs) && Array.isArray(e.absent);
}

/** Newest first (by created_at, then fingerprint so the order is total). */
export function newestFirst(entries: StepCacheEntry[]): StepCacheEntry[] {
  return entries.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.fingerprint < b.fingerprint ? -1 : 1));
}

/** What identifies an entry under its key: fingerprint and run (several runs may have executed the same step alike). */
export function entryId(e: Pick<StepCacheEntry, 'fingerprint' | 'run_id'>): string {
  return `${e.fingerprint}.${createHash('sha256').update(e.run_id).digest('hex').slice(0, 16)}`;
}

export class CacheFiles {
  /** Shard folders known to exist (created by this process or seen): recording an entry then costs one file. */
  private readonly made = new Set<string>();
  constructor(private readonly root: string) {}

  private shard(key: string): string {
    return path.join(this.root, key.slice(0, 2));
  }

  /**
   * Writes the entry's file (temp file + rename, not fsynced: a lost entry only costs a cache miss). Asynchronous,
   * so the write overlaps with the run's next steps.
   */
  async put(entry: StepCacheEntry): Promise<void> {
    checkCacheEntry(entry);
    const dir = this.shard(entry.key);
    const file = path.join(dir, `${entry.key}.${entryId(entry)}.json`);
    const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    if (!this.made.has(dir)) {
      await fs.promises.mkdir(dir, { recursive: true });
      this.made.add(dir);
    }
    try {
      await fs.promises.writeFile(tmp, JSON.stringify(entry));
      await fs.promises.rename(tmp, file);
    } catch (err) {
      await fs.promises.rm(tmp, { force: true });
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !this.made.delete(dir)) throw err;
      return this.put(entry); // the folder was removed meanwhile: once more, creating it
    }
  }

  get(key: string): StepCacheEntry[] {
    checkDigest('key', key);
    const dir = this.shard(key);
    const names = readdirOrEmptySync(dir);
    if (!names.length) return [];
    const out: StepCacheEntry[] = [];
    this.made.add(dir);
    const prefix = `${key}.`;
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.json')) continue; // other keys; temp files ('.' first) of writes in progress
      try {
        const e = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as unknown;
        if (isEntry(e) && e.key === key && `${key}.${entryId(e)}.json` === name) out.push(e);
      } catch {
        /* removed meanwhile, or not an entry: not a hit */
      }
    }
    return newestFirst(out);
  }
}
