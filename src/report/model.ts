import type { BranchLog, Parameter, RunLog, RunStatus, StepAttempt, StepLog, StepType } from '../stores/run-log/types';
import { parseTimestamp } from '../util/time';

/**
 * The run as a tree of timed items, built from the run log alone: what the console timeline and the HTML report
 * show. Every step, every branch (parallel branch, map iteration, loop iteration, conditional branch) and every
 * attempt; within a container, children are in start order.
 */
export interface RunItem {
  /** Step or branch internal name (dot path), unique in the run. */
  id: string;
  kind: 'step' | 'branch';
  /** Step name, or the branch key (map item, loop index, parallel/conditional branch name). */
  name: string;
  /** Step type; for a branch, the type of the composite it belongs to. */
  type: StepType;
  status: RunStatus;
  depth: number;
  /** Start/end in ms since the epoch: of the step's first/last attempt, or of everything inside a composite/branch. */
  start: number | undefined;
  end: number | undefined;
  attempts: StepAttempt[];
  step?: StepLog;
  branch?: BranchLog;
  children: RunItem[];
}

export const ms = (t: string): number => parseTimestamp(t).getTime();

function span(items: RunItem[], attempts: StepAttempt[]): [number | undefined, number | undefined] {
  let start: number | undefined;
  let end: number | undefined;
  const add = (s: number | undefined, e: number | undefined) => {
    if (s !== undefined && !Number.isNaN(s) && (start === undefined || s < start)) start = s;
    if (e !== undefined && !Number.isNaN(e) && (end === undefined || e > end)) end = e;
  };
  for (const a of attempts) add(ms(a.start_time), ms(a.end_time));
  for (const c of items) add(c.start, c.end);
  return [start, end];
}

const byStart = (a: RunItem, b: RunItem) => (a.start ?? Infinity) - (b.start ?? Infinity);

function stepItem(s: StepLog, depth: number): RunItem {
  const children = Object.values(s.branches).map((b) => branchItem(b, s, depth + 1));
  children.sort(byStart);
  const [start, end] = span(children, s.attempts);
  return { id: s.internal_name, kind: 'step', name: s.name, type: s.step_type, status: s.status, depth, start, end, attempts: s.attempts, step: s, children };
}

function branchItem(b: BranchLog, parent: StepLog, depth: number): RunItem {
  const children = stepItems(b.steps, depth + 1);
  const [start, end] = span(children, []);
  const key = b.internal_name.slice(parent.internal_name.length + 1);
  return { id: b.internal_name, kind: 'branch', name: key, type: parent.step_type, status: b.status, depth, start, end, attempts: [], branch: b, children };
}

function stepItems(steps: Record<string, StepLog>, depth: number): RunItem[] {
  const items = Object.values(steps).map((s) => stepItem(s, depth));
  // Stable sort: steps that never ran (terminal nodes without attempts) keep their run-log position at the end.
  return items.sort(byStart);
}

export function runItems(log: RunLog): RunItem[] {
  return stepItems(log.steps, 0);
}

/** Depth-first, in display order. */
export function flatten(items: RunItem[], out: RunItem[] = []): RunItem[] {
  for (const i of items) {
    out.push(i);
    flatten(i.children, out);
  }
  return out;
}

/** Start and end of the whole run (ms), from every attempt. */
export function runSpan(items: RunItem[]): [number | undefined, number | undefined] {
  return span(items, []);
}

/** A branch's label as the original prints it: `Iteration 3` (map item / loop index) or `Branch: b1`. */
export function branchLabel(item: RunItem): string {
  return item.type === 'map' || item.type === 'loop' ? `Iteration ${item.name}` : `Branch: ${item.name}`;
}

/** The step's node in the recorded DAG (run_config.dag), found through branches and on-failure graphs. */
export function dagNode(dag: unknown, internalName: string): Record<string, unknown> | undefined {
  const parts = internalName.split('.');
  let graph = dag as DagGraph | undefined;
  for (let i = 0; graph && i < parts.length; i += 2) {
    const node = findInGraph(graph, parts[i]!);
    if (!node) return undefined;
    if (i === parts.length - 1) return node;
    const key = parts[i + 1]!;
    graph = (node.branch as DagGraph | undefined) ?? (node.branches as Record<string, DagGraph> | undefined)?.[key];
  }
  return undefined;
}

interface DagGraph {
  name?: string;
  start_at?: string;
  steps?: Record<string, Record<string, unknown>>;
}

function findInGraph(g: DagGraph, name: string): Record<string, unknown> | undefined {
  const direct = g.steps?.[name];
  if (direct) return direct;
  // Steps of an on-failure pipeline run in their parent's scope: look inside on_failure graphs.
  for (const node of Object.values(g.steps ?? {})) {
    const of = node.on_failure as DagGraph | '' | undefined;
    if (of && typeof of === 'object') {
      const found = findInGraph(of, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** Size in bytes of a pickled value, when known (catalog path → size). */
export type SizeOf = (catalogRelativePath: string) => number | undefined;

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A parameter for people: JSON values shown (cut at `max` characters), pickled ones by name and size. */
export function paramText(p: Parameter, sizeOf?: SizeOf, max = 60): string {
  if (p.kind === 'object') {
    const size = p.catalog_relative_path ? sizeOf?.(p.catalog_relative_path) : undefined;
    return `<pickled ${String(p.value)}${size !== undefined ? `, ${fmtBytes(size)}` : ''}>`;
  }
  const text = JSON.stringify(p.value) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Duration of an attempt in seconds. */
export function attemptSeconds(a: StepAttempt): number {
  return a.duration_seconds ?? (ms(a.end_time) - ms(a.start_time)) / 1000;
}
