import type { Catalog } from '../../stores/catalog/catalog';
import type { CodeIdentity, Parameter, RunLog, StepAttempt } from '../../stores/run-log/types';
import { summarizeRun } from '../../engine/runs';
import { walkSteps } from '../../stores/run-log/document';
import { attemptSeconds, branchLabel, dagNode, fmtBytes, ms, runItems, runSpan, type RunItem, type SizeOf } from '../model';
import { catalogSizes, logTail } from '../sizes';
import { HTML_ICON } from './icons';

/**
 * Everything the report page shows, as plain JSON (embedded in the page). Built from the run log and catalog
 * alone; `runnable ui` can serve the same object.
 *
 * Rows are compact arrays (a 10,000-item map has tens of thousands of them): see {@link Row}.
 */
export interface ReportData {
  run: {
    id: string;
    pipeline: string;
    status: string;
    tag: string;
    start: string | null;
    end: string | null;
    /** Time during which some step ran (idle time before a retry excluded). */
    activeSeconds: number | null;
    /** Wall-clock span from the first attempt's start to the last one's end. */
    spanSeconds: number | null;
    parameters: { name: string; value: string; source?: string }[];
    metrics: { name: string; value: number }[];
    code: { git: string; dependable: boolean; message: string; url: string | null }[];
    definition: string;
    config: string;
    versions: string;
  };
  /** Milliseconds since the epoch of the run's first start: every offset in rows is relative to it. */
  t0: number;
  /** Length of the timeline, ms. */
  span: number;
  rows: Row[];
  /** Details of task/stub steps, by row index. */
  details: Record<number, StepDetail>;
  /** Composite rows whose branches start collapsed (more than COLLAPSE_OVER of them): aggregated until expanded. */
  collapsed: number[];
  /** Row indexes by graph path (dot path with `*` for map/loop keys), for the graph's click-through. */
  byPath: Record<string, number[]>;
  /** The mark drawn before each step type. */
  icons: Record<string, string>;
  /** Execution-log tails were read for this many steps (all failed ones first); the others say so. */
  logTailsRead: number;
}

/**
 * One line of the Gantt chart:
 * `[id, label, type, status, depth, parent, start, end, attempts, childCount, path]`; start/end are ms offsets
 * from t0 (-1 when unknown); attempts are `[number, status, start, end]` (steps only).
 */
export type Row = [
  id: string,
  label: string,
  type: string,
  status: string,
  depth: number,
  parent: number,
  start: number,
  end: number,
  attempts: [number, string, number, number][],
  children: number,
  path: string,
];

export interface StepDetail {
  command?: string;
  inputs: [string, string][];
  outputs: [string, string][];
  metrics: [string, string][];
  catalog: { stage: string; name: string; size?: string; hash: string }[];
  attempts: { n: number; status: string; start: string; end: string; seconds: number; cpu?: number; rss?: string; error?: string; errorType?: string; stack?: string; log?: string; logTail?: string }[];
  maxAttempts?: number;
}

/** Composites with more branches than this start collapsed in the report (one aggregated row, expandable). */
export const COLLAPSE_OVER = 50;
/** Values in the side panel are cut at this many characters (the full value: `runnable inspect <run> <name>`). */
const VALUE_CHARS = 400;
/** Execution-log tails read per report (failed attempts first). */
const LOG_TAILS = 300;

function valueText(p: Parameter, sizeOf: SizeOf): string {
  if (p.kind === 'object') {
    const size = p.catalog_relative_path ? sizeOf(p.catalog_relative_path) : undefined;
    return `pickled ${String(p.value)}${size !== undefined ? `, ${fmtBytes(size)}` : ''}${p.data_hash ? `, sha256 ${p.data_hash.slice(0, 12)}…` : ''}`;
  }
  const compact = JSON.stringify(p.value) ?? 'undefined';
  const text = compact.length <= 80 ? compact : JSON.stringify(p.value, null, 1);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
}

const pairs = (ps: Record<string, Parameter>, sizeOf: SizeOf): [string, string][] => Object.entries(ps).map(([k, p]) => [k, valueText(p, sizeOf)]);

/** Builds the report's data from a run log and its catalog. */
export async function buildReportData(log: RunLog, catalog: Catalog): Promise<ReportData> {
  const sizeOf = await catalogSizes(log, catalog);
  const items = runItems(log);
  const [s0, s1] = runSpan(items);
  const t0 = s0 ?? 0;
  const off = (t: number | undefined) => (t === undefined || Number.isNaN(t) ? -1 : t - t0);
  const rows: Row[] = [];
  const details: Record<number, StepDetail> = {};
  const collapsed: number[] = [];
  const byPath: Record<string, number[]> = {};
  const tails: { row: number; attempt: number; path: string; failed: boolean }[] = [];

  const addStep = (item: RunItem, parent: number, path: string) => {
    const s = item.step!;
    const idx = rows.length;
    const attempts = s.attempts.map((a): [number, string, number, number] => [a.attempt_number, a.status, off(ms(a.start_time)), off(ms(a.end_time))]);
    rows.push([item.id, item.name, item.type, item.status, item.depth, parent, off(item.start), off(item.end), attempts, item.children.length, path]);
    (byPath[path] ??= []).push(idx);
    if (s.step_type === 'task' || s.step_type === 'stub') {
      const node = dagNode(log.run_config.dag, s.internal_name);
      const last = s.attempts.at(-1);
      details[idx] = {
        ...(node?.command && node.command !== '(anonymous)' ? { command: `${String(node.command_type ?? '')}: ${String(node.command)}` } : {}),
        inputs: last ? pairs(last.input_parameters, sizeOf) : [],
        outputs: last ? pairs(last.output_parameters, sizeOf) : [],
        metrics: last ? Object.entries(last.user_defined_metrics).map(([k, p]) => [k, String(p.value)]) : [],
        catalog: s.data_catalog.map((c) => {
          const size = sizeOf(c.catalog_relative_path);
          return { stage: c.stage, name: c.name, hash: c.data_hash, ...(size !== undefined && { size: fmtBytes(size) }) };
        }),
        attempts: s.attempts.map((a: StepAttempt) => ({
          n: a.attempt_number,
          status: a.status,
          start: a.start_time,
          end: a.end_time,
          seconds: attemptSeconds(a),
          ...(a.cpu_seconds !== undefined && { cpu: a.cpu_seconds }),
          ...(a.peak_rss_bytes ? { rss: fmtBytes(a.peak_rss_bytes) } : {}),
          ...(a.message && { error: a.message }),
          ...(a.error_type && { errorType: a.error_type }),
          ...(a.error_stack && { stack: a.error_stack.split('\n').slice(0, 12).join('\n') }),
          ...(a.execution_log && { log: a.execution_log }),
        })),
        ...(Number(node?.max_attempts) > 1 && { maxAttempts: Number(node!.max_attempts) }),
      };
      s.attempts.forEach((a, i) => {
        if (a.execution_log) tails.push({ row: idx, attempt: i, path: a.execution_log, failed: a.status === 'FAIL' });
      });
    }
    if (item.children.length > COLLAPSE_OVER) collapsed.push(idx);
    for (const b of item.children) {
      const key = b.type === 'map' || b.type === 'loop' ? '*' : b.name;
      const bIdx = rows.length;
      rows.push([b.id, branchLabel(b), 'branch', b.status, b.depth, idx, off(b.start), off(b.end), [], b.children.length, `${path}.${key}`]);
      for (const c of b.children) {
        // a branch's terminal node carries nothing to look at: the branch row shows its status
        if ((c.type === 'success' || c.type === 'fail') && !c.attempts.some((a) => a.status === 'FAIL')) {
          rows[bIdx]![9]--;
          continue;
        }
        addStep(c, bIdx, `${path}.${key}.${c.name}`);
      }
    }
  };
  for (const item of items) addStep(item, -1, item.name);

  // Tails of execution logs: failed attempts first, then in run order, up to LOG_TAILS.
  tails.sort((a, b) => Number(b.failed) - Number(a.failed));
  const chosen = tails.slice(0, LOG_TAILS);
  await Promise.all(
    chosen.map(async (t) => {
      const tail = await logTail(catalog, t.path);
      if (tail !== undefined) details[t.row]!.attempts[t.attempt]!.logTail = tail;
    }),
  );

  const sum = summarizeRun(log);
  const sources = (log.run_config.parameter_sources ?? {}) as Record<string, string>;
  const codes: CodeIdentity[] = [];
  walkSteps(log.steps, (s) => {
    for (const a of s.attempts) for (const c of a.code_identities) if (!codes.some((x) => x.code_identifier === c.code_identifier && x.code_identifier_type === c.code_identifier_type)) codes.push(c);
  });
  const cfg = log.run_config;
  return {
    run: {
      id: log.run_id,
      pipeline: sum.pipeline,
      status: log.status,
      tag: log.tag,
      start: sum.startTime,
      end: sum.endTime,
      activeSeconds: sum.durationSeconds,
      spanSeconds: s0 !== undefined && s1 !== undefined ? (s1 - s0) / 1000 : null,
      parameters: Object.entries(sum.parameters).map(([name, v]) => {
        const text = JSON.stringify(v) ?? 'undefined';
        return { name, value: text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text, ...(sources[name] && { source: sources[name] }) };
      }),
      metrics: Object.entries(sum.metrics).map(([name, value]) => ({ name, value })),
      code: codes.map((c) => ({
        git: c.code_identifier ? `${c.code_identifier_type} ${c.code_identifier}` : c.code_identifier_type,
        dependable: c.code_identifier_dependable,
        message: c.code_identifier_message,
        url: c.code_identifier_url,
      })),
      definition: String(cfg.pipeline_definition_file || '-'),
      config: String(cfg.config_file ?? 'embedded defaults'),
      versions: `runnable-ts ${String(cfg.runnable_ts_version ?? '?')}, node ${String(cfg.node_version ?? '?')}`,
    },
    t0,
    span: s0 !== undefined && s1 !== undefined ? Math.max(1, s1 - s0) : 1,
    rows,
    details,
    collapsed,
    byPath,
    logTailsRead: chosen.length,
    icons: { ...HTML_ICON, branch: '' },
  };
}
