import { applyOp, findStep, type RunLogOp } from '../document';
import type { RunLogStore } from '../store';
import type { RunLog, StepLog } from '../types';
import { RunLogExistsError, RunLogNotFoundError } from '../../../errors';

/** Keeps run logs in memory (lost when the process ends). For tests and throw-away runs. */
export class MemoryRunLogStore implements RunLogStore {
  readonly type = 'memory';
  readonly capabilities = { crossProcess: false, concurrentWriters: false };
  private readonly runs = new Map<string, RunLog>();

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
  describe(runId: string): string {
    return `memory://${runId}`;
  }
  config(): Record<string, unknown> {
    return { service_name: 'memory', service_type: 'run_log_store' };
  }
}
