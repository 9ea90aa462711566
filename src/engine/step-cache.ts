/**
 * The step cache at run time (docs/caching.md): before a task step is dispatched to the executor, the engine looks
 * its fingerprint up in the run-log store's index; on a hit it copies the earlier run's outputs (hash-verified) into
 * this run and records the step as SUCCESS with `cached_from`, without executing it. After a step with the cache on
 * succeeds, its fingerprint is recorded. All of it happens in the orchestrating process, so every executor (local,
 * emulator, local-container) gets it without doing anything. Fingerprints are computed in cache.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { taskNodes, type Graph, type TaskNode } from '../graph/graph';
import type { CacheSpec } from '../sdk/task';
import type { CachedFrom, DataCatalog, Parameter, RunLog, StepAttempt, StepLog } from '../stores/run-log/types';
import type { StepCacheEntry } from '../stores/run-log/store';
import { hashBytes, hashFile } from '../stores/catalog/catalog';
import { copyFileHashed, tempPathFor } from '../stores/catalog/copy';
import { filesToGet } from '../stores/catalog/files';
import { findStep, type RunLogOp } from '../stores/run-log/document';
import { timestamp } from '../util/time';
import { ParameterError } from '../errors';
import { CodeReader, inputsFingerprint, stepKey, taskCode } from './cache';
import { storedHash, stripRun } from './integrity';
import type { RunContext, Scope } from './context';
import { openStep } from './task-node';
import { validateRunId } from './run-id';

/** The run's cache settings: `--cache` / `cache: { enabled }` (all), `--no-cache` (off), `--refresh <step>`. */
export interface CacheSettings {
  /** Every task step has the cache on unless it says `cache: false`. */
  readonly all: boolean;
  /** Nothing is looked up (steps still record their fingerprints, for later runs). */
  readonly off: boolean;
  /** Steps (by name or dot path) executed even on a hit (their new fingerprints are recorded). */
  readonly refresh: ReadonlySet<string>;
}

/**
 * Per-run memory: the code reader (each file read once per run), the source runs read for hits, and the index
 * writes still in flight (they overlap with the next steps; the run waits for them before it ends).
 */
const runState = new WeakMap<RunContext, { code: CodeReader; runs: Map<string, Promise<RunLog | undefined>>; pending: Set<Promise<void>> }>();
function stateOf(ctx: RunContext) {
  let s = runState.get(ctx);
  if (!s) runState.set(ctx, (s = { code: new CodeReader(), runs: new Map(), pending: new Set() }));
  return s;
}

/** Waits for the run's step cache index writes still in flight (called when the run ends). */
export async function flushStepCache(ctx: RunContext): Promise<void> {
  const pending = runState.get(ctx)?.pending;
  while (pending?.size) await Promise.all([...pending]);
}

/** Names of every task step of a graph (branches and on-failure pipelines included). */
/** Refuses `--refresh` names that are no step of the pipeline (a typo would silently reuse what it meant to refresh). */
export function checkRefresh(graph: Graph, refresh: Iterable<string>): void {
  const names = new Set(taskNodes(graph).map((n) => n.name));
  for (const r of refresh) {
    const last = r.split('.').at(-1)!;
    if (!names.has(r) && !names.has(last)) {
      throw new ParameterError(`--refresh '${r}': pipeline '${graph.name}' has no task step of that name. Its task steps: ${[...names].join(', ')}.`);
    }
  }
}

/** Whether the step cache applies to this step: off, on, or on but executed anyway (refresh). */
export function cacheMode(ctx: RunContext, node: TaskNode, internal: string): 'off' | 'on' | 'refresh' {
  const settings = ctx.cache;
  if (!settings || node.type === 'stub' || ctx.executor.type === 'mocked') return 'off';
  const own = node.options.cache;
  if (own === false || (own === undefined && !settings.all)) return 'off';
  if (settings.off || settings.refresh.has(internal) || settings.refresh.has(node.name)) return 'refresh';
  return 'on';
}

interface Plan {
  key: string;
  internal: string;
  mode: 'on' | 'refresh';
}

/** The step's key (see cache.ts); undefined when the step cannot be cached now (its catalog get would fail). */
async function planStep(ctx: RunContext, node: TaskNode, internal: string, mode: 'on' | 'refresh'): Promise<Plan | undefined> {
  const getFiles: Record<string, string> = {};
  const patterns = node.options.catalog?.get ?? [];
  if (patterns.length) {
    const names = await filesToGet(ctx.catalog, ctx.runId, patterns);
    if (!names) return undefined;
    for (const name of names) {
      const h = await storedHash(ctx.catalog, ctx.runId, name);
      if (h === undefined) return undefined;
      getFiles[name] = h;
    }
  }
  const own = node.options.cache;
  const version = typeof own === 'object' ? (own as CacheSpec).version : undefined;
  const key = stepKey({
    step: internal,
    task: node.task,
    code: taskCode(node.task, stateOf(ctx).code),
    ...(version !== undefined && { version }),
    secrets: node.options.secrets ?? [],
    catalog: node.options.catalog ?? null,
    getFiles,
  });
  return { key, internal, mode };
}

/** A finished run read once per run (a SUCCESS run no longer changes); undefined when it is gone or unreadable. */
function sourceRun(ctx: RunContext, runId: string): Promise<RunLog | undefined> {
  const runs = stateOf(ctx).runs;
  let p = runs.get(runId);
  if (!p) {
    p = ctx.store.get(runId).catch(() => undefined);
    runs.set(runId, p);
  }
  return p;
}

/** The put entries of a step (pickled values and files), the last of each path winning. */
function putEntries(step: StepLog): DataCatalog[] {
  const byName = new Map<string, DataCatalog>();
  for (const e of step.data_catalog) if (e.stage === 'put') byName.set(e.name, e);
  return [...byName.values()];
}

/** The current values of an entry's inputs, when the scope has all of them and none of its absent names. */
function currentInputs(scope: Scope, entry: StepCacheEntry): Record<string, Parameter> | undefined {
  const inputs: Record<string, Parameter> = {};
  for (const name of entry.inputs) {
    const p = scope.get(name);
    if (!p) return undefined;
    inputs[name] = p;
  }
  for (const name of entry.absent) if (scope.get(name) !== undefined) return undefined;
  return inputs;
}

interface Hit {
  entry: StepCacheEntry;
  source: StepLog;
  inputs: Record<string, Parameter>;
  files: DataCatalog[];
}

/**
 * Finds an entry whose fingerprint matches the current inputs, from a SUCCESS run whose step succeeded with that
 * fingerprint and whose stored outputs still have their recorded hashes. A tampered or missing artifact is warned
 * about and the entry is not used.
 */
async function findHit(ctx: RunContext, scope: Scope, plan: Plan): Promise<Hit | undefined> {
  for (const entry of await ctx.store.getCacheEntries(plan.key)) {
    // an entry is data from the store: a run id that could not be one (`../x`) is never followed
    if (entry.step !== plan.internal || entry.run_id === ctx.runId || validateRunId(entry.run_id)) continue;
    const inputs = currentInputs(scope, entry);
    if (!inputs || inputsFingerprint(plan.key, inputs, entry.absent) !== entry.fingerprint) continue;
    const run = await sourceRun(ctx, entry.run_id);
    if (!run || run.status !== 'SUCCESS') continue; // only runs that succeeded are reused (a retry may get it there)
    const source = findStep(run, entry.step);
    if (!source || source.status !== 'SUCCESS' || source.attempts.at(-1)?.status !== 'SUCCESS' || source.fingerprint !== entry.fingerprint) continue;
    const files = putEntries(source);
    const problem = await verifySource(ctx, entry.run_id, source, files);
    if (problem) {
      ctx.reporter.warn(`Step '${plan.internal}': not reusing the cached outputs of run ${entry.run_id}: ${problem}. The step runs instead.`);
      continue;
    }
    return { entry, source, inputs, files };
  }
  return undefined;
}

/** Why the stored outputs of a cached step cannot be reused (a missing file, a hash that differs), or undefined. */
async function verifySource(ctx: RunContext, runId: string, source: StepLog, files: readonly DataCatalog[]): Promise<string | undefined> {
  const outputs = source.attempts.at(-1)!.output_parameters;
  const stored = new Map(files.filter((f) => f.stored !== false).map((f) => [stripRun(runId, f.catalog_relative_path || f.name), f.data_hash]));
  for (const [name, p] of Object.entries(outputs)) {
    if (p.kind !== 'object') continue;
    const rel = p.catalog_relative_path ? stripRun(runId, p.catalog_relative_path) : undefined;
    if (!rel || !p.data_hash || stored.get(rel) !== p.data_hash) return `pickled value '${name}' has no matching catalog record`;
  }
  for (const [rel, expected] of stored) {
    const found = await storedHash(ctx.catalog, runId, rel);
    if (found === undefined) return `'${runId}/${rel}' is missing from the catalog`;
    if (found !== expected) return `'${runId}/${rel}' does not match its recorded SHA-256 (expected ${expected}, found ${found}): it was changed after the run`;
  }
  return undefined;
}

/**
 * Puts a stored file of another run into this run's catalog at the same path: a hard link on a local catalog when
 * possible (catalog files are never rewritten in place, so sharing them is safe), else a copy; the bytes are
 * checked against `expected` either way.
 */
async function copyStored(ctx: RunContext, fromRun: string, rel: string, expected: string): Promise<void> {
  const root = ctx.catalog.localRoot;
  if (root === undefined) {
    const bytes = await ctx.catalog.getObject(fromRun, rel);
    if (hashBytes(bytes) !== expected) throw new Error(`'${fromRun}/${rel}' changed while it was being reused`);
    await ctx.catalog.putObject(ctx.runId, rel, bytes);
    return;
  }
  const src = path.join(root, fromRun, rel);
  const dest = path.join(root, ctx.runId, rel);
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  const tmp = tempPathFor(dest);
  try {
    await fs.promises.link(src, tmp);
    if ((await hashFile(tmp)) !== expected) throw new Error(`'${fromRun}/${rel}' changed while it was being reused`);
    await fs.promises.rename(tmp, dest);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw err;
    const { data_hash } = await copyFileHashed(src, dest, `Cannot reuse '${fromRun}/${rel}'`);
    if (data_hash !== expected) {
      await fs.promises.rm(dest, { force: true });
      throw new Error(`'${fromRun}/${rel}' changed while it was being reused`);
    }
  }
}

/** Records the hit in this run: outputs copied, the step SUCCESS with `cached_from`, its outputs in scope. */
async function restore(ctx: RunContext, node: TaskNode, scope: Scope, plan: Plan, hit: Hit): Promise<StepLog> {
  const { entry, source, files } = hit;
  const t0 = performance.now();
  const start = timestamp();
  const step = await openStep(ctx, node, plan.internal);
  try {
    const entries: DataCatalog[] = [];
    for (const f of files) {
      const rel = stripRun(entry.run_id, f.catalog_relative_path || f.name);
      if (f.stored !== false) await copyStored(ctx, entry.run_id, rel, f.data_hash);
      entries.push({ ...f, catalog_relative_path: `${ctx.runId}/${rel}` });
    }
    const last = source.attempts.at(-1)!;
    const moved = (p: Parameter): Parameter =>
      p.kind === 'object' && p.catalog_relative_path ? { ...p, catalog_relative_path: `${ctx.runId}/${stripRun(entry.run_id, p.catalog_relative_path)}` } : p;
    const outputs = Object.fromEntries(Object.entries(last.output_parameters).map(([k, p]) => [k, moved(p)]));
    const metrics = Object.fromEntries(Object.entries(last.user_defined_metrics).map(([k, p]) => [k, moved(p)]));
    const attempt: StepAttempt = {
      attempt_number: step.attempts.length + 1,
      start_time: start,
      end_time: timestamp(),
      status: 'SUCCESS',
      message: '',
      input_parameters: hit.inputs,
      output_parameters: outputs,
      user_defined_metrics: metrics,
      retry_indicator: ctx.retryIndicator,
      code_identities: await ctx.codeIdentities,
      duration_seconds: Math.round(performance.now() - t0) / 1000,
    };
    if (entry.absent.length) attempt.absent_inputs = [...entry.absent];
    const cachedFrom: CachedFrom = { run_id: entry.run_id, step: entry.step };
    step.attempts.push(attempt);
    step.data_catalog.push(...entries);
    step.status = 'SUCCESS';
    step.message = '';
    step.fingerprint = entry.fingerprint;
    step.cached_from = cachedFrom;
    for (const e of entries) if (e.stored !== false && !e.name.endsWith('.superjson')) ctx.fileHashes.set(e.name, e.data_hash);
    const ops: RunLogOp[] = [];
    if (Object.keys(outputs).length) {
      scope.set(outputs);
      ops.push({ op: 'params', branch: scope.branch, params: outputs });
    }
    ops.push({ op: 'step', step });
    await ctx.store.apply(ctx.runId, ops);
    ctx.reporter.stepFinished({ internalName: plan.internal, status: 'SUCCESS', seconds: (performance.now() - t0) / 1000, attempt: attempt.attempt_number, step, cachedFrom });
    return step;
  } finally {
    ctx.running.delete(plan.internal);
  }
}

/** Records a successful execution's fingerprint: in the index, and on the step log. Never fails the run. */
async function remember(ctx: RunContext, plan: Plan, step: StepLog): Promise<void> {
  const last = step.attempts.at(-1);
  if (step.status !== 'SUCCESS' || !last || last.status !== 'SUCCESS') return;
  const absent = last.absent_inputs ?? [];
  const fingerprint = inputsFingerprint(plan.key, last.input_parameters, absent);
  if (!fingerprint) return;
  try {
    step.fingerprint = fingerprint;
    await ctx.store.apply(ctx.runId, [{ op: 'step', step }]);
  } catch (err) {
    ctx.reporter.warn(`Step '${plan.internal}' succeeded, but its fingerprint could not be recorded: ${(err as Error).message}`);
    return;
  }
  const entry: StepCacheEntry = {
    key: plan.key,
    fingerprint,
    run_id: ctx.runId,
    step: plan.internal,
    inputs: Object.keys(last.input_parameters).sort(),
    absent: [...absent].sort(),
    created_at: new Date().toISOString(),
  };
  const pending = stateOf(ctx).pending;
  const write = ctx.store
    .putCacheEntry(entry)
    .catch((err: unknown) => ctx.reporter.warn(`Step '${plan.internal}' succeeded, but its step cache entry could not be recorded: ${(err as Error).message}`))
    .finally(() => pending.delete(write));
  pending.add(write);
}

/**
 * Runs a task step through the step cache: a hit is restored instead of calling `execute`; otherwise `execute`
 * runs it (any executor) and a success is recorded for later runs.
 */
export async function executeWithCache(ctx: RunContext, node: TaskNode, scope: Scope, execute: () => Promise<StepLog>): Promise<StepLog> {
  const internal = scope.internalName(node.name);
  const mode = cacheMode(ctx, node, internal);
  if (mode === 'off') return execute();
  let plan: Plan | undefined;
  try {
    plan = await planStep(ctx, node, internal, mode);
    if (plan && mode === 'on') {
      const hit = await findHit(ctx, scope, plan);
      if (hit) {
        try {
          return await restore(ctx, node, scope, plan, hit);
        } catch (err) {
          ctx.reporter.warn(`Step '${internal}': reusing the outputs of run ${hit.entry.run_id} failed (${(err as Error).message}); the step runs instead.`);
        }
      }
    }
  } catch (err) {
    ctx.reporter.warn(`Step '${internal}': the step cache could not be consulted (${(err as Error).message}); the step runs.`);
  }
  const step = await execute();
  if (plan) await remember(ctx, plan, step);
  return step;
}
