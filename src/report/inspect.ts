import { inspect as utilInspect } from 'node:util';
import type { Parameter, RunLog, StepLog } from '../stores/run-log/types';
import { formatDuration } from '../util/time';
import { summarizeRun, type RunSummary } from '../engine/runs';
import { STATUS_ICON, table } from '../engine/reporter';
import { lastAttemptSeconds, walkSteps } from '../stores/run-log/document';

const ICON = STATUS_ICON;

export function shortValue(p: Parameter, max = 60): string {
  if (p.kind === 'object') return `${String(p.value)} (pickled${p.data_hash ? `, sha256 ${p.data_hash.slice(0, 10)}…` : ''})`;
  const text = JSON.stringify(p.value) ?? 'undefined';
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return p.kind === 'metric' ? `${cut} (metric)` : cut;
}

function renderSteps(steps: Record<string, StepLog>, indent: string, lines: string[]): void {
  for (const s of Object.values(steps)) {
    const secs = lastAttemptSeconds(s);
    const attempts = s.attempts.length;
    const head = `${indent}${ICON[s.status] ?? '?'} ${s.name}`;
    const meta = [
      s.step_type !== 'task' ? s.step_type : '',
      secs !== undefined && s.step_type === 'task' ? formatDuration(secs) : '',
      attempts > 1 ? `${attempts} attempts` : '',
    ].filter(Boolean);
    lines.push(meta.length ? `${head}  (${meta.join(', ')})` : head);
    const last = s.attempts.at(-1);
    const sub = `${indent}   `;
    if (s.step_type === 'task' && last) {
      if (attempts > 1) for (const a of s.attempts) lines.push(`${sub}attempt ${a.attempt_number}: ${a.status}${a.message ? ` — ${a.message.split('\n')[0]}` : ''}`);
      const ins = Object.entries(last.input_parameters);
      if (ins.length) lines.push(`${sub}in:  ${ins.map(([k, p]) => (p.kind === 'object' ? k : `${k}=${shortValue(p, 30)}`)).join(', ')}`);
      const outs = Object.entries(last.output_parameters);
      if (outs.length) lines.push(`${sub}out: ${outs.map(([k, p]) => `${k}=${shortValue(p, 40)}`).join(', ')}`);
      if (last.status === 'FAIL' && last.message && attempts === 1) lines.push(`${sub}error: ${last.message.split('\n')[0]}`);
      const res = [
        last.cpu_seconds !== undefined ? `cpu ${last.cpu_seconds.toFixed(2)}s` : '',
        last.peak_rss_bytes !== undefined ? `peak rss ${(last.peak_rss_bytes / 2 ** 20).toFixed(0)} MiB` : '',
        last.execution_log ? `output: ${last.execution_log}` : '',
      ].filter(Boolean);
      if (res.length) lines.push(`${sub}${res.join(', ')}`);
    }
    for (const c of s.data_catalog) {
      if (c.name.endsWith('.superjson')) continue;
      lines.push(`${sub}catalog ${c.stage}: ${c.name} (sha256 ${c.data_hash.slice(0, 10)}…)`);
    }
    for (const b of Object.values(s.branches)) {
      lines.push(`${sub}${ICON[b.status] ?? '?'} branch ${b.internal_name}`);
      renderSteps(b.steps, `${sub}   `, lines);
    }
  }
}

/** The run as a readable tree: header, parameters, steps (with attempts, inputs, outputs, catalog), metrics. */
export function renderRun(log: RunLog): string {
  const s: RunSummary = summarizeRun(log);
  const cfg = log.run_config;
  let firstAttempt: StepLog['attempts'][number] | undefined;
  walkSteps(log.steps, (st) => (firstAttempt ??= st.attempts[0]));
  const git = ((firstAttempt?.code_identities ?? [])[0]) as
    | { code_identifier: string | null; code_identifier_dependable: boolean; code_identifier_message: string }
    | undefined;
  const lines: string[] = [];
  lines.push(`Run ${log.run_id}  ${ICON[log.status] ?? ''} ${log.status}`);
  lines.push(`  ${cfg.kind === 'job' ? 'job' : 'pipeline'}: ${s.pipeline || '-'}${log.tag ? `   tag: ${log.tag}` : ''}`);
  lines.push(`  started: ${s.startTime ?? '-'}   duration: ${s.durationSeconds === null ? '-' : formatDuration(s.durationSeconds)}`);
  if (git) {
    lines.push(
      `  code: ${git.code_identifier ? `git ${git.code_identifier.slice(0, 12)}${git.code_identifier_dependable ? '' : ` (${git.code_identifier_message})`}` : git.code_identifier_message}`,
    );
  }
  lines.push(
    `  definition: ${String(cfg.pipeline_definition_file || '-')}   config: ${String(cfg.config_file ?? 'embedded defaults')}   runnable-ts ${String(cfg.runnable_ts_version ?? '?')}`,
  );
  const sources = (cfg.parameter_sources ?? {}) as Record<string, string>;
  const initial = Object.entries(s.parameters);
  lines.push('Parameters');
  if (!initial.length) lines.push('  (none)');
  for (const [k, v] of initial) lines.push(`  ${k} = ${JSON.stringify(v)}${sources[k] ? `   (${sources[k]})` : ''}`);
  lines.push('Steps');
  renderSteps(log.steps, '  ', lines);
  const metrics = Object.entries(s.metrics);
  if (metrics.length) {
    lines.push('Metrics');
    for (const [k, v] of metrics) lines.push(`  ${k} = ${v}`);
  }
  return lines.join('\n');
}

/** A value printed for people: strings as they are, the rest through util.inspect. */
export function renderValue(value: unknown, color: boolean): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) {
    const text = value.toString('utf8');
    return /\uFFFD/.test(text) ? `<${value.length} bytes of binary data>` : text;
  }
  return utilInspect(value, { depth: 6, colors: color, maxArrayLength: 50, breakLength: 100 });
}

/** JSON for machines: Maps, Sets, bigints, Dates and Buffers in a readable JSON form. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => {
      if (v instanceof Map) return Object.fromEntries([...v].map(([a, b]) => [String(a), b]));
      if (v instanceof Set) return [...v];
      if (typeof v === 'bigint') return v.toString();
      if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
        return Buffer.from((v as { data: number[] }).data).toString('utf8');
      }
      return v;
    },
    2,
  );
}

/** `runnable runs`: one row per run, with up to four metric columns. */
export function renderRunsTable(runs: RunSummary[]): string {
  const metricNames = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].slice(0, 4);
  const fmt = (n: number | undefined) => (n === undefined ? '-' : Number.isInteger(n) ? String(n) : n.toPrecision(4));
  return table(
    ['run id', 'status', 'started', 'duration', 'tag', ...metricNames],
    runs.map((r) => [
      r.runId,
      `${ICON[r.status] ?? ''} ${r.status}${r.ownerGone ? ' (owner gone)' : ''}`,
      r.startTime?.slice(0, 19) ?? '-',
      r.durationSeconds === null ? '-' : formatDuration(r.durationSeconds),
      r.tag || '-',
      ...metricNames.map((m) => fmt(r.metrics[m])),
    ]),
  );
}

/** `runnable runs compare`: parameters and metrics side by side; rows whose values differ are marked with '*'. */
export function renderComparison(runs: RunSummary[]): string {
  const show = (v: unknown) => (v === undefined ? '-' : typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : JSON.stringify(v));
  const rows: string[][] = [];
  const section = (title: string, keys: string[], get: (r: RunSummary, k: string) => unknown) => {
    rows.push([title, ...runs.map(() => '')]);
    for (const k of keys) {
      const values = runs.map((r) => get(r, k));
      const differ = new Set(values.map((v) => JSON.stringify(v))).size > 1;
      rows.push([`${differ ? '*' : ' '} ${k}`, ...values.map(show)]);
    }
  };
  rows.push(['  status', ...runs.map((r) => `${ICON[r.status] ?? ''} ${r.status}`)]);
  rows.push(['  tag', ...runs.map((r) => r.tag || '-')]);
  rows.push(['  duration', ...runs.map((r) => (r.durationSeconds === null ? '-' : formatDuration(r.durationSeconds)))]);
  section('parameters', [...new Set(runs.flatMap((r) => Object.keys(r.parameters)))].sort(), (r, k) => r.parameters[k]);
  section('metrics', [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort(), (r, k) => r.metrics[k]);
  return table(['', ...runs.map((r) => r.runId)], rows) + '\n\n* = differs between runs';
}
