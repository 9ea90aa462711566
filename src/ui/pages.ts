import type { RunSummary } from '../engine/runs';
import { formatDuration } from '../util/time';
import { fmtBytes } from '../report/model';
import { ganttHtml, headerHtml, REPORT_CSS, REPORT_JS, scriptJson, type ReportData } from '../report/html';
import type { RecordedArtifact } from './artifacts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const enc = encodeURIComponent;

/**
 * The pages' Content-Security-Policy (sent as a header too): nothing from elsewhere; inline styles and scripts only;
 * `connect-src 'self'` lets a run's page poll its own status while the run is going.
 */
export const UI_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const UI_CSS = `
nav.top { display:flex; gap:14px; align-items:center; padding:8px 20px; background:#24292f; color:#fff; font-size:13px; }
nav.top a { color:#fff; text-decoration:none; } nav.top a:hover { text-decoration:underline; } nav.top .muted { color:#afb8c1; }
.page { padding:12px 20px 30px; }
table.runs, table.cmp { border-collapse:collapse; font-size:12.5px; }
table.runs th, table.runs td, table.cmp th, table.cmp td { border-bottom:1px solid #eaeef2; padding:4px 8px; text-align:left; white-space:nowrap; }
table.runs th { background:#f6f8fa; cursor:pointer; user-select:none; position:sticky; top:0; }
table.runs th.nosort { cursor:default; }
table.runs th[aria-sort="ascending"]::after { content:" \\25b2"; } table.runs th[aria-sort="descending"]::after { content:" \\25bc"; }
table.runs td.num, table.cmp td.num { text-align:right; font-variant-numeric:tabular-nums; font-family:ui-monospace, Menlo, monospace; }
table.runs tr:hover td { background:#f6f8fa; }
a { color:#0969da; }
.filters { display:flex; gap:12px; align-items:center; margin:4px 0 10px; flex-wrap:wrap; }
.filters select, .filters button { font:inherit; padding:2px 6px; border:1px solid #d0d7de; border-radius:6px; background:#f6f8fa; }
.filters button[disabled] { opacity:.5; }
table.cmp th { background:#f6f8fa; } table.cmp tr.diff td { background:#fff8c5; } table.cmp td.mark { color:#9a6700; font-weight:600; }
table.cmp td.best { font-weight:700; color:#1a7f37; }
.charts { display:flex; flex-wrap:wrap; gap:16px; }
.chart { border:1px solid #d0d7de; border-radius:6px; padding:6px 8px; background:#fff; }
.chart h3 { font-size:13px; margin:0 0 4px; }
svg.metric text { font:11px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; fill:#57606a; }
svg.metric .axis { stroke:#d0d7de; } svg.metric .line { fill:none; stroke:#0969da; stroke-width:1.5; }
svg.metric .point { fill:#0969da; stroke:#fff; stroke-width:1.5; } svg.metric .point.max { fill:#1a7f37; } svg.metric .point.min { fill:#cf222e; }
svg.metric text.val { fill:#1f2328; font-weight:600; }
#artifacts table { border-collapse:collapse; font-size:12px; } #artifacts td, #artifacts th { border-bottom:1px solid #eaeef2; padding:3px 8px; text-align:left; }
#live { font-size:12px; color:#9a6700; }
`;

function page(title: string, body: string, opts: { reportCss?: boolean } = {}): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${UI_CSP.replace(/; frame-ancestors 'none'/, '')}">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<style>${opts.reportCss === false ? '' : REPORT_CSS}${UI_CSS}</style>
</head><body>
<nav class="top"><a href="/"><b>runnable-ts</b> runs</a><span class="muted">read-only · this machine only</span></nav>
${body}
</body></html>
`;
}

const dur = (s: number | null) => (s === null ? '-' : s < 1 ? `${Math.round(s * 1000)} ms` : formatDuration(s));
const num = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3 ? v.toExponential(3) : String(Number(v.toPrecision(6))));

/** Metric names shown as columns of the runs list: the most common first, at most `max`. */
export function keyMetrics(runs: RunSummary[], max = 6): string[] {
  const count = new Map<string, number>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) count.set(k, (count.get(k) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, max).map(([k]) => k);
}

/** The runs list: filters (status, tag, pipeline), sortable columns, key metrics, checkboxes to compare. */
export function runsPage(runs: RunSummary[], where: string, skipped: { runId: string; error: string }[] = [], notes: string[] = []): string {
  const metrics = keyMetrics(runs);
  const options = (xs: string[]) => [...new Set(xs)].sort().map((x) => `<option value="${esc(x)}">${esc(x || '(none)')}</option>`).join('');
  const rows = runs
    .map((r) => {
      const cells = metrics.map((m) => (m in r.metrics ? `<td class="num" data-v="${r.metrics[m]}">${num(r.metrics[m]!)}</td>` : '<td class="num muted" data-v="">-</td>')).join('');
      return `<tr data-run="${esc(r.runId)}" data-status="${esc(r.status)}" data-tag="${esc(r.tag)}" data-pipeline="${esc(r.pipeline)}">
<td><input type="checkbox" class="pick" value="${esc(r.runId)}" aria-label="select ${esc(r.runId)}"></td>
<td data-v="${esc(r.runId)}"><a href="/runs/${enc(r.runId)}">${esc(r.runId)}</a></td><td data-v="${esc(r.pipeline)}">${esc(r.pipeline)}</td>
<td data-v="${esc(r.status)}"><span class="status ${esc(r.status)}" style="padding:0 6px;border-radius:8px">${esc(r.status)}</span></td>
<td data-v="${esc(r.tag)}">${esc(r.tag) || '<span class="muted">-</span>'}</td><td data-v="${esc(r.startTime ?? '')}">${esc(r.startTime?.slice(0, 19) ?? '-')}</td>
<td class="num" data-v="${r.durationSeconds ?? ''}">${dur(r.durationSeconds)}</td>${cells}</tr>`;
    })
    .join('\n');
  const head = ['run', 'pipeline', 'status', 'tag', 'started', 'duration', ...metrics]
    .map((h, i) => `<th data-col="${i + 1}" data-num="${i >= 5 ? 1 : 0}"${h === 'started' ? ' aria-sort="descending"' : ''}>${esc(h)}</th>`)
    .join('');
  const body = `<div class="page">
<h1 style="font-size:18px;margin:4px 0">Runs <span class="muted" style="font-size:13px">${runs.length} in ${esc(where)}</span></h1>
<div class="filters">
<label>status <select id="f-status"><option value="">all</option>${options(runs.map((r) => r.status))}</select></label>
<label>tag <select id="f-tag"><option value="">all</option>${options(runs.map((r) => r.tag))}</select></label>
<label>pipeline <select id="f-pipeline"><option value="">all</option>${options(runs.map((r) => r.pipeline))}</select></label>
<span id="shown" class="muted"></span>
<button id="compare" disabled>compare selected</button><span class="muted">tick two or more runs to compare them</span>
</div>
${runs.length ? '' : `<p class="muted">No runs yet. Run a pipeline (runnable run pipeline.ts) and reload.</p>`}
<table class="runs" id="runs"><thead><tr><th class="nosort"></th>${head}</tr></thead><tbody>
${rows}
</tbody></table>
${skipped.map((s) => `<p class="muted">skipped ${esc(s.runId)}: ${esc(s.error)}</p>`).join('')}
${notes.map((n) => `<p class="muted note">${esc(n)}</p>`).join('')}
</div>
<script>${RUNS_JS}</script>`;
  return page('Runs - runnable-ts', body);
}

const RUNS_JS = String.raw`
(function () {
  'use strict';
  var tbody = document.querySelector('#runs tbody');
  var rows = Array.prototype.slice.call(tbody.rows);
  var f = { status: document.getElementById('f-status'), tag: document.getElementById('f-tag'), pipeline: document.getElementById('f-pipeline') };
  var q = new URLSearchParams(location.search);
  Object.keys(f).forEach(function (k) {
    var v = q.get(k);
    if (v !== null && Array.prototype.some.call(f[k].options, function (o) { return o.value === v; })) f[k].value = v;
    f[k].addEventListener('change', apply);
  });
  function apply() {
    var shown = 0, p = new URLSearchParams();
    Object.keys(f).forEach(function (k) { if (f[k].value) p.set(k, f[k].value); });
    rows.forEach(function (r) {
      var ok = Object.keys(f).every(function (k) { return !f[k].value || r.dataset[k] === f[k].value; });
      r.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' shown';
    var s = p.toString();
    history.replaceState(null, '', s ? '?' + s : location.pathname);
  }
  var ths = document.querySelectorAll('#runs th[data-col]');
  Array.prototype.forEach.call(ths, function (th) {
    th.addEventListener('click', function () {
      var desc = th.getAttribute('aria-sort') === 'ascending';
      Array.prototype.forEach.call(ths, function (o) { o.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
      var col = +th.dataset.col, isNum = th.dataset.num === '1';
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v, c;
        if (isNum) {
          // runs without the value go last either way
          if (x === '' || y === '') return (x === '') - (y === '');
          c = parseFloat(x) - parseFloat(y);
        } else c = x < y ? -1 : x > y ? 1 : 0;
        return desc ? -c : c;
      });
      rows.forEach(function (r) { tbody.appendChild(r); });
    });
  });
  var btn = document.getElementById('compare');
  // the runs to compare in the order they started (oldest first): the charts read left to right in time
  function picked() {
    var rs = rows.filter(function (r) { return r.querySelector('.pick').checked; });
    rs.sort(function (a, b) { var x = a.cells[5].dataset.v, y = b.cells[5].dataset.v; return x < y ? -1 : x > y ? 1 : 0; });
    return rs.map(function (r) { return r.dataset.run; });
  }
  tbody.addEventListener('change', function () { btn.disabled = picked().length < 2; });
  btn.addEventListener('click', function () { location.href = '/compare?runs=' + picked().map(encodeURIComponent).join(','); });
  apply();
})();
`;

/** The artifacts of a run, each a download link. */
function artifactsHtml(runId: string, artifacts: (RecordedArtifact & { size?: number })[]): string {
  if (!artifacts.length) return '<h2>Artifacts</h2><p class="muted">This run recorded no catalog files.</p>';
  const rows = artifacts
    .map(
      (a) =>
        `<tr><td><a class="artifact" download href="/runs/${enc(runId)}/artifacts/${a.path.split('/').map(enc).join('/')}">${esc(a.path)}</a></td><td>${esc(a.kind)}</td><td>${esc(a.names.join(', '))}</td><td>${a.size === undefined ? '<span class="muted">?</span>' : fmtBytes(a.size)}</td><td class="muted" title="${esc(a.hash ?? '')}">${a.hash ? `${esc(a.hash.slice(0, 12))}…` : ''}</td></tr>`,
    )
    .join('');
  return `<h2>Artifacts</h2><div id="artifacts"><table><tr><th>file in the catalog</th><th>kind</th><th>recorded as</th><th>size</th><th>sha256</th></tr>${rows}</table></div>`;
}

/** Polls the run's status while it is going; reloads the page when the run log changed; stops when the run ends. */
const LIVE_JS = String.raw`
(function () {
  'use strict';
  var el = document.getElementById('live');
  var url = el.dataset.api, version = el.dataset.version, timer;
  function tick() {
    fetch(url, { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (s) {
      if (s.version !== version) { clearInterval(timer); location.reload(); }
    }).catch(function () { el.textContent = 'live refresh paused: the server does not answer'; });
  }
  timer = setInterval(tick, +el.dataset.every);
})();
`;

/** A run's page: the report's header, Gantt chart and graph (the same components as `runnable report`), its artifacts, live while it runs. */
export function runPage(d: ReportData, graphSvg: string, artifacts: (RecordedArtifact & { size?: number })[], version: string, pollMs: number): string {
  const live = d.run.status === 'PROCESSING' || d.run.status === 'CREATED';
  const body = `${headerHtml(d)}
${live ? `<div class="page" style="padding-bottom:0"><span id="live" data-api="/api/runs/${enc(d.run.id)}" data-version="${esc(version)}" data-every="${pollMs}">● live: the run is in progress; this page refreshes when its run log changes</span></div>` : ''}
<main><div id="content">
${ganttHtml(d)}
<h2>Pipeline graph</h2>
<div class="toolbar"><span>Colours: green succeeded, red failed, dashed not run. Inside a map or loop the count of iterations per status. Click a step to see it.</span></div>
<div id="graph-wrap">${graphSvg}</div>
${artifactsHtml(d.run.id, artifacts)}
</div>
<aside id="panel" aria-live="polite"></aside>
</main>
<div id="tip"></div>
<footer>runnable-ts runs browser · run ${esc(d.run.id)} · ${d.rows.length} rows · <a href="/api/runs/${enc(d.run.id)}">status as JSON</a></footer>
<script type="application/json" id="report-data">${scriptJson(d)}</script>
<script>${REPORT_JS}</script>
${live ? `<script>${LIVE_JS}</script>` : ''}`;
  return page(`${d.run.id} - runnable-ts`, body);
}

/** One metric across runs, one point per run that has it: the highest green, the lowest red. */
export function metricChart(name: string, runs: RunSummary[]): string {
  const W = Math.max(300, 140 + runs.length * 110), H = 200, L = 64, R = 16, T = 22, B = 46, IN = 50;
  const vals = runs.map((r) => r.metrics[name]);
  const present = vals.filter((v): v is number => typeof v === 'number');
  let lo = Math.min(...present), hi = Math.max(...present);
  if (lo === hi) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const pad = (hi - lo) * 0.08;
  const [y0, y1] = [lo - pad, hi + pad];
  const x = (i: number) => L + IN + (runs.length === 1 ? (W - L - R - 2 * IN) / 2 : (i * (W - L - R - 2 * IN)) / (runs.length - 1));
  const y = (v: number) => T + (1 - (v - y0) / (y1 - y0)) * (H - T - B);
  const max = Math.max(...present), min = Math.min(...present);
  let pts = '', line = '', labels = '';
  vals.forEach((v, i) => {
    const id = runs[i]!.runId;
    labels += `<text x="${x(i)}" y="${H - B + 16}" text-anchor="middle">${esc(id.length > 18 ? `${id.slice(0, 17)}…` : id)}</text>`;
    if (v === undefined) {
      labels += `<text x="${x(i)}" y="${H - B - 6}" text-anchor="middle">no value</text>`;
      return;
    }
    line += `${line ? ' L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
    const cls = present.length > 1 && v === max ? ' max' : present.length > 1 && v === min ? ' min' : '';
    pts += `<circle class="point${cls}" data-run="${esc(id)}" data-value="${v}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="5"><title>${esc(id)}: ${esc(name)} = ${v}</title></circle>`;
    pts += `<text class="val" x="${x(i).toFixed(1)}" y="${(y(v) - 9).toFixed(1)}" text-anchor="middle">${num(v)}</text>`;
  });
  const ticks = [y0 + pad, (y0 + y1) / 2, y1 - pad].map((v) => `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${num(v)}</text><line class="axis" x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke-dasharray="2 3"/>`).join('');
  return `<div class="chart" data-metric="${esc(name)}"><h3>${esc(name)}</h3><svg class="metric" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(name)} across runs">
${ticks}<line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${H - B}"/><line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/>
<path class="line" d="${line}"/>${pts}${labels}</svg></div>`;
}

/** Parameters and metrics of runs side by side, rows that differ marked, and a chart of each metric across the runs. */
export function comparePage(runs: RunSummary[]): string {
  const cellText = (v: unknown) => (v === undefined ? '' : typeof v === 'number' ? num(v) : JSON.stringify(v) ?? '');
  const table = (title: string, get: (r: RunSummary) => Record<string, unknown>, best: boolean) => {
    const names = [...new Set(runs.flatMap((r) => Object.keys(get(r))))].sort();
    if (!names.length) return `<h2>${title}</h2><p class="muted">none recorded</p>`;
    const rows = names
      .map((n) => {
        const vals = runs.map((r) => get(r)[n]);
        const texts = vals.map((v) => (v === undefined ? '\u0000missing' : JSON.stringify(v)));
        const differs = new Set(texts).size > 1;
        const nums = vals.filter((v): v is number => typeof v === 'number');
        const top = best && differs && nums.length > 1 ? Math.max(...nums) : undefined;
        const cells = vals.map((v) => `<td class="${typeof v === 'number' ? 'num' : ''}${v !== undefined && v === top ? ' best' : ''}">${v === undefined ? '<span class="muted">-</span>' : esc(cellText(v))}</td>`).join('');
        return `<tr class="${differs ? 'diff' : 'same'}" data-name="${esc(n)}"><td class="mark" title="${differs ? 'differs between the runs' : 'the same in every run'}">${differs ? '≠' : ''}</td><th>${esc(n)}</th>${cells}</tr>`;
      })
      .join('');
    return `<h2>${title}</h2><table class="cmp" id="cmp-${title.toLowerCase()}"><tr><td></td><th></th>${runs.map((r) => `<th><a href="/runs/${enc(r.runId)}">${esc(r.runId)}</a></th>`).join('')}</tr>${rows}</table>`;
  };
  const facts = `<table class="cmp" id="cmp-runs"><tr><td></td><th></th>${runs.map((r) => `<th><a href="/runs/${enc(r.runId)}">${esc(r.runId)}</a></th>`).join('')}</tr>
${(
  [
    ['pipeline', (r: RunSummary) => r.pipeline],
    ['status', (r: RunSummary) => r.status],
    ['tag', (r: RunSummary) => r.tag || '-'],
    ['started', (r: RunSummary) => r.startTime?.slice(0, 19) ?? '-'],
    ['duration', (r: RunSummary) => dur(r.durationSeconds)],
  ] as const
)
  .map(([k, f]) => `<tr><td></td><th>${k}</th>${runs.map((r) => `<td>${esc(f(r))}</td>`).join('')}</tr>`)
  .join('')}</table>`;
  const metricNames = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const charts = metricNames.length
    ? `<h2>Metrics across the runs</h2><p class="muted">One point per run, in the order given; the highest value green, the lowest red.</p><div class="charts">${metricNames.map((m) => metricChart(m, runs)).join('')}</div>`
    : '<h2>Metrics across the runs</h2><p class="muted">These runs recorded no metrics.</p>';
  const body = `<div class="page">
<h1 style="font-size:18px;margin:4px 0">Comparing ${runs.length} runs</h1>
<p class="muted">≠ marks parameters and metrics that differ between the runs (yellow rows); the highest value of a differing metric is bold green.</p>
${facts}
${charts}
${table('Parameters', (r) => r.parameters, false)}
${table('Metrics', (r) => r.metrics, true)}
</div>`;
  return page(`Compare ${runs.length} runs - runnable-ts`, body);
}

/** A small error page (the status code says the rest). */
export function errorPage(status: number, message: string): string {
  return page(`${status} - runnable-ts`, `<div class="page"><h1 style="font-size:18px">${status}</h1><p>${esc(message)}</p><p><a href="/">all runs</a></p></div>`, { reportCss: false });
}
