/*
 * chunked-fs layout
 * =================
 *
 * A folder per run, one file per record, so a write touches only the record it changes:
 *
 *   <log_folder>/<run_id>/
 *     RunLog.json                                  the run header: the RunLog with `steps: {}` and `parameters: {}`
 *                                                  left EMPTY (the values live in the files below)
 *     StepLog-<step internal name>.json            { "seq": n, "step": <StepLog with `branches: {}` left empty> }
 *     BranchLog-<branch internal name>.json        { "seq": n, "gen": g, "branch": <BranchLog with `steps: {}` left
 *                                                  empty; `parameters` holds the values the branch was created with
 *                                                  (a map's iteration value), so one atomic write creates both> }
 *     Parameter-<encoded name>.json                { "seq": n, "scope": null, "name": <name>, "parameter": <Parameter> }
 *     Parameter-<branch internal name>%<encoded name>.json
 *                                                  { "seq": n, "scope": <branch>, "branch_gen": g, "name": <name>,
 *                                                  "parameter": ... }  (values the branch's steps set later)
 *
 * - Empty child collections are kept as placeholders so the stitched run log has the same key order as the one the
 *   memory / file-system stores build with `applyOp`.
 * - Step and branch internal names are used verbatim (they never contain `/` or `%`). Parameter names are
 *   user-chosen: every UTF-8 byte outside `[A-Za-z0-9._-]` is written as `~XX` (upper-case hex), so `~` itself is
 *   `~7E`, `%` is `~25`, `/` is `~2F`, a space `~20`, `é` `~C3~A9`. An encoded name never contains `%`, so the first
 *   (only) `%` in a parameter file name separates the branch scope from the name, and no `%` means root scope.
 * - A file name longer than MAX_FILE_NAME_BYTES becomes `<prefix>~~<sha256 of the name part>.json` (`~~` cannot
 *   occur in an encoded parameter name). Every file also holds its own identity (step / branch internal name,
 *   parameter scope and name), and reads take the identity from the content, so such files stitch like the others.
 * - `seq` orders the records of a container: steps within the root or a branch, branches within a step, parameters
 *   within a scope. It is assigned when a record is first written (ms timestamp * 1000, strictly increasing within
 *   a process) and kept when the record is rewritten (from this instance's memory, else from the existing file).
 *   Reads order by (seq, name): the order of first writes, like the single-file store; records written by different
 *   processes at the same moment interleave deterministically.
 * - Files whose names start with `.` (temp files of atomic writes, a run folder being created) are ignored.
 *
 * Writes: every op of `apply()` writes only the file(s) of the records it changes, each atomically (temp file +
 * rename); nothing else is rewritten, so the cost of a step is flat however large the run is.
 * A `branch` op that re-creates an existing branch (a retry) writes the branch record with a new `gen`: parameter
 * files of the branch written under an older gen are ignored when the run log is read (and overwritten when the
 * same name is written again), so re-creating a branch costs O(that branch), never a listing of the run folder.
 * (A `step` op that carries branch logs inline replaces a whole subtree: it lists the run folder to delete the
 * records it drops. The engine does not send it.)
 *
 * Crashes: every file is written atomically, and a record never depends on a later write to be usable, so a
 * `kill -9` at any instant leaves a run log that reads back and that a retry can finish. Records are not fsynced
 * (a power loss may lose the last writes, never tear a file); reading a damaged record is a RunLogIntegrityError.
 *
 * Concurrency: several processes (or store instances) may write the same run at once without losing writes as long
 * as no two of them write the same record: e.g. each worker writes the steps, parameters and status of its own
 * branch, and one process (the orchestrator) writes the root status, run_config and the composite steps. Writers of
 * the same record race (last rename wins). The header (root status, run_config) is one record: read-modify-write.
 * `create()` is exclusive: the run folder is built under a temp name and renamed into place, which fails when the
 * run folder exists; so exactly one of several racing creators succeeds, and readers never see a half-created run.
 * `get()` always reads the files; the only in-memory state is the seq of records this instance wrote.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { parametersShapeProblem, parentBranchOf, parentStepOf, runLogShapeProblem, stepShapeProblem, type RunLogOp } from '../document';
import type { RunLogStore, RunOwner, StepCacheEntry } from '../store';
import { OwnerFiles } from '../owner-files';
import { CacheFiles } from '../cache-files';
import type { BranchLog, Parameter, RunLog, StepLog } from '../types';
import { RunLogExistsError, RunLogIntegrityError, RunLogNotFoundError } from '../../../errors';
import { writeFileAtomicSync } from '../../../util/fs';

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

/**
 * A folder per run, one file per step log, branch log and parameter (see the layout comment at the top of this
 * file). For large runs (flat write cost per step) and parallel runs (concurrent writers of different records).
 */
export class ChunkedFsRunLogStore implements RunLogStore {
  readonly type = 'chunked-fs';
  readonly capabilities = { crossProcess: true, concurrentWriters: true };
  readonly folder: string;
  get localRoot(): string {
    return this.folder;
  }
  /** run id → file name → seq, for records this instance wrote or read. */
  private readonly seqs = new Map<string, Map<string, number>>();
  /** run id → branch internal name → gen of its record, for branches this instance wrote or read. */
  private readonly gens = new Map<string, Map<string, string | undefined>>();
  /** Owner records: `<run folder>/.owner/owner-<n>.json` (ignored when the run log is read). */
  private readonly owners = new OwnerFiles((runId) => path.join(this.runDir(runId), '.owner'));
  /** Step cache index: `<log_folder>/.step-cache/<key>/<fingerprint>.json` (see cache-files.ts). */
  private cacheFilesOf: CacheFiles | undefined;
  private get cacheFiles(): CacheFiles {
    return (this.cacheFilesOf ??= new CacheFiles(path.join(this.folder, '.step-cache')));
  }

  constructor(private readonly cfg: ChunkedFsRunLogStoreConfig = {}) {
    this.folder = path.resolve(cfg.log_folder ?? '.run_log_store');
  }

  private runDir(runId: string): string {
    return path.join(this.folder, runId);
  }

  private seqCache(runId: string): Map<string, number> {
    let m = this.seqs.get(runId);
    if (!m) this.seqs.set(runId, (m = new Map()));
    return m;
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
    const seqs = new Map<string, number>();
    try {
      const doc = structuredClone(runLog);
      const write = (file: string, data: unknown) => fs.writeFileSync(path.join(staging, file), JSON.stringify(data, null, 2));
      write(RUN_HEADER_FILE, { ...doc, steps: {}, parameters: {} });
      for (const [name, parameter] of Object.entries(doc.parameters ?? {})) {
        const rec: ParameterRecord = { seq: nextSeq(), scope: null, name, parameter };
        const file = parameterFileName(name);
        write(file, rec);
        seqs.set(file, rec.seq);
      }
      for (const step of Object.values(doc.steps ?? {})) this.writeStepTree(step, (file, seq) => seqs.set(file, seq), write);
      try {
        fs.renameSync(staging, target);
      } catch (err) {
        if (!fs.existsSync(target)) throw err;
        throw new RunLogExistsError(runId, readJson<RunLog>(path.join(target, RUN_HEADER_FILE))?.status);
      }
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    this.seqs.set(runId, seqs);
    this.gens.delete(runId);
  }

  /** Writes a step, and the branches it carries inline (with their steps, recursively), as fresh records. */
  private writeStepTree(
    step: StepLog,
    remember: (file: string, seq: number) => void,
    write: (file: string, data: unknown) => void,
  ): void {
    const file = stepFileName(step.internal_name);
    const rec: StepRecord = { seq: nextSeq(), step: { ...step, branches: {} } };
    write(file, rec);
    remember(file, rec.seq);
    for (const [key, branch] of Object.entries(step.branches ?? {})) this.writeBranchTree(step.internal_name, key, branch, remember, write);
  }

  private writeBranchTree(
    stepName: string,
    key: string,
    branch: BranchLog,
    remember: (file: string, seq: number) => void,
    write: (file: string, data: unknown) => void,
    seq: number = nextSeq(),
  ): void {
    if (key !== branch.internal_name || parentStepOf(key) !== stepName) {
      throw new Error(`step '${stepName}' carries branch log '${branch.internal_name}' under the key '${key}': the key must be the branch's internal name, <step>.<branch>`);
    }
    const file = branchFileName(key);
    const rec: BranchRecord = { seq, branch: { ...branch, parameters: {}, steps: {} } };
    write(file, rec);
    remember(file, rec.seq);
    for (const [name, parameter] of Object.entries(branch.parameters ?? {})) {
      const p: ParameterRecord = { seq: nextSeq(), scope: key, name, parameter };
      const pf = parameterFileName(name, key);
      write(pf, p);
      remember(pf, p.seq);
    }
    for (const [stepKey, step] of Object.entries(branch.steps ?? {})) {
      if (stepKey !== step.internal_name || parentBranchOf(stepKey) !== key) {
        throw new Error(`branch '${key}' carries step log '${step.internal_name}' under the key '${stepKey}': the key must be the step's internal name, <branch>.<step>`);
      }
      this.writeStepTree(step, remember, write);
    }
  }

  // ----- apply ------------------------------------------------------------------------------------------------

  async apply(runId: string, ops: readonly RunLogOp[]): Promise<void> {
    const dir = this.runDir(runId);
    if (!fs.existsSync(path.join(dir, RUN_HEADER_FILE))) throw new RunLogNotFoundError(runId, this.folder);
    for (const op of ops) this.applyOne(runId, dir, op);
  }

  private applyOne(runId: string, dir: string, op: RunLogOp): void {
    const cache = this.seqCache(runId);
    // the run folder exists (apply checked its header file): no mkdir per write
    // atomic, not fsynced: a record per step; a power loss may lose the last records, never tear one (docs/guarantees.md)
    const write = (file: string, data: unknown) => writeFileAtomicSync(path.join(dir, file), JSON.stringify(data, null, 2), { mkdir: false, durable: false });
    const remember = (file: string, seq: number) => cache.set(file, seq);
    const missingBranch = (branch: string, forWhat: string) =>
      new Error(`run log ${runId}: branch '${branch}' does not exist (needed for ${forWhat})`);
    const requireBranch = (branch: string | undefined, forWhat: string) => {
      if (branch !== undefined && !fs.existsSync(path.join(dir, branchFileName(branch)))) throw missingBranch(branch, forWhat);
    };
    /** The seq of an existing record: from memory, else from its file; undefined when it does not exist. */
    const existingSeq = (file: string): number | undefined => {
      const known = cache.get(file);
      if (known !== undefined) return known;
      const abs = path.join(dir, file);
      if (!fs.existsSync(abs)) return undefined; // a new record: cheaper than reading and catching ENOENT
      const seq = readJson<{ seq: number }>(abs)?.seq;
      if (seq !== undefined) cache.set(file, seq);
      return seq;
    };

    switch (op.op) {
      case 'status':
      case 'run_config': {
        if (op.op === 'status' && op.branch !== undefined) {
          const file = branchFileName(op.branch);
          const rec = readJson<BranchRecord>(path.join(dir, file));
          if (!rec) throw missingBranch(op.branch, 'a status change');
          rec.branch.status = op.status;
          write(file, rec);
          remember(file, rec.seq);
          return;
        }
        const header = readJson<RunLog>(path.join(dir, RUN_HEADER_FILE));
        if (!header) throw new RunLogNotFoundError(runId, this.folder);
        if (op.op === 'status') header.status = op.status;
        else header.run_config = structuredClone(op.run_config);
        write(RUN_HEADER_FILE, header);
        return;
      }
      case 'params': {
        const gen = op.branch === undefined ? undefined : this.branchGen(runId, dir, op.branch, 'parameters');
        for (const [name, parameter] of Object.entries(op.params)) {
          const file = parameterFileName(name, op.branch);
          const rec: ParameterRecord = { seq: existingSeq(file) ?? nextSeq(), scope: op.branch ?? null, ...(gen !== undefined && { branch_gen: gen }), name, parameter };
          write(file, rec);
          remember(file, rec.seq);
        }
        return;
      }
      case 'step': {
        const name = op.step.internal_name;
        requireBranch(parentBranchOf(name), `step '${name}'`);
        const file = stepFileName(name);
        const rec: StepRecord = { seq: existingSeq(file) ?? nextSeq(), step: { ...op.step, branches: {} } };
        write(file, rec);
        remember(file, rec.seq);
        // Branch logs carried inline replace the branch (steps, parameters and all); the others are kept.
        for (const [key, branch] of Object.entries(op.step.branches ?? {})) {
          const bf = branchFileName(key);
          const seq = existingSeq(bf);
          if (seq !== undefined) this.deleteRecords(runId, dir, (r) => r.kind === 'parameter' ? r.scope === key || r.scope.startsWith(`${key}.`) : r.name.startsWith(`${key}.`));
          this.writeBranchTree(name, key, branch, remember, write, seq ?? nextSeq());
          this.genCache(runId).set(key, undefined); // records written inline carry no gen
        }
        return;
      }
      case 'branch': {
        const name = op.branch.internal_name;
        const stepName = parentStepOf(name);
        if (!fs.existsSync(path.join(dir, stepFileName(stepName)))) {
          throw new Error(`run log ${runId}: step '${stepName}' does not exist (needed for branch '${name}')`);
        }
        const file = branchFileName(name);
        const seq = existingSeq(file);
        // One atomic write creates (or re-creates) the branch with its parameters, under a new gen: the parameter
        // files of an earlier incarnation no longer count, without listing or deleting anything.
        const gen = randomBytes(6).toString('hex');
        const rec: BranchRecord = { seq: seq ?? nextSeq(), gen, branch: { ...op.branch, parameters: { ...(op.branch.parameters ?? {}) }, steps: {} } };
        write(file, rec);
        remember(file, rec.seq);
        this.genCache(runId).set(name, gen);
        return;
      }
    }
  }

  private genCache(runId: string): Map<string, string | undefined> {
    let m = this.gens.get(runId);
    if (!m) this.gens.set(runId, (m = new Map()));
    return m;
  }

  /** The gen of a branch's record (from memory, else its file); throws when the branch does not exist. */
  private branchGen(runId: string, dir: string, branch: string, forWhat: string): string | undefined {
    const cache = this.genCache(runId);
    if (cache.has(branch)) return cache.get(branch);
    const file = path.join(dir, branchFileName(branch));
    const rec = readJson<BranchRecord>(file);
    if (!rec) throw new Error(`run log ${runId}: branch '${branch}' does not exist (needed for ${forWhat})`);
    checkRecord('branch', rec, file);
    cache.set(branch, rec.gen);
    return rec.gen;
  }

  /** Deletes the records matching `match` (identity from the file name, or from the content for hashed names). */
  private deleteRecords(
    runId: string,
    dir: string,
    match: (r: { kind: 'step' | 'branch'; name: string } | { kind: 'parameter'; scope: string; name: string }) => boolean,
  ): void {
    const cache = this.seqCache(runId);
    for (const file of fs.readdirSync(dir)) {
      const parsed = parseFileName(file);
      if (!parsed || parsed.kind === 'header') continue;
      let id: Parameters<typeof match>[0] | undefined;
      if (parsed.kind === 'parameter') {
        if (parsed.name !== undefined) id = parsed.scope === undefined ? undefined : { kind: 'parameter', scope: parsed.scope, name: parsed.name };
        else {
          const rec = readJson<ParameterRecord>(path.join(dir, file));
          id = rec && rec.scope !== null ? { kind: 'parameter', scope: rec.scope, name: rec.name } : undefined;
        }
      } else if (parsed.name !== undefined) id = { kind: parsed.kind, name: parsed.name };
      else {
        const rec = readJson<Partial<StepRecord & BranchRecord>>(path.join(dir, file));
        const name = parsed.kind === 'step' ? rec?.step?.internal_name : rec?.branch?.internal_name;
        id = name === undefined ? undefined : { kind: parsed.kind, name };
      }
      if (id && match(id)) {
        fs.rmSync(path.join(dir, file), { force: true });
        cache.delete(file);
      }
    }
  }

  // ----- read -------------------------------------------------------------------------------------------------

  async getStep(runId: string, internalName: string): Promise<StepLog | undefined> {
    const dir = this.runDir(runId);
    if (!fs.existsSync(path.join(dir, RUN_HEADER_FILE))) throw new RunLogNotFoundError(runId, this.folder);
    return readJson<StepRecord>(path.join(dir, stepFileName(internalName)))?.step;
  }

  async get(runId: string): Promise<RunLog> {
    const dir = this.runDir(runId);
    const headerFile = path.join(dir, RUN_HEADER_FILE);
    const doc = readJson<RunLog>(headerFile);
    if (!doc) throw new RunLogNotFoundError(runId, this.folder);
    const problem = runLogShapeProblem(doc, true);
    if (problem) throw new RunLogIntegrityError(`The run log ${headerFile} is damaged: ${problem}. It was edited, truncated or written by something else; restore it, or start a new run.`);
    doc.steps = {};
    doc.parameters = {};

    const steps: StepRecord[] = [];
    const branches: BranchRecord[] = [];
    const params: ParameterRecord[] = [];
    for (const file of fs.readdirSync(dir)) {
      const parsed = parseFileName(file);
      if (!parsed || parsed.kind === 'header') continue;
      // A file may vanish between readdir and read (a concurrent writer replacing a branch): skip it.
      const rec = readJson<StepRecord & BranchRecord & ParameterRecord>(path.join(dir, file));
      if (!rec) continue;
      checkRecord(parsed.kind, rec, path.join(dir, file));
      if (parsed.kind === 'step') steps.push(rec);
      else if (parsed.kind === 'branch') branches.push(rec);
      else params.push(rec);
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

  /** Nothing to flush (every apply is on disk when it returns); forgets the seqs remembered for the run. */
  async close(runId: string): Promise<void> {
    this.seqs.delete(runId);
    this.gens.delete(runId);
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
