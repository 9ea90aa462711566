import * as fs from 'node:fs';
import * as os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RunLogStore, RunOwner } from '../stores/run-log/store';
import { ParameterError } from '../errors';

/*
 * Run ownership: a run being executed has exactly one owner, recorded in the run-log store. `run`, `retry` and
 * `execute-single-node` take it before they write anything and give it back when they end. A second process is
 * refused while the owner lives; an owner that is gone (its pid is dead on this machine, the machine restarted, or
 * its heartbeat is stale) is taken over.
 */

/** Environment variable an executor sets for the processes it starts on behalf of the run's owner. */
export const OWNER_TOKEN_ENV = 'RUNNABLE_RUN_OWNER_TOKEN';

const DEFAULT_HEARTBEAT_SECONDS = 10;
const DEFAULT_STALE_SECONDS = 60;

let bootId: string | null | undefined;
/** The Linux boot id (changes at every boot), undefined elsewhere. */
function currentBootId(): string | undefined {
  if (bootId === undefined) {
    try {
      bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootId = null;
    }
  }
  return bootId ?? undefined;
}

export interface OwnershipTiming {
  heartbeatMs: number;
  staleMs: number;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ParameterError(`${name} must be a positive number of seconds, got '${raw}'`);
  return n;
}

/** `RUNNABLE_OWNER_HEARTBEAT_SECONDS` (default 10) and `RUNNABLE_OWNER_STALE_SECONDS` (default 60). */
export function ownershipTiming(env: NodeJS.ProcessEnv): OwnershipTiming {
  const heartbeat = seconds(env, 'RUNNABLE_OWNER_HEARTBEAT_SECONDS', DEFAULT_HEARTBEAT_SECONDS);
  const stale = seconds(env, 'RUNNABLE_OWNER_STALE_SECONDS', Math.max(DEFAULT_STALE_SECONDS, heartbeat * 3));
  if (stale <= heartbeat) {
    throw new ParameterError(`RUNNABLE_OWNER_STALE_SECONDS (${stale}) must be larger than RUNNABLE_OWNER_HEARTBEAT_SECONDS (${heartbeat})`);
  }
  return { heartbeatMs: heartbeat * 1000, staleMs: stale * 1000 };
}

/**
 * Why an owner is gone, or undefined when it is alive. On this machine the pid decides (a step that blocks the
 * event loop cannot heartbeat, yet its owner is alive); on another machine, the heartbeat.
 */
export function ownerGoneReason(owner: RunOwner, staleMs: number, now = Date.now()): string | undefined {
  if (owner.host === os.hostname()) {
    const boot = currentBootId();
    if (owner.boot_id && boot && owner.boot_id !== boot) return 'the machine restarted since';
    try {
      process.kill(owner.pid, 0);
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPERM') return undefined; // exists, another user's
      return `process ${owner.pid} is no longer running`;
    }
  }
  const age = now - Date.parse(owner.heartbeat_at);
  if (!(age <= staleMs)) return `no heartbeat for ${Math.round(age / 1000)} s (stale after ${Math.round(staleMs / 1000)} s)`;
  return undefined;
}

export function describeOwner(o: RunOwner): string {
  return `${o.command} (pid ${o.pid} on host ${o.host}, since ${o.started_at})`;
}

/** An ownership held by this process. */
export interface Ownership {
  readonly token: string;
  /** The gone owner taken over, with why it is gone. */
  readonly tookOver?: { owner: RunOwner; reason: string };
  release(): Promise<void>;
}

/**
 * Takes the run for this process: refuses (RunOwnedError) while another owner lives, takes over a gone one.
 * Starts an unref'd heartbeat timer (it never keeps the process alive) until release().
 * `onLost` is called once if a heartbeat finds that another process took the run over.
 */
export async function acquireRun(
  store: RunLogStore,
  runId: string,
  command: string,
  env: NodeJS.ProcessEnv,
  onLost: (message: string) => void = () => undefined,
): Promise<Ownership> {
  const { heartbeatMs, staleMs } = ownershipTiming(env);
  const now = new Date().toISOString();
  const boot = currentBootId();
  const owner: RunOwner = {
    token: randomBytes(12).toString('hex'),
    pid: process.pid,
    host: os.hostname(),
    ...(boot && { boot_id: boot }),
    command,
    started_at: now,
    heartbeat_at: now,
  };
  const reasons = new Map<string, string>();
  const previous = await store.acquireOwner(runId, owner, (cur) => {
    const why = ownerGoneReason(cur, staleMs);
    if (why) reasons.set(cur.token, why);
    return why !== undefined;
  });
  let lost = false;
  const timer = setInterval(() => {
    store.heartbeatOwner(runId, owner.token, new Date().toISOString()).then(
      (still) => {
        if (!still && !lost) {
          lost = true;
          clearInterval(timer);
          onLost(`Run ${runId} was taken over by another process (this one looked gone: its heartbeat was late); this process keeps running, but its writes now race with the new owner's.`);
        }
      },
      () => undefined, // a failed heartbeat is retried at the next tick
    );
  }, heartbeatMs);
  timer.unref();
  let released = false;
  return {
    token: owner.token,
    ...(previous && { tookOver: { owner: previous, reason: reasons.get(previous.token) ?? 'it was gone' } }),
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await store.releaseOwner(runId, owner.token).catch(() => undefined);
    },
  };
}

/** Whether the run's recorded owner is gone (dead pid on this host, restarted machine, stale heartbeat, or none). */
export async function ownerIsGone(store: RunLogStore, runId: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const owner = await store.getOwner(runId);
  if (!owner) return true;
  let staleMs = DEFAULT_STALE_SECONDS * 1000;
  try {
    staleMs = ownershipTiming(env).staleMs;
  } catch {
    /* a bad setting is reported by the commands that run; listing uses the default */
  }
  return ownerGoneReason(owner, staleMs) !== undefined;
}
