import type { ReportData } from './data';
import { REPORT_CSS } from './styles';
import { REPORT_JS } from './client';
import { formatDuration } from '../../util/time';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe inside a `<script>` element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The run's header: pipeline, id, status, duration, tag, parameters, metrics, code identity. */
export function headerHtml(d: ReportData): string {
  const r = d.run;
  const dur = (s: number | null) => (s === null ? '-' : s < 1 ? `${Math.round(s * 1000)} ms` : formatDuration(s));
  const chips = (xs: { name: string; value: string | number }[]) => (xs.length ? `<span class="chips">${xs.map((p) => `<span>${esc(p.name)} = ${esc(String(p.value))}</span>`).join('')}</span>` : '<span class="muted">none</span>');
  const code = r.code.length
    ? r.code.map((c) => `${esc(c.git)}${c.dependable ? '' : ` <span class="muted">(${esc(c.message || 'not dependable')})</span>`}${c.url ? ` · ${esc(c.url)}` : ''}`).join('<br>')
    : '<span class="muted">not recorded</span>';
  return `<header class="run">
<h1>${esc(r.pipeline || 'pipeline')} <span class="muted">·</span> ${esc(r.id)}<span class="status ${esc(r.status)}" id="run-status">${esc(r.status)}</span></h1>
<dl class="facts">
<dt>started</dt><dd>${esc(r.start ?? '-')}</dd><dt>duration</dt><dd id="run-duration">${dur(r.activeSeconds)} active${r.spanSeconds !== null && r.activeSeconds !== null && Math.abs(r.spanSeconds - r.activeSeconds) > 0.5 ? ` (${dur(r.spanSeconds)} from first start to last end)` : ''}</dd>
<dt>tag</dt><dd>${r.tag ? esc(r.tag) : '<span class="muted">-</span>'}</dd><dt>code</dt><dd>${code}</dd>
<dt>parameters</dt><dd id="run-parameters">${chips(r.parameters)}</dd><dt>metrics</dt><dd id="run-metrics">${chips(r.metrics)}</dd>
<dt>definition</dt><dd>${esc(r.definition)}</dd><dt>config</dt><dd>${esc(r.config)} · ${esc(r.versions)}</dd>
</dl>
</header>`;
}

/** The Gantt chart's frame; the script fills it from the data. */
export function ganttHtml(d: ReportData): string {
  const note = d.collapsed.length
    ? ` Composites with more than 50 branches start collapsed into one aggregated row (▸ to expand); only rows in view are drawn.`
    : '';
  return `<h2>Timeline</h2>
<div class="toolbar"><button id="zoom-out" title="zoom out">−</button><button id="zoom-in" title="zoom in">+</button><button id="zoom-reset">fit</button>
<span id="zoom-level">1.0×</span><button id="expand-all">expand all</button><button id="collapse-all">collapse all</button>
<span>One bar per attempt (failed ones hatched red); lighter bars span branches and composites. Ctrl+wheel zooms, click a bar for details.${note}</span></div>
<div id="gantt"><div id="gscroll"><div id="axis"></div><div id="rows"></div></div></div>`;
}

/**
 * The whole report page: one self-contained HTML file (styles, script and data inline; nothing is fetched).
 * `graphSvg` is the pipeline's graph (see graph-svg.ts).
 */
export function reportPage(d: ReportData, graphSvg: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Pipeline Timeline - ${esc(d.run.id)}</title>
<style>${REPORT_CSS}</style>
</head><body>
${headerHtml(d)}
<main><div id="content">
${ganttHtml(d)}
<h2>Pipeline graph</h2>
<div class="toolbar"><span>Colours: green succeeded, red failed, dashed not run. Inside a map or loop the count of iterations per status. Click a step to see it.</span></div>
<div id="graph-wrap">${graphSvg}</div>
</div>
<aside id="panel" aria-live="polite"></aside>
</main>
<div id="tip"></div>
<footer>runnable-ts report of run ${esc(d.run.id)} · made from the run log and catalog, works offline · ${d.rows.length} rows${d.logTailsRead ? ` · execution-log tails of ${d.logTailsRead} attempts` : ''}</footer>
<script type="application/json" id="report-data">${scriptJson(d)}</script>
<script>${REPORT_JS}</script>
</body></html>
`;
}
