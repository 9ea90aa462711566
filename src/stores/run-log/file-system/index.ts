import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyOp, assertRunLogShape, findStep, type RunLogOp } from '../document';
import type { RunLogStore, RunOwner, StepCacheEntry } from '../store';
import { OwnerFiles } from '../owner-files';
import { CacheFiles } from '../cache-files';
import type { RunLog, StepLog } from '../types';
import { RunLogExistsError, RunLogIntegrityError, RunLogNotFoundError } from '../../../errors';
import { createFileExclusiveSync, writeFileAtomicSync } from '../../../util/fs';

export interface FileSystemRunLogStoreConfig {
  /** Folder of the run logs. Default `.run_log_store`. */
  log_folder?: string;
}

const JOURNAL_SUFFIX = '.journal.jsonl';
/** A journal smaller than this is never compacted mid-run. */
const MIN_COMPACT_BYTES = 256 * 1024;

interface OpenRun {
  doc: RunLog;
  fd: number | undefined;
  journalBytes: number;
  snapshotBytes: number;
}

/**
 * One JSON file per run: `<log_folder>/<run_id>.json`, in the Python original's format.
 *
 * Writes are append-only while a run is in progress: each mutation is one line appended to
 * `<run_id>.journal.jsonl`, and the JSON file is rewritten (atomically: temp file + rename) only when the journal
 * has grown as large as the JSON file, and when the run ends. So the bytes written grow linearly with the run,
 * a crash never leaves a half-written run log (a torn last journal line is ignored on read), and readers
 * (`runnable inspect`, retry) always see snapshot + journal. Single writer per run; use `chunked-fs` for
 * concurrent writers.
 */
export class FileSystemRunLogStore implements RunLogStore {
  readonly type = 'file-system';
  /** A process keeps the run it writes in memory: another process's writes to the same run would be lost. */
  readonly capabilities = { crossProcess: false, concurrentWriters: false };
  readonly folder: string;
  get localRoot(): string {
    return this.folder;
  }
  private readonly open = new Map<string, OpenRun>();
  /** Owner records: `<log_folder>/.owners/<run_id>/owner-<n>.json` (ignored by list()). */
  private readonly owners = new OwnerFiles((runId) => path.join(this.folder, '.owners', runId));
  /** Step cache index: `<log_folder>/.step-cache/<key[0..2]>/<key>.<fingerprint>.<run>.json` (see cache-files.ts). */
  private readonly cacheFiles: CacheFiles;

  constructor(private readonly cfg: FileSystemRunLogStoreConfig = {}) {
    this.folder = path.resolve(cfg.log_folder ?? '.run_log_store');
    this.cacheFiles = new CacheFiles(path.join(this.folder, '.step-cache'));
  }

  private snapshotPath(runId: string): string {
    return path.join(this.folder, `${runId}.json`);
  }
  private journalPath(runId: string): string {
    return path.join(this.folder, `${runId}${JOURNAL_SUFFIX}`);
  }

  async create(runLog: RunLog): Promise<void> {
    const file = this.snapshotPath(runLog.run_id);
    const text = JSON.stringify(runLog, null, 2);
    if (!createFileExclusiveSync(file, text)) {
      let status: string | undefined;
      try {
        status = this.load(runLog.run_id).status;
      } catch {
        /* unreadable: still taken */
      }
      throw new RunLogExistsError(runLog.run_id, status);
    }
    fs.rmSync(this.journalPath(runLog.run_id), { force: true });
    this.open.set(runLog.run_id, { doc: structuredClone(runLog), fd: undefined, journalBytes: 0, snapshotBytes: Buffer.byteLength(text) });
  }

  /**
   * Reads snapshot + journal from disk. Also says how much of the journal is sound: `soundBytes` ends after the
   * last complete line, and `tail` is what follows it (a line torn by a crash, or a last line without its newline).
   */
  private loadWithJournal(runId: string): { doc: RunLog; soundBytes: number; tail: 'none' | 'torn' | 'unterminated' } {
    const file = this.snapshotPath(runId);
    let doc: RunLog;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8')) as RunLog;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RunLogNotFoundError(runId, this.folder);
      if (err instanceof SyntaxError) throw new RunLogIntegrityError(`The run log ${file} is not valid JSON: ${err.message}. It was truncated or edited; restore it from a backup, or start a new run.`);
      throw new RunLogIntegrityError(`The run log ${file} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    assertRunLogShape(doc, file);
    let journal = '';
    try {
      journal = fs.readFileSync(this.journalPath(runId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let soundBytes = 0;
    let tail: 'none' | 'torn' | 'unterminated' = 'none';
    if (journal) {
      const lines = journal.split('\n');
      lines.forEach((line, i) => {
        const last = i === lines.length - 1; // the text after the last newline ('' when the journal ends cleanly)
        if (!line.trim()) {
          if (!last) soundBytes += Buffer.byteLength(line) + 1;
          return;
        }
        let op: RunLogOp;
        try {
          op = JSON.parse(line) as RunLogOp;
        } catch {
          if (last) {
            tail = 'torn'; // the last line of a crashed writer: ignored, and cut before the next append
            return;
          }
          throw new RunLogIntegrityError(`The run log journal ${this.journalPath(runId)} is corrupt at line ${i + 1} (of ${lines.length}); restore it from a backup, or start a new run.`);
        }
        try {
          applyOp(doc, op);
        } catch (err) {
          throw new RunLogIntegrityError(`The run log journal ${this.journalPath(runId)} line ${i + 1} does not apply to the run log: ${(err as Error).message}`);
        }
        if (last) tail = 'unterminated';
        else soundBytes += Buffer.byteLength(line) + 1;
      });
    }
    return { doc, soundBytes, tail };
  }

  private load(runId: string): RunLog {
    return this.loadWithJournal(runId).doc;
  }

  private state(runId: string): OpenRun {
    let s = this.open.get(runId);
    if (!s) {
      const { doc, soundBytes, tail } = this.loadWithJournal(runId);
      // Before appending: a torn last line (a crashed writer) is cut, and a complete last line gets its newline,
      // so the next line never glues onto it and turns it into a corrupt middle line.
      let journalBytes = soundBytes;
      if (tail === 'torn') fs.truncateSync(this.journalPath(runId), soundBytes);
      else if (tail === 'unterminated') {
        fs.appendFileSync(this.journalPath(runId), '\n');
        journalBytes = fs.statSync(this.journalPath(runId)).size;
      }
      s = { doc, fd: undefined, journalBytes, snapshotBytes: fs.statSync(this.snapshotPath(runId)).size };
      this.open.set(runId, s);
    }
    return s;
  }

  async get(runId: string): Promise<RunLog> {
    const s = this.open.get(runId);
    return s ? structuredClone(s.doc) : this.load(runId);
  }

  async getStep(runId: string, internalName: string): Promise<StepLog | undefined> {
    const s = this.open.get(runId);
    return structuredClone(findStep(s ? s.doc : this.load(runId), internalName));
  }

  async exists(runId: string): Promise<boolean> {
    return this.open.has(runId) || fs.existsSync(this.snapshotPath(runId));
  }

  async apply(runId: string, ops: readonly RunLogOp[]): Promise<void> {
    const s = this.state(runId);
    let text = '';
    for (const op of ops) {
      const line = JSON.stringify(op);
      applyOp(s.doc, JSON.parse(line) as RunLogOp); // parsing the journal line is the copy: cheaper than structuredClone
      text += line + '\n';
    }
    if (s.fd === undefined) s.fd = fs.openSync(this.journalPath(runId), 'a');
    fs.writeSync(s.fd, text);
    s.journalBytes += Buffer.byteLength(text);
    if (s.journalBytes > Math.max(MIN_COMPACT_BYTES, s.snapshotBytes)) this.compact(runId, s);
  }

  /** Rewrites the JSON file from memory: compact JSON mid-run (cheaper), indented at the end (for people). */
  private compact(runId: string, s: OpenRun, final = false): void {
    const text = final ? JSON.stringify(s.doc, null, 2) : JSON.stringify(s.doc);
    writeFileAtomicSync(this.snapshotPath(runId), text);
    s.snapshotBytes = Buffer.byteLength(text);
    if (s.fd !== undefined) fs.ftruncateSync(s.fd, 0);
    s.journalBytes = 0;
  }

  async close(runId: string): Promise<void> {
    const s = this.open.get(runId);
    if (!s) return;
    if (s.journalBytes > 0) this.compact(runId, s, true);
    if (s.fd !== undefined) fs.closeSync(s.fd);
    fs.rmSync(this.journalPath(runId), { force: true });
    this.open.delete(runId);
  }

  async acquireOwner(runId: string, owner: RunOwner, isGone: (current: RunOwner) => boolean): Promise<RunOwner | undefined> {
    return this.owners.acquire(runId, owner, isGone);
  }
  async heartbeatOwner(runId: string, token: string, at: string): Promise<boolean> {
    return this.owners.heartbeat(runId, token, at);
  }
  async releaseOwner(runId: string, token: string): Promise<void> {
    this.owners.release(runId, token);
  }
  async getOwner(runId: string): Promise<RunOwner | undefined> {
    return this.owners.get(runId);
  }

  async list(): Promise<string[]> {
    if (!fs.existsSync(this.folder)) return [];
    return fs
      .readdirSync(this.folder)
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .map((f) => f.slice(0, -'.json'.length));
  }

  async putCacheEntry(entry: StepCacheEntry): Promise<void> {
    await this.cacheFiles.put(entry);
  }
  async getCacheEntries(key: string): Promise<StepCacheEntry[]> {
    return this.cacheFiles.get(key);
  }

  describe(runId: string): string {
    return path.relative(process.cwd(), this.snapshotPath(runId)) || this.snapshotPath(runId);
  }

  config(): Record<string, unknown> {
    return { service_name: 'file-system', service_type: 'run_log_store', log_folder: this.cfg.log_folder ?? '.run_log_store' };
  }
}
