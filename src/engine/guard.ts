import { AsyncLocalStorage } from 'node:async_hooks';
import { StepExitError, StepNeverSettledError, StepTimeoutError } from '../errors';

/**
 * Every way a step can end the process, or end without its promise settling, is turned into a failed attempt.
 *
 * While a run is in progress in this process the guard listens to `uncaughtException` and `unhandledRejection`
 * (an error thrown later from a timer or event callback, a promise rejected and forgotten), intercepts
 * `process.exit()` and listens to `beforeExit` (the event loop emptied while a step's promise was still pending).
 * Each is attributed to the attempt whose code caused it (AsyncLocalStorage follows callbacks and promises), or,
 * when that attempt has already ended, to the attempts running now. The attempt fails with the error; the step's
 * own promise, if it ever settles, is ignored.
 */

/** One attempt being watched. */
interface Watch {
  readonly internal: string;
  readonly attempt: number;
  /** Fails the attempt (first call wins). */
  fail(err: unknown, note?: string): void;
}

/** Why an attempt failed: the error, and a note appended to its message in the run log (how it was caught). */
export class Fault {
  constructor(
    readonly error: unknown,
    readonly note?: string,
  ) {}
}

const attemptAls = new AsyncLocalStorage<Watch>();
const live = new Set<Watch>();
/** Faults that arrived when no attempt was running: the next attempt to start fails with them, else the run. */
const orphans: Fault[] = [];
let activeRuns = 0;
let realExit: typeof process.exit | undefined;
let heartbeat: NodeJS.Timeout | undefined;
let lastBeat = performance.now();
/** The last time the event loop was blocked for more than a second, and by which steps. */
let lastBlock: { endedAt: number; ms: number; steps: string[] } | undefined;
/** Attempts failed while their code was still running (timeout, fault): their promise had not settled. */
const abandoned = new Set<string>();
/** Process groups of shell commands still running, killed when the process exits. */
const childGroups = new Set<number>();

const BLOCK_MS = 1000;
/** Errors the guard itself throws to stop code that called process.exit(): already recorded, not faults of their own. */
const ownThrows = new WeakSet<object>();

function stepOf(w: Watch | undefined): string {
  return w ? `step '${w.internal}'` : 'code outside any step';
}

/** Attributes a fault to its attempt, else to every attempt running now, else keeps it for the next one. */
function dispatch(error: unknown, how: string): void {
  const origin = attemptAls.getStore();
  if (origin && live.has(origin)) {
    origin.fail(error, `(${how})`);
    return;
  }
  if (live.size) {
    for (const w of live) w.fail(error, `(${how}, from ${stepOf(origin)}${origin ? ', which had already ended' : ''}, while '${w.internal}' was running)`);
    return;
  }
  orphans.push(new Fault(error, `(${how}, from ${stepOf(origin)}${origin ? ', which had already ended' : ''}, between steps)`));
}

function onUncaught(err: unknown): void {
  if (typeof err === 'object' && err !== null && ownThrows.has(err)) return;
  dispatch(err, 'thrown from a timer or event callback: uncaughtException');
}

function onUnhandled(reason: unknown): void {
  if (typeof reason === 'object' && reason !== null && ownThrows.has(reason)) return;
  dispatch(reason, 'a promise rejected and never awaited or caught: unhandledRejection');
}

function onBeforeExit(): void {
  // The event loop is empty: a pending step promise can never settle now.
  for (const w of [...live]) {
    w.fail(
      new StepNeverSettledError(
        `Step '${w.internal}' (attempt ${w.attempt}): its promise never settled, and nothing else was pending (no timer, I/O or child process), ` +
          `so it never would. Make sure every promise the step awaits resolves or rejects (a forgotten resolve() call, an event that never fires).`,
      ),
    );
  }
}

function onExit(): void {
  for (const pgid of childGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function guardedExit(this: unknown, code?: number | string | null): never {
  const origin = attemptAls.getStore();
  const targets = origin && live.has(origin) ? [origin] : [...live];
  if (!targets.length) return realExit!.call(process, code as number);
  const shown = code === undefined ? '' : String(code);
  for (const w of targets) {
    w.fail(
      new StepExitError(
        `Step '${origin?.internal ?? w.internal}' called process.exit(${shown}): the step tried to end the process. ` +
          `A step must return its values or throw an error; the process was not ended, this attempt is marked FAIL.`,
      ),
    );
  }
  // Stop the code that called exit(), as exit() would have.
  const stop = new StepExitError(`process.exit(${shown}) called by step '${origin?.internal ?? targets[0]!.internal}'`);
  ownThrows.add(stop);
  throw stop;
}

function install(): void {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  realExit = process.exit;
  process.exit = guardedExit as typeof process.exit;
  lastBeat = performance.now();
  heartbeat = setInterval(() => {
    const now = performance.now();
    if (now - lastBeat > BLOCK_MS) lastBlock = { endedAt: now, ms: now - lastBeat, steps: [...live].map((w) => w.internal) };
    lastBeat = now;
  }, 100);
  heartbeat.unref();
}

function uninstall(): void {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUnhandled);
  process.off('beforeExit', onBeforeExit);
  process.off('exit', onExit);
  if (realExit && process.exit === (guardedExit as unknown)) process.exit = realExit;
  clearInterval(heartbeat);
  heartbeat = undefined;
}

/** A run starts in this process: the guard is active until the returned function is called. */
export function enterRun(): () => void {
  if (activeRuns++ === 0) install();
  let left = false;
  return () => {
    if (left) return;
    left = true;
    if (--activeRuns === 0) uninstall();
  };
}

/** True while a run is in progress in this process (its faults are recorded in its run log, not reported elsewhere). */
export function runInProgress(): boolean {
  return activeRuns > 0;
}

/** Faults that no attempt took (they happened between steps). Emptied by the call. */
export function takeOrphanFaults(): Fault[] {
  return orphans.splice(0);
}

/**
 * Runs one attempt of a step: resolves with its result, or rejects with the first failure among its own rejection,
 * a fault attributed to it, `process.exit()`, its promise never settling, and its timeout. `signal` aborts when the
 * attempt is failed by anything but its own promise (shell steps kill their process group on it).
 * A synchronous step cannot be stopped by a timer: when it returns later than its timeout, the attempt fails too.
 */
let watching = true;
/** For the benchmark only (bench/guards.ts): runs attempts without the watch, to measure its cost. Not public API. */
export function setAttemptWatch(enabled: boolean): void {
  watching = enabled;
}

export function watchAttempt<T>(
  internal: string,
  attempt: number,
  timeoutMs: number | undefined,
  fn: (abort: { readonly signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  if (!watching) return fn({ signal: new AbortController().signal });
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    // Created only when a step asks for it (shell steps): an AbortController costs a few µs per step.
    let controller: AbortController | undefined;
    let settled = false;
    const label = `'${internal}' (attempt ${attempt})`;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      live.delete(watch);
      if (timer) clearTimeout(timer);
      return true;
    };
    const watch: Watch = {
      internal,
      attempt,
      fail(err, note) {
        if (!finish()) return;
        if (!settled) abandoned.add(label);
        controller?.abort(err);
        reject(new Fault(err, note));
      },
    };
    const pending = orphans.shift();
    if (pending) {
      done = true;
      reject(pending);
      return;
    }
    live.add(watch);
    const started = performance.now();
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => watch.fail(new StepTimeoutError(internal, timeoutMs, attempt, '; it was stopped (a shell step\'s processes are killed; JavaScript code still running in this process is abandoned, not stopped)')), timeoutMs);
    }
    let result: Promise<T>;
    try {
      const lazy = {
        get signal(): AbortSignal {
          controller ??= new AbortController();
          return controller.signal;
        },
      };
      result = attemptAls.run(watch, () => fn(lazy));
    } catch (err) {
      result = Promise.reject(err);
    }
    const settle = () => {
      settled = true;
      abandoned.delete(label);
    };
    result.then(
      (value) => {
        settle();
        const elapsed = performance.now() - started;
        if (timeoutMs !== undefined && elapsed > timeoutMs && !done) {
          watch.fail(new StepTimeoutError(internal, timeoutMs, attempt, `: it took ${Math.round(elapsed)} ms without returning to the event loop (synchronous code cannot be interrupted in-process)`));
          return;
        }
        // One turn of the event loop before success: a promise the step rejected and forgot is reported
        // (unhandledRejection) at the end of this turn, and must fail this attempt, not a later one.
        setImmediate(() => {
          if (finish()) resolve(value);
        });
      },
      (err) => {
        settle();
        if (finish()) reject(new Fault(err));
      },
    );
  });
}

/**
 * Steps whose code was still running when their attempt was failed (a timeout, an uncaught error, Ctrl-C) and has
 * not finished since: JavaScript cannot be stopped from outside, so a CLI run exits without waiting for them.
 */
export function abandonedAttempts(): string[] {
  return [...abandoned];
}

/** Fails and aborts every running attempt (Ctrl-C, SIGTERM): shell steps kill their process groups; the process may then exit. */
export function abortAllAttempts(reason: string): void {
  for (const w of [...live]) w.fail(new Error(reason));
}

/** Registers a shell command's process group, killed if the process exits while it runs. Returns the unregister function. */
export function trackChildGroup(pgid: number): () => void {
  childGroups.add(pgid);
  return () => childGroups.delete(pgid);
}

/**
 * When a signal arrives: a note if the event loop was blocked (a synchronous, CPU-bound step) at that moment or
 * just before, since such a step cannot be interrupted in-process: the signal takes effect only when it yields.
 */
export function interruptNote(): string | undefined {
  const now = performance.now();
  const blockedNow = now - lastBeat > BLOCK_MS;
  const recent = lastBlock && now - lastBlock.endedAt < 2 * BLOCK_MS ? lastBlock : undefined;
  if (!blockedNow && !recent) return undefined;
  const ms = blockedNow ? now - lastBeat : recent!.ms;
  const steps = blockedNow ? [...live].map((w) => w.internal) : recent!.steps;
  const who = steps.length ? `step ${steps.map((s) => `'${s}'`).join(', ')}` : 'a step';
  return (
    `${who} computed synchronously for ${(ms / 1000).toFixed(1)} s without returning to the event loop. ` +
    `Synchronous JavaScript cannot be interrupted in-process: the signal took effect only when it yielded. ` +
    `Break long computations with 'await' (e.g. every few thousand iterations), or run them in a shell() step or a worker.`
  );
}
