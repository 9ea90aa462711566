import type { RunLogStore } from '../stores/run-log/store';
import type { RunLog, RunStatus } from '../stores/run-log/types';
import { walkSteps } from '../stores/run-log/document';
import { parseTimestamp } from '../util/time';
import { ownerIsGone } from './ownership';
import { ChunkedFsRunLogStore } from '../stores/run-log/chunked-fs';
import { FileSystemRunLogStore } from '../stores/run-log/file-system';

/** One run, as listed and compared. */
export interface RunSummary {
  runId: string;
  /** The pipeline's (or job's) name. */
  pipeline: string;
  /** Set by summarizeRun: 'job' for a job run (`job(X)`, `runnable job`), else 'pipeline' (also for run logs that predate jobs). */
  kind?: 'pipeline' | 'job';
  status: RunStatus;
  tag: string;
  /** Start of the first attempt (local time, run-log format), or null when nothing ran. */
  startTime: string | null;
  endTime: string | null;
  /** Time during which some step was running (idle time before a retry excluded; concurrent steps counted once). */
  durationSeconds: number | null;
  /** The run's initial parameters (file, environment, defaults). */
  parameters: Record<string, unknown>;
  /** Every metric recorded by the run's steps (the last value of each name). */
  metrics: Record<string, number>;
  /** Set by listRuns for a PROCESSING run whose owner process is gone (crashed, killed): nobody is running it. */
  ownerGone?: boolean;
}

/**
 * Time during which some step was running: the union of all attempts' intervals. Idle time (between a failure and
 * its retry) does not count, and steps running side by side count once.
 */
function activeSeconds(spans: [number, number][]): number {
  spans.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [curStart, curEnd] = spans[0]!;
  for (const [s, e] of spans.slice(1)) {
    if (s > curEnd) {
      total += curEnd - curStart;
      [curStart, curEnd] = [s, e];
    } else if (e > curEnd) curEnd = e;
  }
  return (total + curEnd - curStart) / 1000;
}

export function summarizeRun(log: RunLog): RunSummary {
  let start: string | null = null;
  let end: string | null = null;
  const metrics: Record<string, number> = {};
  const spans: [number, number][] = [];
  walkSteps(log.steps, (s) => {
    for (const a of s.attempts) {
      if (start === null || a.start_time < start) start = a.start_time;
      if (end === null || a.end_time > end) end = a.end_time;
      spans.push([parseTimestamp(a.start_time).getTime(), parseTimestamp(a.end_time).getTime()]);
      for (const [k, p] of Object.entries(a.user_defined_metrics)) if (typeof p.value === 'number') metrics[k] = p.value;
    }
  });
  const initial = (log.run_config.initial_parameters as Record<string, unknown> | undefined) ?? {};
  return {
    runId: log.run_id,
    pipeline: String(log.run_config.pipeline_name ?? ''),
    kind: log.run_config.kind === 'job' ? 'job' : 'pipeline',
    status: log.status,
    tag: log.tag,
    startTime: start,
    endTime: end,
    durationSeconds: spans.length ? activeSeconds(spans) : null,
    parameters: { ...initial },
    metrics,
  };
}

export interface ListRunsOptions {
  tag?: string;
  status?: RunStatus;
  /** At most this many runs (the newest). */
  limit?: number;
}

/**
 * Lists the runs in a store, newest first, with status, start time, duration, tag, parameters and metrics:
 * the data behind "which experiment was best?". Unreadable run logs are skipped and reported in `skipped`.
 */
export async function listRuns(store: RunLogStore, opts: ListRunsOptions = {}): Promise<RunSummary[] & { skipped?: { runId: string; error: string }[] }> {
  const out: RunSummary[] & { skipped?: { runId: string; error: string }[] } = [];
  const skipped: { runId: string; error: string }[] = [];
  for (const id of await store.list()) {
    try {
      const s = summarizeRun(await store.get(id));
      if (opts.tag !== undefined && s.tag !== opts.tag) continue;
      if (opts.status !== undefined && s.status !== opts.status) continue;
      if (s.status === 'PROCESSING' && (await ownerIsGone(store, id))) s.ownerGone = true;
      out.push(s);
    } catch (err) {
      skipped.push({ runId: id, error: (err as Error).message });
    }
  }
  out.sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? '') || b.runId.localeCompare(a.runId));
  if (opts.limit !== undefined) out.splice(opts.limit);
  if (skipped.length) out.skipped = skipped;
  return out;
}

/**
 * The file-system and chunked-fs stores share a folder (`.run_log_store`) but not a layout: after a change of
 * `runLogStore.type`, the runs of the other one are still there and `runnable runs` would silently leave them out.
 */
export async function otherLayoutNote(store: { type: string; config(): unknown }): Promise<string | undefined> {
  const folder = (store.config() as { log_folder?: string }).log_folder;
  if (!folder || (store.type !== 'file-system' && store.type !== 'chunked-fs')) return undefined;
  const other = store.type === 'file-system' ? 'chunked-fs' : 'file-system';
  const ids = (await (other === 'file-system' ? new FileSystemRunLogStore({ log_folder: folder }) : new ChunkedFsRunLogStore({ log_folder: folder })).list()).sort();
  if (!ids.length) return undefined;
  const shown = ids.slice(0, 3).join(', ') + (ids.length > 3 ? ', …' : '');
  return (
    `ℹ️  ${ids.length} more run${ids.length > 1 ? 's' : ''} in ${folder} (${shown}) ${ids.length > 1 ? 'are' : 'is'} stored by the ${other} run-log store, ` +
    `which this configuration (runLogStore type ${store.type}) does not read. List ${ids.length > 1 ? 'them' : 'it'} with a configuration whose runLogStore type is ${other} (-c <file>).`
  );
}
