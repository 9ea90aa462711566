import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StepCacheEntry } from './store';
import { readdirOrEmptySync } from '../../util/fs';
import { sha256 } from '../catalog/catalog';
import { writeFileAtomic } from '../catalog/copy';

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
  if (!v || typeof v !== 'object') return false;
  try {
    checkCacheEntry(v as StepCacheEntry);
    return true;
  } catch {
    return false;
  }
}

/** Newest first (by created_at, then fingerprint so the order is total). */
export function newestFirst(entries: StepCacheEntry[]): StepCacheEntry[] {
  return entries.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.fingerprint < b.fingerprint ? -1 : 1));
}

/** What identifies an entry under its key: fingerprint and run (several runs may have executed the same step alike). */
export function entryId(e: Pick<StepCacheEntry, 'fingerprint' | 'run_id'>): string {
  return `${e.fingerprint}.${sha256(e.run_id).slice(0, 16)}`;
}

export class CacheFiles {
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
    await writeFileAtomic(path.join(this.shard(entry.key), `${entry.key}.${entryId(entry)}.json`), Buffer.from(JSON.stringify(entry)), 'step cache entry');
  }

  get(key: string): StepCacheEntry[] {
    checkDigest('key', key);
    const dir = this.shard(key);
    const names = readdirOrEmptySync(dir);
    if (!names.length) return [];
    const out: StepCacheEntry[] = [];
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
