/*
 * chunked-fs layout (version 2: record files from create(), then one append-only journal per writer)
 * ==================================================================================================
 *
 * A folder per run:
 *
 *   <log_folder>/<run_id>/
 *     RunLog.json                                  the run header as create() wrote it: the RunLog with `steps: {}`
 *                                                  and `parameters: {}` left EMPTY (the values live in the records)
 *     StepLog-<step>.json, BranchLog-<branch>.json, Parameter-<...>.json
 *                                                  record files: the steps, branches and parameters create() was
 *                                                  given (usually none), and every record of a run written by the
 *                                                  first chunked-fs layout (version 1, which wrote one file per
 *                                                  record on every change: still read, and continued by journals)
 *     journal/<xx>/<writer id>-<pid>.jsonl         one journal per writer (a store instance writing the run),
 *                                                  sharded into 256 sub-folders by the first two hex digits of the
 *                                                  random writer id, so thousands of writers (one process per step
 *                                                  of a map) never put thousands of files in one folder
 *
 * A record is what version 1 kept in a file, and is still named by that file name (its key):
 *   RunLog.json                                    the header (status, run_config, ...)
 *   StepLog-<step internal name>.json              { "seq": n, "step": <StepLog with `branches: {}` left empty> }
 *   BranchLog-<branch internal name>.json          { "seq": n, "gen": g, "branch": <BranchLog with `steps: {}` left
 *                                                  empty; `parameters` holds the values the branch was created with
 *                                                  (a map's iteration value), so one write creates both> }
 *   Parameter-<encoded name>.json                  { "seq": n, "scope": null, "name": <name>, "parameter": <Parameter> }
 *   Parameter-<branch internal name>%<encoded name>.json
 *                                                  { "seq": n, "scope": <branch>, "branch_gen": g, "name": <name>,
 *                                                  "parameter": ... }  (values the branch's steps set later)
 *
 * Each journal line is one whole record as it now is: `{"w": <write stamp>, "k": <key>, "r": <record, or null when
 * it was deleted>}`. The current value of a record is the line (or record file) with the highest write stamp; record
 * files count as older than every journal line.
 *
 * - Empty child collections are kept as placeholders so the stitched run log has the same key order as the one the
 *   memory / file-system stores build with `applyOp`.
 * - Step and branch internal names are used verbatim (they never contain `/` or `%`). Parameter names are
 *   user-chosen: every UTF-8 byte outside `[A-Za-z0-9._-]` is written as `~XX` (upper-case hex), so `~` itself is
 *   `~7E`, `%` is `~25`, `/` is `~2F`, a space `~20`, `é` `~C3~A9`. An encoded name never contains `%`, so the first
 *   (only) `%` in a parameter key separates the branch scope from the name, and no `%` means root scope.
 * - A key longer than MAX_FILE_NAME_BYTES becomes `<prefix>~~<sha256 of the name part>.json` (`~~` cannot occur in
 *   an encoded parameter name). Every record also holds its own identity (step / branch internal name, parameter
 *   scope and name), and reads take the identity from the content, so such records stitch like the others.
 * - `seq` orders the records of a container: steps within the root or a branch, branches within a step, parameters
 *   within a scope. It is assigned when a record is first written (ms timestamp * 1000, strictly increasing within
 *   a process) and kept when the record is rewritten: a record keeps the seq of its FIRST write (the oldest write
 *   stamp), even when a writer that had not seen that write gave it another. Reads order by (seq, name): the order of
 *   first writes, like the single-file store.
 * - Write stamps are microseconds of wall-clock time, strictly increasing within a process, and never lower than a
 *   stamp the process has read: a writer that read a record (every read-modify-write does) always overwrites it.
 * - Files whose names start with `.` (temp files, a run folder being created) are ignored.
 *
 * Writes: every `apply()` appends its records, as lines, to the writer's journal in ONE write call; nothing else is
 * written (no temp file, no rename, no fsync), so the cost of a step is flat however large the run is, and close to
 * the file-system store's (which appends one journal line per change). A `branch` op that re-creates an existing
 * branch (a retry) writes the branch record with a new `gen`: parameter records of the branch written under an older
 * gen are ignored when the run log is read. (A `step` op that carries branch logs inline replaces a whole subtree:
 * it writes deletions of the records it drops. The engine does not send it.)
 *
 * Crashes: a line is appended whole by one write call, and a record never depends on a later write to be usable, so
 * a `kill -9` at any instant leaves a run log that reads back and that a retry can finish. A journal's last line
 * without its newline (a write torn by a crash, or still being written by a live writer) is not read; a writer that
 * starts again (a retry) writes a journal of its own, so a torn line never ends up in the middle of a journal.
 * Nothing is fsynced (a power loss may lose the last writes, never tear a record that was read back); reading a
 * damaged record or a corrupt journal line is a RunLogIntegrityError naming the file.
 *
 * Concurrency: several processes (or store instances) may write the same run at once without losing writes, as
 * long as no two of them write the same record at the same time: each writes its own journal, so appends never
 * interleave. E.g. each worker writes the steps, parameters and status of its own branch, and one process (the
 * orchestrator) writes the root status, run_config and the composite steps. Writers of the same record race (the
 * highest write stamp wins). The header (root status, run_config) and branch statuses are read-modify-write: the
 * writer reads the other journals first. `create()` is exclusive: the run folder is built under a temp name and
 * renamed into place, which fails when the run folder exists; so exactly one of several racing creators succeeds,
 * and readers never see a half-created run. `get()` always reads the files; an instance keeps in memory the records
 * of the runs it writes (its own writes, and the other journals' lines it read, tailed from where it stopped).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { parametersShapeProblem, parentBranchOf, parentStepOf, runLogShapeProblem, stepShapeProblem, type RunLogOp } from '../document';
import type { RunLogStore, RunOwner, StepCacheEntry } from '../store';
import { OwnerFiles } from '../owner-files';
import { CacheFiles } from '../cache-files';
import { readdirOrEmptySync } from '../../../util/fs';
import type { BranchLog, Parameter, RunLog, StepLog } from '../types';
import { RunLogExistsError, RunLogIntegrityError, RunLogNotFoundError } from '../../../errors';

export interface ChunkedFsRunLogStoreConfig {
  /** Folder of the run logs (one sub-folder per run). Default `.run_log_store`. */
  log_folder?: string;
}

export const RUN_HEADER_FILE = 'RunLog.json';
const STEP_PREFIX = 'StepLog-';
const BRANCH_PREFIX = 'BranchLog-';
const PARAM_PREFIX = 'Parameter-';
const SUFFIX = '.json';
/** Longer file names are hashed (leaves room for the temp-file decoration of atomic writes within 255 bytes). */
export const MAX_FILE_NAME_BYTES = 200;

// ---------------------------------------------------------------------------------------------------------------
// File names

const SAFE_BYTE = /^[A-Za-z0-9._-]$/;

/** Encodes a parameter name for a file name: bytes outside `[A-Za-z0-9._-]` become `~XX`. Never contains `%`. */
export function encodeParameterName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE_BYTE.test(ch) ? ch : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of encodeParameterName; undefined when `encoded` is not a valid encoding. */
export function decodeParameterName(encoded: string): string | undefined {
  if (!/^(?:[A-Za-z0-9._-]|~[0-9A-F]{2})*$/.test(encoded)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; ) {
    if (encoded[i] === '~') {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(encoded.charCodeAt(i));
      i += 1;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

function fileName(prefix: string, body: string): string {
  const name = `${prefix}${body}${SUFFIX}`;
  if (Buffer.byteLength(name) <= MAX_FILE_NAME_BYTES) return name;
  return `${prefix}~~${createHash('sha256').update(body).digest('hex')}${SUFFIX}`;
}

export function stepFileName(stepInternalName: string): string {
  return fileName(STEP_PREFIX, stepInternalName);
}
export function branchFileName(branchInternalName: string): string {
  return fileName(BRANCH_PREFIX, branchInternalName);
}
/** `branch` undefined: root scope. */
export function parameterFileName(name: string, branch?: string): string {
  const enc = encodeParameterName(name);
  return fileName(PARAM_PREFIX, branch === undefined ? enc : `${branch}%${enc}`);
}

export type ParsedFileName =
  | { kind: 'header' }
  | { kind: 'step'; name?: string }
  | { kind: 'branch'; name?: string }
  | { kind: 'parameter'; scope?: string; name?: string };

/**
 * What a file of a run folder holds, from its name alone. `name` (and `scope`) are absent for hashed long names, whose
 * identity is only in the content. Undefined for files that are not records (temp files, anything unknown).
 */
export function parseFileName(file: string): ParsedFileName | undefined {
  if (file.startsWith('.') || !file.endsWith(SUFFIX)) return undefined;
  if (file === RUN_HEADER_FILE) return { kind: 'header' };
  const body = (prefix: string) => file.slice(prefix.length, -SUFFIX.length);
  const hashed = (b: string) => /^~~[0-9a-f]{64}$/.test(b);
  if (file.startsWith(STEP_PREFIX)) {
    const b = body(STEP_PREFIX);
    return hashed(b) ? { kind: 'step' } : { kind: 'step', name: b };
  }
  if (file.startsWith(BRANCH_PREFIX)) {
    const b = body(BRANCH_PREFIX);
    return hashed(b) ? { kind: 'branch' } : { kind: 'branch', name: b };
  }
  if (file.startsWith(PARAM_PREFIX)) {
    const b = body(PARAM_PREFIX);
    if (hashed(b)) return { kind: 'parameter' };
    const i = b.indexOf('%');
    const name = decodeParameterName(i < 0 ? b : b.slice(i + 1));
    if (name === undefined) return undefined;
    return i < 0 ? { kind: 'parameter', name } : { kind: 'parameter', scope: b.slice(0, i), name };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Records

interface StepRecord {
  seq: number;
  step: StepLog;
}
interface BranchRecord {
  seq: number;
  /** Incarnation of the branch: changes when the branch is re-created (absent in run logs of older versions). */
  gen?: string;
  branch: BranchLog;
}
interface ParameterRecord {
  seq: number;
  scope: string | null;
  /** The gen of the branch record this value belongs to (branch scopes only). */
  branch_gen?: string;
  name: string;
  parameter: Parameter;
}

let lastSeq = 0;
/** Creation sequence: ms timestamp * 1000, strictly increasing within the process (shared by all instances). */
function nextSeq(): number {
  lastSeq = Math.max(Date.now() * 1000, lastSeq + 1);
  return lastSeq;
}

function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunLogIntegrityError(`The run log record ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new RunLogIntegrityError(`The run log record ${file} is not valid JSON: ${(err as Error).message}. It was truncated or edited; restore it, or start a new run.`);
  }
}

/** Throws RunLogIntegrityError when a record read from `file` does not have its kind's shape. */
function checkRecord(kind: 'step' | 'branch' | 'parameter', rec: unknown, file: string): void {
  const r = rec as Partial<StepRecord & BranchRecord & ParameterRecord> | null;
  let problem: string | undefined;
  if (!r || typeof r !== 'object' || typeof r.seq !== 'number') problem = "it has no 'seq'";
  else if (kind === 'step') problem = stepShapeProblem(r.step, 'its step');
  else if (kind === 'branch') {
    const b = r.branch as Partial<BranchLog> | undefined;
    if (!b || typeof b !== 'object' || typeof b.internal_name !== 'string') problem = "its 'branch' has no internal_name";
    else problem = b.parameters === undefined ? undefined : parametersShapeProblem(b.parameters, 'its branch parameters');
  } else {
    if (typeof r.name !== 'string' || (r.scope !== null && typeof r.scope !== 'string')) problem = "it has no 'name' / 'scope'";
    else problem = parametersShapeProblem({ [r.name]: r.parameter }, 'its parameter');
  }
  if (problem) throw new RunLogIntegrityError(`The run log record ${file} is damaged: ${problem}. Restore it, or start a new run.`);
}

const bySeqThenName = <T extends { seq: number }>(name: (r: T) => string) => (a: T, b: T) =>
  a.seq - b.seq || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);

/** Sub-folder of a run folder holding the journals (one per writer, sharded: `journal/<xx>/<id>-<pid>.jsonl`). */
export const JOURNAL_FOLDER = 'journal';
const JOURNAL_SUFFIX = '.jsonl';

let lastStamp = 0;
/** Write stamp: microseconds of wall-clock time, strictly increasing, never below a stamp this process has read. */
function nextStamp(): number {
  lastStamp = Math.max(Math.floor((performance.timeOrigin + performance.now()) * 1000), lastStamp + 1);
  return lastStamp;
}
function observeStamp(w: number): void {
  if (w > lastStamp) lastStamp = w;
}

type AnyRecord = Partial<StepRecord & BranchRecord & ParameterRecord> & Record<string, unknown>;

/** The current value of one record: from the line (or record file) with the highest stamp. */
interface Slot {
  /** Stamp of the current value (-1: a record file). */
  w: number;
  /** Stamp of the first write of this incarnation of the record: its seq is that write's. */
  firstW: number;
  /** null: deleted. */
  rec: AnyRecord | null;
}

interface OwnJournal {
  /** Path relative to the journal folder: `<xx>/<id>-<pid>.jsonl`. */
  rel: string;
  fd: number;
}

/** What an instance knows of a run: every record, and how far it read each other writer's journal. */
interface RunView {
  slots: Map<string, Slot>;
  /** journal (relative path) → bytes read, and lines read (for error messages). */
  read: Map<string, { bytes: number; lines: number }>;
  own: OwnJournal | undefined;
}

function kindOfKey(key: string): ParsedFileName['kind'] | undefined {
  return parseFileName(key)?.kind;
}

/** Folds one record value into a view (values may arrive out of stamp order when several journals are read). */
function fold(view: RunView, key: string, w: number, rec: AnyRecord | null): void {
  observeStamp(w);
  const cur = view.slots.get(key);
  if (!cur) {
    view.slots.set(key, { w, firstW: w, rec });
    return;
  }
  const header = key === RUN_HEADER_FILE;
  if (w > cur.w) {
    if (cur.rec === null || rec === null) cur.firstW = w; // a deletion, or a record written again after one
    else if (!header) rec.seq = cur.rec.seq; // a record keeps the seq of its first write
    cur.w = w;
    cur.rec = rec;
  } else if (!header && rec !== null && cur.rec !== null && w < cur.firstW) {
    // an earlier write read after a later one: it is the record's first write, so its seq is the record's
    cur.rec.seq = rec.seq;
    cur.firstW = w;
  }
}

/**
 * A folder per run: the records create() was given as files, then one append-only journal per writer (see the
 * layout comment at the top of this file). For large runs (flat write cost per step) and parallel runs (concurrent
 * writers of different records).
 */
export class ChunkedFsRunLogStore implements RunLogStore {
  readonly type = 'chunked-fs';
  readonly capabilities = { crossProcess: true, concurrentWriters: true };
  readonly folder: string;
  get localRoot(): string {
    return this.folder;
  }
  /** run id → what this instance knows of the run it writes. */
  private readonly views = new Map<string, RunView>();
  /** Owner records: `<run folder>/.owner/owner-<n>.json` (ignored when the run log is read). */
  private readonly owners = new OwnerFiles((runId) => path.join(this.runDir(runId), '.owner'));
  /** Step cache index: `<log_folder>/.step-cache/<key[0..2]>/<key>.<fingerprint>.<run>.json` (see cache-files.ts). */
  private readonly cacheFiles: CacheFiles;

  constructor(private readonly cfg: ChunkedFsRunLogStoreConfig = {}) {
    this.folder = path.resolve(cfg.log_folder ?? '.run_log_store');
    this.cacheFiles = new CacheFiles(path.join(this.folder, '.step-cache'));
  }

  private runDir(runId: string): string {
    return path.join(this.folder, runId);
  }

  // ----- create -----------------------------------------------------------------------------------------------

  async create(runLog: RunLog): Promise<void> {
    const runId = runLog.run_id;
    const target = this.runDir(runId);
    fs.mkdirSync(this.folder, { recursive: true });
    // Build the complete run folder under a temp name, then rename it into place: rename fails when the run folder
    // exists (and is not empty: it always holds RunLog.json), so exactly one racing creator wins, atomically.
    const staging = path.join(this.folder, `.${runId}.${process.pid}.${randomBytes(4).toString('hex')}.creating`);
    fs.mkdirSync(staging);
    try {
      const doc = structuredClone(runLog);
      const write = (file: string, data: unknown) => fs.writeFileSync(path.join(staging, file), JSON.stringify(data, null, 2));
      write(RUN_HEADER_FILE, { ...doc, steps: {}, parameters: {} });
      for (const [name, parameter] of Object.entries(doc.parameters ?? {})) {
        const rec: ParameterRecord = { seq: nextSeq(), scope: null, name, parameter };
        write(parameterFileName(name), rec);
      }
      for (const step of Object.values(doc.steps ?? {})) this.writeStepTree(step, write);
      try {
        fs.renameSync(staging, target);
      } catch (err) {
        if (!fs.existsSync(target)) throw err;
        let status: RunLog['status'] | undefined;
        try {
          status = (this.load(runId).slots.get(RUN_HEADER_FILE)?.rec as RunLog | undefined)?.status;
        } catch {
          /* unreadable: still taken */
        }
        throw new RunLogExistsError(runId, status);
      }
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    this.forget(runId);
  }

  /** Writes a step, and the branches it carries inline (with their steps, recursively), as fresh records. */
  private writeStepTree(step: StepLog, write: (key: string, data: AnyRecord) => void): void {
    const rec: StepRecord = { seq: nextSeq(), step: { ...step, branches: {} } };
    write(stepFileName(step.internal_name), rec as unknown as AnyRecord);
    for (const [key, branch] of Object.entries(step.branches ?? {})) this.writeBranchTree(step.internal_name, key, branch, write);
  }

  private writeBranchTree(
    stepName: string,
    key: string,
    branch: BranchLog,
    write: (key: string, data: AnyRecord) => void,
    seq: number = nextSeq(),
  ): void {
    if (key !== branch.internal_name || parentStepOf(key) !== stepName) {
      throw new Error(`step '${stepName}' carries branch log '${branch.internal_name}' under the key '${key}': the key must be the branch's internal name, <step>.<branch>`);
    }
    const rec: BranchRecord = { seq, branch: { ...branch, parameters: {}, steps: {} } };
    write(branchFileName(key), rec as unknown as AnyRecord);
    for (const [name, parameter] of Object.entries(branch.parameters ?? {})) {
      const p: ParameterRecord = { seq: nextSeq(), scope: key, name, parameter };
      write(parameterFileName(name, key), p as unknown as AnyRecord);
    }
    for (const [stepKey, step] of Object.entries(branch.steps ?? {})) {
      if (stepKey !== step.internal_name || parentBranchOf(stepKey) !== key) {
        throw new Error(`branch '${key}' carries step log '${step.internal_name}' under the key '${stepKey}': the key must be the step's internal name, <branch>.<step>`);
      }
      this.writeStepTree(step, write);
    }
  }

  // ----- reading the files into a view ------------------------------------------------------------------------

  /** Reads a run from its files: the header, the record files, then every journal. */
  private load(runId: string, skipJournal?: string): RunView {
    const dir = this.runDir(runId);
    const headerFile = path.join(dir, RUN_HEADER_FILE);
    const header = readJson<RunLog>(headerFile);
    if (!header) throw new RunLogNotFoundError(runId, this.folder);
    const problem = runLogShapeProblem(header, true);
    if (problem) throw new RunLogIntegrityError(`The run log ${headerFile} is damaged: ${problem}. It was edited, truncated or written by something else; restore it, or start a new run.`);
    const view: RunView = { slots: new Map(), read: new Map(), own: undefined };
    view.slots.set(RUN_HEADER_FILE, { w: -1, firstW: -1, rec: header as unknown as AnyRecord });
    for (const file of fs.readdirSync(dir)) {
      const parsed = parseFileName(file);
      if (!parsed || parsed.kind === 'header') continue;
      // A record file never vanishes in this layout, but a run of the first layout being rewritten by an older
      // version may replace one: skip it.
      const rec = readJson<AnyRecord>(path.join(dir, file));
      if (!rec) continue;
      checkRecord(parsed.kind, rec, path.join(dir, file));
      view.slots.set(file, { w: -1, firstW: -1, rec });
    }
    this.readJournals(runId, view, skipJournal);
    return view;
  }

  /** Reads what the journals of other writers gained since this view last read them. */
  private readJournals(runId: string, view: RunView, skip?: string): void {
    const jdir = path.join(this.runDir(runId), JOURNAL_FOLDER);
    for (const shard of readdirOrEmptySync(jdir)) {
      if (shard.startsWith('.')) continue;
      let files: string[];
      try {
        files = fs.readdirSync(path.join(jdir, shard));
      } catch {
        continue; // not a folder
      }
      for (const f of files) {
        if (f.startsWith('.') || !f.endsWith(JOURNAL_SUFFIX)) continue;
        const rel = `${shard}/${f}`;
        if (rel === skip) continue;
        this.tail(view, path.join(jdir, rel), rel);
      }
    }
  }

  /** Folds the complete lines a journal gained since `view` last read it; a last line without newline waits. */
  private tail(view: RunView, file: string, rel: string): void {
    const pos = view.read.get(rel) ?? { bytes: 0, lines: 0 };
    let buf: Buffer;
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new RunLogIntegrityError(`The run log journal ${file} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= pos.bytes) return;
      buf = Buffer.allocUnsafe(size - pos.bytes);
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, pos.bytes + got);
        if (n === 0) break;
        got += n;
      }
      buf = buf.subarray(0, got);
    } finally {
      fs.closeSync(fd);
    }
    const end = buf.lastIndexOf(10);
    if (end < 0) return;
    const lines = buf.toString('utf8', 0, end).split('\n');
    for (const line of lines) {
      pos.lines += 1;
      if (!line) continue;
      let entry: { w?: unknown; k?: unknown; r?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch (err) {
        throw new RunLogIntegrityError(`The run log journal ${file} is corrupt at line ${pos.lines}: ${(err as Error).message}. It was edited or damaged; restore it, or start a new run.`);
      }
      const kind = typeof entry.k === 'string' ? kindOfKey(entry.k) : undefined;
      if (!entry || typeof entry.w !== 'number' || kind === undefined || typeof entry.r !== 'object') {
        throw new RunLogIntegrityError(`The run log journal ${file} is corrupt at line ${pos.lines}: it is not a record line ({"w", "k", "r"}). It was edited or damaged; restore it, or start a new run.`);
      }
      const key = entry.k as string;
      const rec = entry.r as AnyRecord | null;
      if (rec !== null) {
        const where = `${key} (${file} line ${pos.lines})`;
        if (kind === 'header') {
          const problem = runLogShapeProblem(rec, true);
          if (problem) throw new RunLogIntegrityError(`The run log record ${where} is damaged: ${problem}. Restore it, or start a new run.`);
        } else checkRecord(kind, rec, where);
      }
      fold(view, key, entry.w, rec);
    }
    pos.bytes += end + 1;
    view.read.set(rel, pos);
  }

  /** This instance's view of a run (read from the files the first time). */
  private view(runId: string): RunView {
    let v = this.views.get(runId);
    if (!v) {
      v = this.load(runId);
      this.views.set(runId, v);
    }
    return v;
  }

  private forget(runId: string): void {
    const v = this.views.get(runId);
    if (v?.own) fs.closeSync(v.own.fd);
    this.views.delete(runId);
  }

  // ----- apply ------------------------------------------------------------------------------------------------

  async apply(runId: string, ops: readonly RunLogOp[]): Promise<void> {
    const dir = this.runDir(runId);
    if (!fs.existsSync(path.join(dir, RUN_HEADER_FILE))) {
      this.forget(runId);
      throw new RunLogNotFoundError(runId, this.folder);
    }
    const view = this.view(runId);
    const lines: string[] = [];
    const write = (key: string, rec: AnyRecord | null) => {
      const w = nextStamp();
      const line = JSON.stringify({ w, k: key, r: rec });
      lines.push(line);
      // the view keeps its own copy: the op's objects belong to the caller
      fold(view, key, w, rec === null ? null : (JSON.parse(line) as { r: AnyRecord }).r);
    };
    try {
      for (const op of ops) this.applyOne(runId, view, op, write);
    } catch (err) {
      if (lines.length) this.append(runId, view, lines);
      throw err;
    }
    if (lines.length) this.append(runId, view, lines);
  }

  /** Appends lines to this instance's journal of the run, in one write call. */
  private append(runId: string, view: RunView, lines: string[]): void {
    const data = Buffer.from(lines.join('\n') + '\n');
    let own = view.own;
    try {
      if (!own) {
        const id = randomBytes(6).toString('hex');
        const rel = `${id.slice(0, 2)}/${id}-${process.pid}${JOURNAL_SUFFIX}`;
        const file = path.join(this.runDir(runId), JOURNAL_FOLDER, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        own = view.own = { rel, fd: fs.openSync(file, 'ax') };
      }
      let done = 0;
      while (done < data.length) done += fs.writeSync(own.fd, data, done, data.length - done);
    } catch (err) {
      // The journal may end with a torn line now: never append after it. The view is ahead of the files: drop it.
      this.forget(runId);
      throw err;
    }
  }

  private applyOne(runId: string, view: RunView, op: RunLogOp, write: (key: string, rec: AnyRecord | null) => void): void {
    const current = (key: string): AnyRecord | undefined => view.slots.get(key)?.rec ?? undefined;
    /** Looks in the view, then in what the other writers wrote since. */
    const find = (key: string): AnyRecord | undefined => {
      const known = current(key);
      if (known) return known;
      this.readJournals(runId, view, view.own?.rel);
      return current(key);
    };
    const missingBranch = (branch: string, forWhat: string) =>
      new Error(`run log ${runId}: branch '${branch}' does not exist (needed for ${forWhat})`);
    const requireBranch = (branch: string | undefined, forWhat: string) => {
      if (branch !== undefined && !find(branchFileName(branch))) throw missingBranch(branch, forWhat);
    };
    /** The seq of a record this instance knows; a new record gets a new one (reads keep the first write's). */
    const seqOf = (key: string): number => (current(key)?.seq as number | undefined) ?? nextSeq();

    switch (op.op) {
      case 'status':
      case 'run_config': {
        // read-modify-write: read what the other writers wrote first
        this.readJournals(runId, view, view.own?.rel);
        if (op.op === 'status' && op.branch !== undefined) {
          const key = branchFileName(op.branch);
          const rec = current(key) as BranchRecord | undefined;
          if (!rec) throw missingBranch(op.branch, 'a status change');
          write(key, { ...rec, branch: { ...rec.branch, status: op.status } } as unknown as AnyRecord);
          return;
        }
        const header = current(RUN_HEADER_FILE) as RunLog | undefined;
        if (!header) throw new RunLogNotFoundError(runId, this.folder);
        write(RUN_HEADER_FILE, (op.op === 'status' ? { ...header, status: op.status } : { ...header, run_config: op.run_config }) as unknown as AnyRecord);
        return;
      }
      case 'params': {
        let gen: string | undefined;
        if (op.branch !== undefined) {
          const b = find(branchFileName(op.branch)) as BranchRecord | undefined;
          if (!b) throw missingBranch(op.branch, 'parameters');
          gen = b.gen;
        }
        for (const [name, parameter] of Object.entries(op.params)) {
          const key = parameterFileName(name, op.branch);
          const rec: ParameterRecord = { seq: seqOf(key), scope: op.branch ?? null, ...(gen !== undefined && { branch_gen: gen }), name, parameter };
          write(key, rec as unknown as AnyRecord);
        }
        return;
      }
      case 'step': {
        const name = op.step.internal_name;
        requireBranch(parentBranchOf(name), `step '${name}'`);
        const key = stepFileName(name);
        const rec: StepRecord = { seq: seqOf(key), step: { ...op.step, branches: {} } };
        write(key, rec as unknown as AnyRecord);
        // Branch logs carried inline replace the branch (steps, parameters and all); the others are kept.
        for (const [bkey, branch] of Object.entries(op.step.branches ?? {})) {
          const bk = branchFileName(bkey);
          const existing = find(bk);
          if (existing) this.deleteRecords(view, write, (r) => (r.kind === 'parameter' ? r.scope === bkey || r.scope.startsWith(`${bkey}.`) : r.name.startsWith(`${bkey}.`)));
          this.writeBranchTree(name, bkey, branch, write, (existing?.seq as number | undefined) ?? nextSeq());
        }
        return;
      }
      case 'branch': {
        const name = op.branch.internal_name;
        const stepName = parentStepOf(name);
        if (!find(stepFileName(stepName))) {
          throw new Error(`run log ${runId}: step '${stepName}' does not exist (needed for branch '${name}')`);
        }
        const key = branchFileName(name);
        // One write creates (or re-creates) the branch with its parameters, under a new gen: the parameter records
        // of an earlier incarnation no longer count, without listing or deleting anything.
        const gen = randomBytes(6).toString('hex');
        const rec: BranchRecord = { seq: seqOf(key), gen, branch: { ...op.branch, parameters: { ...(op.branch.parameters ?? {}) }, steps: {} } };
        write(key, rec as unknown as AnyRecord);
        return;
      }
    }
  }

  /** Writes deletions of the records matching `match` (identity from the key, or from the content for hashed keys). */
  private deleteRecords(
    view: RunView,
    write: (key: string, rec: AnyRecord | null) => void,
    match: (r: { kind: 'step' | 'branch'; name: string } | { kind: 'parameter'; scope: string; name: string }) => boolean,
  ): void {
    for (const [key, slot] of [...view.slots]) {
      const parsed = parseFileName(key);
      const rec = slot.rec;
      if (!parsed || parsed.kind === 'header' || rec === null) continue;
      let id: Parameters<typeof match>[0] | undefined;
      if (parsed.kind === 'parameter') id = typeof rec.scope === 'string' ? { kind: 'parameter', scope: rec.scope, name: rec.name as string } : undefined;
      else {
        const name = parsed.kind === 'step' ? rec.step?.internal_name : rec.branch?.internal_name;
        id = name === undefined ? undefined : { kind: parsed.kind, name };
      }
      if (id && match(id)) write(key, null);
    }
  }

  // ----- read -------------------------------------------------------------------------------------------------

  async getStep(runId: string, internalName: string): Promise<StepLog | undefined> {
    const dir = this.runDir(runId);
    if (!fs.existsSync(path.join(dir, RUN_HEADER_FILE))) throw new RunLogNotFoundError(runId, this.folder);
    // a view loaded now has read every journal; a kept one reads what the others gained since
    let view = this.views.get(runId);
    if (view) this.readJournals(runId, view, view.own?.rel);
    else view = this.view(runId);
    const rec = view.slots.get(stepFileName(internalName))?.rec as StepRecord | null | undefined;
    return rec ? structuredClone(rec.step) : undefined;
  }

  async get(runId: string): Promise<RunLog> {
    // always from the files (every journal, this instance's own included)
    const view = this.load(runId);
    const doc = view.slots.get(RUN_HEADER_FILE)!.rec as unknown as RunLog; // the view is this call's own
    doc.steps = {};
    doc.parameters = {};

    const steps: StepRecord[] = [];
    const branches: BranchRecord[] = [];
    const params: ParameterRecord[] = [];
    for (const [key, { rec }] of view.slots) {
      if (rec === null) continue;
      const kind = kindOfKey(key);
      if (kind === 'step') steps.push(rec as unknown as StepRecord);
      else if (kind === 'branch') branches.push(rec as unknown as BranchRecord);
      else if (kind === 'parameter') params.push(rec as unknown as ParameterRecord);
    }
    steps.sort(bySeqThenName((r) => r.step.internal_name));
    branches.sort(bySeqThenName((r) => r.branch.internal_name));
    params.sort(bySeqThenName((r) => r.name));

    // Stitch. Records whose container is missing (possible only after a crash mid-way) are left out.
    const branchByName = new Map<string, BranchLog>();
    const genOf = new Map<string, string | undefined>();
    for (const { branch, gen } of branches) {
      branch.steps = {};
      branch.parameters = { ...(branch.parameters ?? {}) }; // the values it was created with
      branchByName.set(branch.internal_name, branch);
      genOf.set(branch.internal_name, gen);
    }
    for (const { scope, branch_gen, name, parameter } of params) {
      const container = scope === null ? doc : branchByName.get(scope);
      // a value written for an earlier incarnation of a re-created branch does not count
      if (container && (scope === null || genOf.get(scope) === branch_gen)) container.parameters[name] = parameter;
    }
    const stepByName = new Map<string, StepLog>();
    for (const { step } of steps) {
      step.branches = {};
      const parent = parentBranchOf(step.internal_name);
      const container = parent === undefined ? doc : branchByName.get(parent);
      if (!container) continue;
      container.steps[step.internal_name] = step;
      stepByName.set(step.internal_name, step);
    }
    for (const { branch } of branches) {
      const step = stepByName.get(parentStepOf(branch.internal_name));
      if (step) step.branches[branch.internal_name] = branch;
    }
    return doc;
  }

  async acquireOwner(runId: string, owner: RunOwner, isGone: (current: RunOwner) => boolean): Promise<RunOwner | undefined> {
    if (!(await this.exists(runId))) throw new RunLogNotFoundError(runId, this.folder);
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

  async exists(runId: string): Promise<boolean> {
    return fs.existsSync(path.join(this.runDir(runId), RUN_HEADER_FILE));
  }

  async list(): Promise<string[]> {
    if (!fs.existsSync(this.folder)) return [];
    return fs
      .readdirSync(this.folder, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && fs.existsSync(path.join(this.folder, e.name, RUN_HEADER_FILE)))
      .map((e) => e.name);
  }

  /** Nothing to flush (every apply is on disk when it returns): closes this instance's journal of the run. */
  async close(runId: string): Promise<void> {
    this.forget(runId);
  }

  async putCacheEntry(entry: StepCacheEntry): Promise<void> {
    await this.cacheFiles.put(entry);
  }
  async getCacheEntries(key: string): Promise<StepCacheEntry[]> {
    return this.cacheFiles.get(key);
  }

  describe(runId: string): string {
    return path.relative(process.cwd(), this.runDir(runId)) || this.runDir(runId);
  }

  config(): Record<string, unknown> {
    return { service_name: 'chunked-fs', service_type: 'run_log_store', log_folder: this.cfg.log_folder ?? '.run_log_store' };
  }
}
