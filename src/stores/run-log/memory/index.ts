import { applyOp, findStep, type RunLogOp } from '../document';
import type { RunLogStore, RunOwner, StepCacheEntry } from '../store';
import type { RunLog, StepLog } from '../types';
import { checkCacheEntry, checkDigest, entryId, newestFirst } from '../cache-files';
import { RunLogExistsError, RunLogNotFoundError, RunOwnedError } from '../../../errors';

/** Keeps run logs in memory (lost when the process ends). For tests and throw-away runs. */
export class MemoryRunLogStore implements RunLogStore {
  readonly type = 'memory';
  readonly capabilities = { crossProcess: false, concurrentWriters: false };
  private readonly runs = new Map<string, RunLog>();
  private readonly owners = new Map<string, RunOwner>();
  /** Step cache index: key → entry id (fingerprint and run) → entry. */
  private readonly cache = new Map<string, Map<string, StepCacheEntry>>();

  async create(runLog: RunLog): Promise<void> {
    const existing = this.runs.get(runLog.run_id);
    if (existing) throw new RunLogExistsError(runLog.run_id, existing.status);
    this.runs.set(runLog.run_id, structuredClone(runLog));
  }
  async get(runId: string): Promise<RunLog> {
    const doc = this.runs.get(runId);
    if (!doc) throw new RunLogNotFoundError(runId, 'the in-memory run log store');
    return structuredClone(doc);
  }
  async getStep(runId: string, internalName: string): Promise<StepLog | undefined> {
    const doc = this.runs.get(runId);
    if (!doc) throw new RunLogNotFoundError(runId, 'the in-memory run log store');
    return structuredClone(findStep(doc, internalName));
  }
  async exists(runId: string): Promise<boolean> {
    return this.runs.has(runId);
  }
  async apply(runId: string, ops: readonly RunLogOp[]): Promise<void> {
    const doc = this.runs.get(runId);
    if (!doc) throw new RunLogNotFoundError(runId, 'the in-memory run log store');
    for (const op of ops) applyOp(doc, structuredClone(op));
  }
  async list(): Promise<string[]> {
    return [...this.runs.keys()];
  }
  async close(): Promise<void> {}
  async acquireOwner(runId: string, owner: RunOwner, isGone: (current: RunOwner) => boolean): Promise<RunOwner | undefined> {
    const current = this.owners.get(runId);
    if (current && !isGone(structuredClone(current))) throw new RunOwnedError(runId, current);
    this.owners.set(runId, structuredClone(owner));
    return current;
  }
  async heartbeatOwner(runId: string, token: string, at: string): Promise<boolean> {
    const current = this.owners.get(runId);
    if (current?.token !== token) return false;
    current.heartbeat_at = at;
    return true;
  }
  async releaseOwner(runId: string, token: string): Promise<void> {
    if (this.owners.get(runId)?.token === token) this.owners.delete(runId);
  }
  async getOwner(runId: string): Promise<RunOwner | undefined> {
    const o = this.owners.get(runId);
    return o && structuredClone(o);
  }
  async putCacheEntry(entry: StepCacheEntry): Promise<void> {
    checkCacheEntry(entry);
    let byFp = this.cache.get(entry.key);
    if (!byFp) this.cache.set(entry.key, (byFp = new Map()));
    byFp.set(entryId(entry), structuredClone(entry));
  }
  async getCacheEntries(key: string): Promise<StepCacheEntry[]> {
    checkDigest('key', key);
    return newestFirst([...(this.cache.get(key)?.values() ?? [])].map((e) => structuredClone(e)));
  }
  describe(runId: string): string {
    return `memory://${runId}`;
  }
  config(): Record<string, unknown> {
    return { service_name: 'memory', service_type: 'run_log_store' };
  }
}
