import type { Parameter, RunLog } from '../stores/run-log/types';
import { STATUS_ICON } from '../engine/reporter';
import { summarizeRun } from '../engine/runs';
import { formatDuration } from '../util/time';
import { attemptSeconds, branchLabel, dagNode, fmtBytes, paramText, runItems, type RunItem, type SizeOf } from './model';

/** Icons of step types, as the original's timeline. */
export const TYPE_ICON: Record<string, string> = {
  task: '⚙️',
  stub: '📝',
  success: '✅',
  fail: '❌',
  parallel: '🔀',
  map: '🔁',
  conditional: '🔀',
  loop: '🔂',
};

const RULE = '='.repeat(80);

function ms(seconds: number): string {
  return seconds < 1 ? `${(seconds * 1000).toFixed(1)}ms` : formatDuration(seconds);
}

function params(ps: Record<string, Parameter>, sizeOf?: SizeOf): string {
  return Object.entries(ps)
    .map(([k, p]) => (p.kind === 'object' ? `${k}=${paramText(p, sizeOf)}` : `${k}=${paramText(p, sizeOf, 40)}`))
    .join(' • ');
}

export interface TimelineOptions {
  /** Size of pickled values and catalog files (shown when known). */
  sizeOf?: SizeOf;
  /** At most this many iterations of one map/loop are listed in full; the rest are summarised. Default: all. */
  maxBranches?: number;
}

function stepLines(item: RunItem, log: RunLog, indent: string, opts: TimelineOptions, out: string[]): void {
  const s = item.step!;
  if (item.children.length || ['parallel', 'map', 'conditional', 'loop'].includes(item.type)) {
    compositeLines(item, log, indent, opts, out);
    return;
  }
  const last = s.attempts.at(-1);
  const secs = last ? attemptSeconds(last) : undefined;
  const res = last
    ? [last.cpu_seconds !== undefined ? `cpu ${last.cpu_seconds.toFixed(2)}s` : '', last.peak_rss_bytes ? `peak ${fmtBytes(last.peak_rss_bytes)}` : ''].filter(Boolean)
    : [];
  out.push(`${indent}${TYPE_ICON[s.step_type] ?? '•'} ${STATUS_ICON[s.status] ?? '?'} ${s.name}${secs !== undefined ? ` (${ms(secs)})` : ''}${res.length ? `  ${res.join(' · ')}` : ''}`);
  const sub = `${indent}   `;
  const node = dagNode(log.run_config.dag, s.internal_name);
  // function tasks written inline have no name to show ('(anonymous)'): their step name says it all
  if (node && node.command && node.command !== '(anonymous)' && (s.step_type === 'task' || s.step_type === 'stub')) {
    out.push(`${sub}📝 ${String(node.command_type ?? '').toUpperCase()}: ${String(node.command).replace(/\s+/g, ' ').slice(0, 50)}`);
  }
  if (last) {
    const ins = params(last.input_parameters, opts.sizeOf);
    if (ins) out.push(`${sub}📥 ${ins}`);
    const outs = params(last.output_parameters, opts.sizeOf);
    if (outs) out.push(`${sub}📤 ${outs}`);
  }
  const files = s.data_catalog.filter((c) => !c.name.endsWith('.superjson'));
  if (files.length) {
    out.push(
      `${sub}💾 ${files
        .map((c) => {
          const size = opts.sizeOf?.(c.catalog_relative_path);
          return `${c.stage.toUpperCase()}:${c.name}${size !== undefined ? ` (${fmtBytes(size)})` : ''}`;
        })
        .join(' • ')}`,
    );
  }
  const lastFailed = [...s.attempts].reverse().find((a) => a.status === 'FAIL');
  const shown = s.status === 'FAIL' ? lastFailed : undefined;
  if (shown) out.push(`${sub}💥 Error: ${firstLine(shown.message)}`);
  if (s.attempts.length > 1) {
    const max = Number(node?.max_attempts ?? s.attempts.length);
    const verb = s.status === 'SUCCESS' ? 'Succeeded' : 'Failed';
    out.push(`${sub}🔄 ${verb} after ${s.attempts.length}/${Math.max(max, s.attempts.length)} attempts: ${s.attempts.map((a) => `#${a.attempt_number} ${STATUS_ICON[a.status]} ${ms(attemptSeconds(a))}`).join(', ')}`);
    for (const a of s.attempts) if (a.status === 'FAIL' && a !== shown) out.push(`${sub}   attempt ${a.attempt_number}: ${firstLine(a.message)}`);
  }
}

function firstLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

function compositeLines(item: RunItem, log: RunLog, indent: string, opts: TimelineOptions, out: string[]): void {
  const dur = item.start !== undefined && item.end !== undefined ? ` ${ms((item.end - item.start) / 1000)}` : '';
  const n = item.children.length;
  const what = item.type === 'map' || item.type === 'loop' ? `${n} iteration${n === 1 ? '' : 's'}` : `${n} branch${n === 1 ? '' : 'es'}`;
  out.push(`${indent}${TYPE_ICON[item.type] ?? '•'} ${STATUS_ICON[item.status] ?? '?'} ${item.name} (${item.type}, ${what},${dur})`);
  const limit = opts.maxBranches ?? Infinity;
  item.children.forEach((b, i) => {
    if (i === limit) {
      const rest = item.children.slice(limit);
      const failed = rest.filter((r) => r.status === 'FAIL').length;
      out.push(`${indent}  └─ … ${rest.length} more (${rest.length - failed} ${STATUS_ICON.SUCCESS}, ${failed} ${STATUS_ICON.FAIL}); all of them: runnable timeline ${log.run_id}`);
    }
    if (i >= limit) return;
    const bd = b.start !== undefined && b.end !== undefined ? ` (${ms((b.end - b.start) / 1000)})` : '';
    out.push(`${indent}  ├─ ${branchLabel(b)} ${STATUS_ICON[b.status] ?? '?'}${bd}`);
    for (const c of b.children) stepLines(c, log, `${indent}      `, opts, out);
  });
  if (item.status === 'FAIL') {
    const failedBranches = item.children.filter((b) => b.status === 'FAIL').map((b) => b.name);
    if (failedBranches.length) out.push(`${indent}   💥 Failed in ${failedBranches.length} branch${failedBranches.length > 1 ? 'es' : ''}: ${failedBranches.slice(0, 10).join(', ')}${failedBranches.length > 10 ? ', …' : ''}`);
  }
}

/**
 * `runnable timeline <run_id>`: the run in start order — every step, branch, map and loop iteration — with type and
 * status icons, duration, CPU time and peak memory, inputs and outputs, catalog operations, errors and attempts.
 */
export function renderTimeline(log: RunLog, opts: TimelineOptions = {}): string {
  const sum = summarizeRun(log);
  const out: string[] = [];
  out.push(`🔄 ${log.run_config.kind === 'job' ? 'Job' : 'Pipeline'} Timeline - ${log.run_id}${sum.pipeline ? ` (${sum.pipeline})` : ''}`);
  out.push(
    `Status: ${STATUS_ICON[log.status] ?? ''} ${log.status}   started ${sum.startTime?.slice(0, 19) ?? '-'}   active ${sum.durationSeconds === null ? '-' : formatDuration(sum.durationSeconds)}${log.tag ? `   tag ${log.tag}` : ''}`,
  );
  const initial = Object.entries(sum.parameters);
  if (initial.length) out.push(`Parameters: ${initial.map(([k, v]) => `${k}=${(JSON.stringify(v) ?? 'undefined').slice(0, 40)}`).join(' • ')}`);
  out.push(RULE);
  for (const item of runItems(log)) stepLines(item, log, '  ', opts, out);
  out.push(RULE);
  return out.join('\n');
}
