import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IntegrityError, ReturnsMismatchError, RunnableError, SecretLeakError } from '../errors';
import type { TaskNode } from '../graph/graph';
import type { DataCatalog, Parameter, StepAttempt, StepLog } from '../stores/run-log/types';
import { timestamp } from '../util/time';
import { StepContext, type RunContext, type Scope } from './context';
import { jsonParameter } from './params';
import { loadValue, loadValueSync, pickleValue } from './values';
import { checkReturns } from './returns';
import { checkInlineSize } from './inline-limit';
import { findStep, type RunLogOp } from '../stores/run-log/document';
import { getFiles, putFiles } from '../stores/catalog/files';
import { TRUNCATION_NOTICE, withCapture, type CaptureSink } from './capture';
import { withEnv } from './env-overlay';
import { Fault, trackChildGroup, watchAttempt } from './guard';
import { fileContainsForm, findForm, redactAll, redactCut, scopedSecrets, secretForms, StreamRedactor } from './redaction';
import { SECRETS } from './context';
import { yieldToEventLoop } from '../util/yield';
import type { AnyArgs } from '../types/any';

/**
 * The object passed to run(): reading a name returns its value (pickled values are loaded from the catalog only
 * when read); unknown names read as undefined so destructuring defaults apply. Records which names were read.
 */
function inputProxy(ctx: RunContext, params: Record<string, Parameter>, prefetched: Map<string, unknown>) {
  const read = new Set<string>();
  const missing = new Set<string>();
  const cache = new Map<string, unknown>();
  // An input that fails its integrity check fails the attempt even if the step catches the error.
  const broken: { error?: IntegrityError } = {};
  const value = (key: string) => {
    if (!cache.has(key)) {
      read.add(key);
      try {
        cache.set(key, prefetched.has(key) ? prefetched.get(key) : loadValueSync(ctx, key, params[key]!));
      } catch (err) {
        if (err instanceof IntegrityError) broken.error ??= err;
        throw err;
      }
    }
    return cache.get(key);
  };
  const has = (key: string | symbol): key is string => typeof key === 'string' && Object.prototype.hasOwnProperty.call(params, key);
  const proxy = new Proxy({} as Record<string, unknown>, {
    get: (_t, key) => {
      if (has(key)) return value(key);
      if (typeof key === 'string' && !NOT_INPUTS.has(key)) missing.add(key);
      return undefined;
    },
    has: (_t, key) => {
      if (has(key)) return true;
      if (typeof key === 'string' && !NOT_INPUTS.has(key)) missing.add(key); // `'x' in input` depends on x too
      return false;
    },
    ownKeys: () => Object.keys(params),
    getOwnPropertyDescriptor: (_t, key) => (has(key) ? { value: value(key), enumerable: true, configurable: true, writable: false } : undefined),
    set: () => false,
    deleteProperty: () => false,
  });
  return { proxy, read, missing, broken };
}

/** Property names that code reads from any object (inspection, promises, JSON): never reported as missing inputs. */
const NOT_INPUTS = new Set(['then', 'toJSON', 'constructor', 'valueOf', 'toString', 'asymmetricMatch', 'nodeType', '$$typeof', 'inspect', 'length']);

/** How an error fails an attempt. Our own typed errors say everything in their message; a stack helps with the user's. */
function failure(reason: unknown): { status: 'FAIL'; message: string; errorType: string; errorStack: string | undefined } {
  const err = reason instanceof Fault ? reason.error : reason;
  const note = reason instanceof Fault && reason.note ? ` ${reason.note}` : '';
  return {
    status: 'FAIL',
    message: (err instanceof Error ? `${err.name}: ${err.message}` : String(err)) + note,
    errorType: err instanceof Error ? err.name : typeof err,
    errorStack: err instanceof Error && err.stack && !(err instanceof RunnableError) ? err.stack : undefined,
  };
}

let rssValue = 0;
let rssAt = -Infinity;
/** The process's RSS, read at most every 10 ms (a read costs ~10 µs: noticeable for steps that take microseconds). */
function currentRss(): number {
  const now = performance.now();
  if (now - rssAt >= 10) {
    rssValue = process.memoryUsage.rss();
    rssAt = now;
  }
  return rssValue;
}

/** Duration, CPU time and peak RSS of an attempt. RSS is sampled every 100 ms while the attempt runs and at its end. */
class Meter {
  private readonly t0 = performance.now();
  private readonly cpu0 = process.cpuUsage();
  private peak = 0;
  private readonly timer = setInterval(() => this.sample(), 100);
  constructor() {
    this.timer.unref();
  }
  private sample(): void {
    const rss = currentRss();
    if (rss > this.peak) this.peak = rss;
  }
  stop(): { duration_seconds: number; cpu_seconds: number; peak_rss_bytes: number } {
    clearInterval(this.timer);
    this.sample();
    const cpu = process.cpuUsage(this.cpu0);
    return {
      duration_seconds: Math.round(performance.now() - this.t0) / 1000,
      cpu_seconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
      peak_rss_bytes: this.peak,
    };
  }
}

/**
 * A shell step: /bin/sh with `set -e`, the parent environment plus every JSON value in scope as an environment
 * variable (strings as they are, others JSON-encoded). Declared returns are read from the variables the command
 * exports (the environment is dumped NUL-separated at exit, so values may span lines).
 */
async function runShell(ctx: RunContext, node: TaskNode, proxy: Record<string, unknown>, visible: Record<string, Parameter>, signal: AbortSignal): Promise<Record<string, unknown>> {
  const env: NodeJS.ProcessEnv = { ...process.env, RUNNABLE_RUN_ID: ctx.runId };
  for (const [key, p] of Object.entries(visible)) {
    if (p.kind === 'object' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    const v = proxy[key]; // read through the proxy: recorded as an input of the step
    env[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runnable-shell-'));
  const envFile = path.join(dir, 'env');
  env.__RUNNABLE_ENV_OUT = envFile;
  const script = `trap 'env -0 > "$__RUNNABLE_ENV_OUT"' EXIT\nset -e\n${node.task.command}\n`;
  try {
    const code = await new Promise<number | string>((resolve, reject) => {
      // Its own process group, so a timeout, Ctrl-C or SIGTERM kills the command and everything it started.
      const child = spawn('/bin/sh', ['-c', script], { cwd: ctx.computeFolder, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const untrack = child.pid !== undefined ? trackChildGroup(child.pid) : () => undefined;
      const kill = () => killGroup(child.pid);
      if (signal.aborted) kill();
      else signal.addEventListener('abort', kill, { once: true });
      child.stdout.on('data', (d: Buffer) => process.stdout.write(d));
      child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
      child.on('error', (err) => {
        untrack();
        reject(err);
      });
      child.on('close', (c, sig) => {
        untrack();
        signal.removeEventListener('abort', kill);
        resolve(c ?? sig ?? 1);
      });
    });
    if (code !== 0) throw new Error(`the shell command exited with ${typeof code === 'number' ? `code ${code}` : `signal ${code}`}`);
    const exported = new Map<string, string>();
    if (fs.existsSync(envFile)) {
      for (const entry of fs.readFileSync(envFile, 'utf8').split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) exported.set(entry.slice(0, eq), entry.slice(eq + 1));
      }
    }
    const missing = node.task.returns.filter((r) => !exported.has(r.name)).map((r) => r.name);
    if (missing.length) {
      throw new ReturnsMismatchError(`Step '${node.name}': the command did not export ${missing.map((m) => `'${m}'`).join(', ')} (declared in returns). Add 'export ${missing[0]}=...' to it.`);
    }
    const out: Record<string, unknown> = {};
    for (const r of node.task.returns) {
      const raw = exported.get(r.name)!;
      try {
        out[r.name] = JSON.parse(raw);
      } catch {
        out[r.name] = raw;
      }
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** SIGTERM to a shell command's process group, SIGKILL 2 s later if anything of it is still alive. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  if (send('SIGTERM')) setTimeout(() => send('SIGKILL'), 2000).unref();
}

/** Creates the task (a class through tsyringe) and calls it with the input proxy. */
async function invoke(ctx: RunContext, node: TaskNode, proxy: Record<string, unknown>, visible: Record<string, Parameter>, attemptNumber: number, internal: string, abort: { readonly signal: AbortSignal }): Promise<unknown> {
  const def = node.task;
  if (def.kind === 'stub') return undefined;
  if (def.kind === 'shell') return runShell(ctx, node, proxy, visible, abort.signal);
  if (def.kind === 'class') {
    const stepContainer = ctx.container.createChildContainer();
    // The secrets manager a step can inject gives only the secrets the step declares.
    stepContainer.register(SECRETS, { useValue: scopedSecrets(ctx.secrets, internal, node.options.secrets ?? []) });
    const prefix = `[${internal}]`;
    const logger = {
      info: (m: string) => console.log(`${prefix} ${m}`),
      warn: (m: string) => console.warn(`${prefix} ${m}`),
      error: (m: string) => console.error(`${prefix} ${m}`),
    };
    stepContainer.register(StepContext, { useValue: new StepContext(ctx.runId, node.name, internal, attemptNumber, ctx.tag, logger) });
    const instance = stepContainer.resolve(def.target as new (...a: AnyArgs) => { run(i: unknown): unknown });
    return drain(ctx, internal, instance.run(proxy));
  }
  return drain(ctx, internal, (def.target as (i: unknown) => unknown)(proxy));
}

/**
 * A task written as an async generator streams: each value it yields is reported as it comes (`task_event`), and
 * what it returns is its result. Anything else is returned as it is.
 */
async function drain(ctx: RunContext, internal: string, result: unknown): Promise<unknown> {
  if (!result || typeof result !== 'object' || typeof (result as AsyncIterator<unknown>).next !== 'function' || !(Symbol.asyncIterator in result)) return result;
  const it = result as AsyncGenerator<unknown, unknown, undefined>;
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
    ctx.reporter.taskEvent?.(internal, r.value);
  }
}

interface AttemptOutcome {
  attempt: StepAttempt;
  outputs: Record<string, Parameter>;
  catalog: DataCatalog[];
  error?: string;
  outputTail?: string;
}

/** Files a catalog put never copies: the run-log store's folder and the dotenv file of secrets (and `.env`). */
function neverPut(ctx: RunContext): string[] {
  const out: string[] = [path.resolve('.env'), path.join(ctx.computeFolder, '.env')];
  if (ctx.store.localRoot !== undefined) out.push(ctx.store.localRoot);
  const location = ctx.secrets.config().location;
  if (ctx.secrets.type === 'dotenv' && typeof location === 'string') out.push(path.resolve(location));
  return out;
}

/**
 * A file a `catalog: { get }` copied must be the one the run put: same hash as recorded. A mismatch fails the step
 * (and the copy is removed, so nothing reads it by mistake).
 */
async function checkGotFiles(ctx: RunContext, got: readonly DataCatalog[]): Promise<void> {
  for (const e of got) {
    const expected = ctx.fileHashes.get(e.name);
    if (expected !== undefined && expected !== e.data_hash) {
      await fs.promises.rm(path.join(ctx.computeFolder, e.name), { force: true });
      throw new IntegrityError(ctx.runId, e.catalog_relative_path, expected, e.data_hash, ` (catalog get of '${e.name}')`);
    }
  }
}

async function runAttempt(ctx: RunContext, node: TaskNode, scope: Scope, attemptNumber: number, internal: string): Promise<AttemptOutcome> {
  const def = node.task;
  const start = timestamp();
  const meter = new Meter();
  const prefetched = new Map<string, unknown>();
  const visible = scope.all();
  const { proxy, read, missing, broken } = inputProxy(ctx, visible, prefetched);
  const outputs: Record<string, Parameter> = {};
  const metrics: Record<string, Parameter> = {};
  const catalog: DataCatalog[] = [];
  let status: 'SUCCESS' | 'FAIL' = 'SUCCESS';
  let message = '';
  let errorType: string | undefined;
  let errorStack: string | undefined;
  const secretEnv: Record<string, string> = {};
  // Every form of every secret the run knows, plus this step's own (fetched now): redacted from all it records.
  let forms: readonly string[] = ctx.secretForms;
  const files = node.options.catalog;
  const getEntries: DataCatalog[] = [];
  const sink: CaptureSink = { chunks: [], bytes: 0 };
  let flushEcho = () => undefined as void;
  if (ctx.reporter.showsStepOutput && ctx.reporter.stepOutput) {
    const report = ctx.reporter.stepOutput.bind(ctx.reporter);
    // One redactor per stream: a secret written in several chunks is held back until it can be redacted whole.
    const redactors = new Map<'stdout' | 'stderr', StreamRedactor>();
    const redactor = (stream: 'stdout' | 'stderr') => {
      let r = redactors.get(stream);
      if (!r) redactors.set(stream, (r = new StreamRedactor(forms)));
      return r;
    };
    sink.echo = (text, stream) => {
      const shown = redactor(stream).write(text);
      if (shown) report(internal, shown, stream);
    };
    flushEcho = () => {
      for (const [stream, r] of redactors) {
        const rest = r.end();
        if (rest) report(internal, rest, stream);
      }
    };
  }
  /** Fails the step when a value it wants recorded holds a secret (the secret itself is never named, only where it is). */
  const leak = (what: string): never => {
    throw new SecretLeakError(
      `Step '${internal}' ${what} holds the value of a secret (${(node.options.secrets ?? []).map((n) => `'${n}'`).join(', ') || 'declared by another step'}). ` +
        `A secret's value is never recorded in the run log or the catalog: pass the secret's name and let the steps that need it declare it (secrets: [...]).`,
    );
  };
  const refuseSecret = (text: string, what: string) => {
    if (forms.length && findForm(text, forms) !== undefined) leak(what);
  };
  try {
    const own: string[] = [];
    for (const name of node.options.secrets ?? []) {
      const v = ctx.secrets.get(name);
      own.push(...secretForms(v));
      secretEnv[name] = v;
    }
    if (own.length) forms = [...new Set([...forms, ...own])].sort((a, b) => b.length - a.length);
    if (!ctx.catalog.getObjectSync) {
      // the input proxy reads synchronously: with an async-only catalog, pickled inputs are loaded up front
      for (const [k, p] of Object.entries(visible)) if (p.kind === 'object') prefetched.set(k, await loadValue(ctx, k, p));
    }
    if (files?.get?.length) {
      const got = await getFiles(ctx.catalog, ctx.runId, files.get, { cwd: ctx.computeFolder });
      getEntries.push(...got);
      await checkGotFiles(ctx, got);
    }
    const result = await watchAttempt(internal, attemptNumber, node.options.timeout, (abort) =>
      withEnv(secretEnv, () => withCapture(sink, () => invoke(ctx, node, proxy, visible, attemptNumber, internal, abort)), ctx.secretNames),
    );
    if (broken.error) throw broken.error;
    const values = checkReturns(node.name, def.returns, result);
    for (const r of def.returns) {
      const v = values[r.name];
      if (r.kind === 'pickled') {
        const { parameter, entry } = await pickleValue(ctx, v, r.name, internal, (text) => refuseSecret(text, `returned '${r.name}', which`));
        outputs[r.name] = parameter;
        catalog.push(entry);
      } else if (r.kind === 'metric') {
        outputs[r.name] = jsonParameter(v, 'metric');
        metrics[r.name] = outputs[r.name]!;
      } else {
        checkInlineSize(node.name, r.name, v);
        outputs[r.name] = jsonParameter(v);
      }
      if (r.kind !== 'pickled') refuseSecret(JSON.stringify(outputs[r.name]!.value) ?? '', `returned '${r.name}', which`);
    }
  } catch (err) {
    ({ status, message, errorType, errorStack } = failure(err));
  }
  flushEcho();
  if (files?.put?.length) {
    try {
      const put = await putFiles(ctx.catalog, ctx.runId, files.put, {
        cwd: ctx.computeFolder,
        storeCopy: files.storeCopy ?? true,
        stepFailed: status === 'FAIL',
        exclude: neverPut(ctx),
        check: async (name, abs) => {
          if (forms.length && (await fileContainsForm(abs, forms)) !== undefined) leak(`puts '${name}' into the catalog: the file`);
        },
      });
      catalog.push(...put);
      for (const e of put) if (e.stored !== false) ctx.fileHashes.set(e.name, e.data_hash);
    } catch (err) {
      ({ status, message, errorType, errorStack } = failure(err));
    }
  }
  catalog.push(...getEntries);
  // A step that fails after reading a name nothing provided: that comes first, it is the likely cause (an optional
  // input with a default reads the same way, hence the original error after it).
  if (status === 'FAIL' && missing.size) {
    const names = Object.keys(visible);
    const list = [...missing].map((m) => `'${m}'`).join(', ');
    message =
      `it read ${list}, which no earlier step returned and no parameter provided (in scope: ${names.length ? names.join(', ') : 'nothing'}; ` +
      `'runnable check <file>' finds wiring errors before running). Then: ${message}`;
  }
  if (forms.length) message = redactAll(message, forms);
  if (errorStack && forms.length) errorStack = redactAll(errorStack, forms);
  let output = sink.chunks.join('');
  let executionLog: string | undefined;
  if (output) {
    if (forms.length) {
      // Cut at the size limit: a secret may have been cut in two there, its start must not be kept either.
      const cut = output.endsWith(TRUNCATION_NOTICE) ? output.length - TRUNCATION_NOTICE.length : -1;
      output = cut >= 0 ? redactCut(output, cut, forms) : redactAll(output, forms);
    }
    try {
      executionLog = (await ctx.catalog.putObject(ctx.runId, `${internal}/attempt-${attemptNumber}.execution.log`, output)).catalog_relative_path;
    } catch (err) {
      ctx.reporter.warn(`Could not save the output of step '${internal}' to the catalog: ${(err as Error).message}`);
    }
  }
  const input_parameters: Record<string, Parameter> = {};
  for (const k of read) input_parameters[k] = visible[k]!;
  const attempt: StepAttempt = {
    attempt_number: attemptNumber,
    start_time: start,
    end_time: timestamp(),
    status,
    message,
    input_parameters,
    output_parameters: status === 'SUCCESS' ? outputs : {},
    user_defined_metrics: status === 'SUCCESS' ? metrics : {},
    retry_indicator: ctx.retryIndicator,
    code_identities: await ctx.codeIdentities,
    ...meter.stop(),
  };
  if (missing.size) attempt.absent_inputs = [...missing].sort();
  if (errorType) attempt.error_type = errorType;
  if (executionLog) attempt.execution_log = executionLog;
  if (errorStack) attempt.error_stack = errorStack;
  const tail = output ? output.replace(/\n$/, '').split('\n').slice(-15).join('\n') : undefined;
  return { attempt, outputs, catalog, error: status === 'FAIL' ? message : undefined, outputTail: tail };
}

/**
 * Executes one task node: its attempts (with `retry.maxAttempts`), the routing of its returns (run log, metrics,
 * catalog) and the step log. Inputs come from `scope`, which the caller loaded from the run log, so the same
 * function serves in-process execution and a single node executed in a fresh process.
 */
export async function executeTaskNode(ctx: RunContext, node: TaskNode, scope: Scope, opts: { maxAttempts?: number; mock?: boolean } = {}): Promise<StepLog> {
  await yieldToEventLoop();
  const internal = scope.internalName(node.name);
  const step = await openStep(ctx, node, internal, opts.mock);
  try {
    return await runAttempts(ctx, node, scope, step, internal, opts.maxAttempts ?? maxAttemptsOf(node));
  } finally {
    ctx.running.delete(internal);
  }
}

/** How many attempts a step gets within one execution (`retry.maxAttempts`, at least 1). */
export function maxAttemptsOf(node: TaskNode): number {
  return Math.max(1, Math.floor(node.options.retry?.maxAttempts ?? 1));
}

/**
 * Marks a task step PROCESSING (its earlier step log, on retry, keeps its attempts), tells the reporter and registers
 * it as running (for Ctrl-C). Resolves with the step log.
 */
export async function openStep(ctx: RunContext, node: TaskNode, internal: string, mock = false): Promise<StepLog> {
  const existing = ctx.original ? structuredClone(findStep(ctx.original, internal)) : undefined;
  const step: StepLog = existing ?? {
    name: node.name,
    internal_name: internal,
    status: 'PROCESSING',
    step_type: node.type,
    message: '',
    mock,
    attempts: [],
    branches: {},
    data_catalog: [],
  };
  step.status = 'PROCESSING';
  if (mock) step.mock = true;
  await ctx.store.apply(ctx.runId, [{ op: 'step', step }]);
  ctx.reporter.stepStarted(internal);
  ctx.running.set(internal, { step, started: timestamp() });
  return step;
}

async function runAttempts(ctx: RunContext, node: TaskNode, scope: Scope, step: StepLog, internal: string, maxAttempts: number): Promise<StepLog> {
  const backoffMs = Math.max(0, node.options.retry?.backoffMs ?? 0);
  const t0 = performance.now();
  let outcome: AttemptOutcome | undefined;
  const running = ctx.running.get(internal);
  for (let i = 1; i <= maxAttempts; i++) {
    const number = step.attempts.length + 1;
    if (running) running.attempt = number;
    outcome = await runAttempt(ctx, node, scope, number, internal);
    // The run was failed around this attempt (Ctrl-C, SIGTERM) and recorded it as interrupted: never record it twice.
    if (running?.closed) return step;
    step.attempts.push(outcome.attempt);
    step.data_catalog.push(...outcome.catalog);
    if (outcome.attempt.status === 'SUCCESS') break;
    if (i < maxAttempts) {
      ctx.reporter.attemptFailed({ internalName: internal, attempt: i, maxAttempts, error: outcome.error ?? '', backoffMs });
      await ctx.store.apply(ctx.runId, [{ op: 'step', step }]);
      if (backoffMs) await sleep(backoffMs);
    }
  }
  const last = outcome!.attempt;
  step.status = last.status;
  step.message = last.status === 'FAIL' ? last.message : '';
  const ops: RunLogOp[] = [];
  if (last.status === 'SUCCESS' && Object.keys(outcome!.outputs).length) {
    scope.set(outcome!.outputs);
    ops.push({ op: 'params', branch: scope.branch, params: outcome!.outputs });
  }
  ops.push({ op: 'step', step });
  await ctx.store.apply(ctx.runId, ops);
  ctx.reporter.stepFinished({
    internalName: internal,
    status: last.status,
    seconds: (performance.now() - t0) / 1000,
    attempt: last.attempt_number,
    error: outcome!.error,
    ...(outcome!.outputTail !== undefined && { outputTail: outcome!.outputTail }),
    step,
  });
  return step;
}
