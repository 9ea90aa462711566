/**
 * The report page's script (inlined; plain ES2017, no framework, no network). It reads the JSON in
 * `<script id="report-data">` and draws the Gantt chart, wires the graph and fills the side panel.
 *
 * The Gantt chart is virtualised: only the rows in view are in the DOM (fixed row height), so a run with tens of
 * thousands of rows scrolls as fast as one with ten. Composites with many branches start collapsed into one
 * aggregated row (count, failures, median and max duration) that expands on click.
 *
 * Kept as a string (not a .ts module) because it runs in the browser, not in Node. No backquotes inside.
 */
export const REPORT_JS = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var ROW_H = 22, LABEL_W = 300, OVERSCAN = 8;
  var rows = D.rows, n = rows.length;
  // row fields
  var ID = 0, LABEL = 1, TYPE = 2, STATUS = 3, DEPTH = 4, PARENT = 5, START = 6, END = 7, ATT = 8, KIDS = 9, PATH = 10;
  var ICON = D.icons;
  function dot(status) { return '<i class="dot ' + esc(status) + '" title="' + esc(status) + '"></i>'; }
  var collapsed = {};
  D.collapsed.forEach(function (i) { collapsed[i] = true; });
  var zoom = 1, selected = -1, selectedAttempt = -1;
  var scroll = document.getElementById('gscroll'), rowsEl = document.getElementById('rows'), axis = document.getElementById('axis');
  var tip = document.getElementById('tip'), panel = document.getElementById('panel');
  var children = [];
  for (var i = 0; i < n; i++) children.push([]);
  for (i = 0; i < n; i++) if (rows[i][PARENT] >= 0) children[rows[i][PARENT]].push(i);

  function fmt(msv) {
    if (msv < 0 || msv !== msv) return '-';
    if (msv < 1000) return msv.toFixed(msv < 10 ? 1 : 0) + ' ms';
    var s = msv / 1000;
    if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + ' s';
    var m = Math.floor(s / 60);
    return m + 'm ' + String(Math.round(s - m * 60)).padStart(2, '0') + 's';
  }
  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }

  // Rows shown: those without a collapsed ancestor.
  var visible = [];
  function computeVisible() {
    visible = [];
    var stack = [];
    for (var r = n - 1; r >= 0; r--) if (rows[r][PARENT] < 0) stack.push(r);
    while (stack.length) {
      var r2 = stack.pop();
      visible.push(r2);
      if (!collapsed[r2]) for (var k = children[r2].length - 1; k >= 0; k--) stack.push(children[r2][k]);
    }
    rowsEl.style.height = (visible.length * ROW_H) + 'px';
  }

  function pxPerMs() {
    var w = Math.max(200, scroll.clientWidth - LABEL_W - 24);
    return (w * zoom) / D.span;
  }

  function drawAxis() {
    var k = pxPerMs(), total = D.span * k;
    rowsEl.style.width = (LABEL_W + total + 24) + 'px';
    axis.style.width = (LABEL_W + total + 24) + 'px';
    var target = 110 / k, steps = [1, 2, 5], step = 1, mag = 1;
    while (true) { var found = false; for (var j = 0; j < 3; j++) { if (steps[j] * mag >= target) { step = steps[j] * mag; found = true; break; } } if (found) break; mag *= 10; }
    var html = '<div class="corner">step \u00b7 ' + visible.length + ' of ' + n + ' rows</div>';
    for (var t = 0; t <= D.span; t += step) html += '<div class="tick" style="left:' + (LABEL_W + t * k) + 'px">' + fmt(t) + '</div>';
    axis.innerHTML = html;
  }

  function aggregate(r) {
    var kids = children[r], failed = 0, durs = [];
    for (var j = 0; j < kids.length; j++) {
      var c = rows[kids[j]];
      if (c[STATUS] === 'FAIL') failed++;
      if (c[START] >= 0 && c[END] >= 0) durs.push(c[END] - c[START]);
    }
    durs.sort(function (a, b) { return a - b; });
    var med = durs.length ? durs[Math.floor(durs.length / 2)] : -1, max = durs.length ? durs[durs.length - 1] : -1;
    return kids.length + ' ' + (rows[r][TYPE] === 'map' || rows[r][TYPE] === 'loop' ? 'iterations' : 'branches') + (failed ? ', ' + failed + ' failed' : '') + ', median ' + fmt(med) + ', max ' + fmt(max) + ' (collapsed: click \u25b8)';
  }

  function rowHtml(pos) {
    var r = visible[pos], row = rows[r], k = pxPerMs();
    var kids = children[r].length;
    var toggle = kids ? (collapsed[r] ? '\u25b8' : '\u25be') : '';
    var label = row[TYPE] === 'branch' ? row[LABEL] : (ICON[row[TYPE]] || '') + ' ' + row[LABEL];
    var h = '<div class="grow' + (r === selected ? ' sel' : '') + '" data-row="' + r + '" style="top:' + (pos * ROW_H) + 'px">';
    h += '<div class="glabel-cell" data-row="' + r + '" style="padding-left:' + (8 + row[DEPTH] * 14) + 'px" title="' + esc(row[ID]) + '">';
    h += '<span class="toggle" data-toggle="' + r + '">' + toggle + '</span>' + dot(row[STATUS]) + esc(label) + '</div>';
    var att = row[ATT];
    if (att.length) {
      for (var a = 0; a < att.length; a++) {
        var s = att[a][2], e = att[a][3];
        if (s < 0) continue;
        var w = Math.max(2, (Math.max(e, s) - s) * k);
        h += '<div class="bar ' + att[a][1] + (r === selected && a === selectedAttempt ? ' sel' : '') + '" data-row="' + r + '" data-attempt="' + a + '" style="left:' + (LABEL_W + s * k) + 'px;width:' + w + 'px"></div>';
      }
    } else if (row[START] >= 0) {
      var w2 = Math.max(2, (row[END] - row[START]) * k);
      h += '<div class="bar span ' + row[STATUS] + '" data-row="' + r + '" data-attempt="-1" style="left:' + (LABEL_W + row[START] * k) + 'px;width:' + w2 + 'px"></div>';
      if (collapsed[r] && kids) h += '<div class="agg" style="left:' + (LABEL_W + row[START] * k + w2 + 6) + 'px">' + esc(aggregate(r)) + '</div>';
    }
    return h + '</div>';
  }

  var lastRange = '';
  function render(force) {
    var top = scroll.scrollTop, height = scroll.clientHeight || 600;
    var first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    var last = Math.min(visible.length, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    var key = first + ':' + last;
    if (!force && key === lastRange) return;
    lastRange = key;
    var html = '';
    for (var p = first; p < last; p++) html += rowHtml(p);
    rowsEl.innerHTML = html;
  }
  function redraw() { computeVisible(); drawAxis(); render(true); }

  scroll.addEventListener('scroll', function () { render(false); }, { passive: true });
  window.addEventListener('resize', function () { drawAxis(); render(true); });

  function setZoom(z, anchorX) {
    var old = zoom;
    zoom = Math.max(1, Math.min(2000, z));
    var x = anchorX === undefined ? scroll.clientWidth / 2 : anchorX;
    var t = (scroll.scrollLeft + x - LABEL_W) / old;
    drawAxis(); render(true);
    scroll.scrollLeft = Math.max(0, t * zoom + LABEL_W - x);
    document.getElementById('zoom-level').textContent = zoom.toFixed(zoom < 10 ? 1 : 0) + '\u00d7';
  }
  document.getElementById('zoom-in').onclick = function () { setZoom(zoom * 2); };
  document.getElementById('zoom-out').onclick = function () { setZoom(zoom / 2); };
  document.getElementById('zoom-reset').onclick = function () { setZoom(1); };
  scroll.addEventListener('wheel', function (ev) {
    if (!ev.ctrlKey && !ev.metaKey) return;
    ev.preventDefault();
    var rect = scroll.getBoundingClientRect();
    setZoom(zoom * (ev.deltaY < 0 ? 1.25 : 0.8), ev.clientX - rect.left);
  }, { passive: false });
  document.getElementById('expand-all').onclick = function () { collapsed = {}; redraw(); };
  document.getElementById('collapse-all').onclick = function () { for (var r = 0; r < n; r++) if (children[r].length && rows[r][TYPE] !== 'branch') collapsed[r] = true; redraw(); };

  function tipText(r, a) {
    var row = rows[r];
    if (a >= 0) {
      var at = row[ATT][a];
      return row[ID] + '\nattempt ' + at[0] + ' of ' + row[ATT].length + ': ' + at[1] + '\n' + fmt(at[3] - at[2]) + ', from ' + fmt(at[2]) + ' to ' + fmt(at[3]);
    }
    return row[ID] + ' (' + (row[TYPE] === 'branch' ? 'branch' : row[TYPE]) + ')\n' + row[STATUS] + ', ' + fmt(row[END] - row[START]) + (children[r].length ? '\n' + children[r].length + ' inside' : '');
  }
  rowsEl.addEventListener('mousemove', function (ev) {
    var b = ev.target.closest ? ev.target.closest('.bar') : null;
    if (!b) { tip.style.display = 'none'; return; }
    tip.textContent = tipText(+b.dataset.row, +b.dataset.attempt);
    tip.style.display = 'block';
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 430) + 'px';
    tip.style.top = (ev.clientY + 14) + 'px';
  });
  rowsEl.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
  rowsEl.addEventListener('click', function (ev) {
    var t = ev.target;
    if (t.dataset && t.dataset.toggle !== undefined) {
      var r = +t.dataset.toggle;
      if (children[r].length) { collapsed[r] = !collapsed[r]; redraw(); }
      return;
    }
    var el = t.closest ? t.closest('[data-row]') : null;
    if (!el) return;
    var row = +el.dataset.row;
    var att = el.dataset.attempt !== undefined ? +el.dataset.attempt : rows[row][ATT].length - 1;
    select(row, att, false);
  });

  function reveal(r) {
    var p = rows[r][PARENT], changed = false;
    while (p >= 0) { if (collapsed[p]) { collapsed[p] = false; changed = true; } p = rows[p][PARENT]; }
    if (changed) redraw();
    var pos = visible.indexOf(r);
    if (pos >= 0 && (pos * ROW_H < scroll.scrollTop || pos * ROW_H > scroll.scrollTop + scroll.clientHeight - ROW_H)) scroll.scrollTop = Math.max(0, pos * ROW_H - scroll.clientHeight / 3);
  }

  function select(r, a, fromGraph) {
    selected = r; selectedAttempt = a;
    if (fromGraph) reveal(r);
    var sel = document.querySelectorAll('svg.graph .sel');
    for (var i = 0; i < sel.length; i++) sel[i].classList.remove('sel');
    var g = document.querySelector('svg.graph [data-path="' + CSS.escape(rows[r][PATH]) + '"]');
    if (g) g.classList.add('sel');
    showPanel(r, a);
    // the panel takes width from the chart: scale to what is left
    drawAxis(); render(true);
  }

  function kv(title, list) {
    if (!list || !list.length) return '';
    var h = '<h4>' + title + '</h4><table>';
    for (var i = 0; i < list.length; i++) h += '<tr><td class="k">' + esc(list[i][0]) + '</td><td class="v">' + esc(list[i][1]) + '</td></tr>';
    return h + '</table>';
  }

  function showPanel(r, a) {
    var row = rows[r], d = D.details[r];
    var h = '<button class="close" title="close (Esc)" id="panel-close">\u00d7</button>';
    h += '<h3 id="panel-title">' + dot(row[STATUS]) + esc(row[LABEL]) + '</h3>';
    h += '<div class="path">' + esc(row[ID]) + '</div>';
    h += '<table><tr><th>type</th><td>' + esc(row[TYPE]) + '</td></tr><tr><th>status</th><td id="panel-status">' + esc(row[STATUS]) + '</td></tr>';
    h += '<tr><th>duration</th><td>' + fmt(row[END] - row[START]) + '</td></tr>';
    if (d && d.command) h += '<tr><th>command</th><td class="v">' + esc(d.command) + '</td></tr>';
    if (d && d.maxAttempts) h += '<tr><th>retries</th><td>up to ' + d.maxAttempts + ' attempts</td></tr>';
    h += '</table>';
    if (d) {
      h += '<h4>Attempts</h4><table id="panel-attempts"><tr><th>#</th><th>status</th><th>started</th><th>duration</th><th>cpu</th><th>peak mem</th></tr>';
      for (var i = 0; i < d.attempts.length; i++) {
        var at = d.attempts[i];
        h += '<tr' + (i === a ? ' style="background:#ddf4ff"' : '') + '><td>' + at.n + '</td><td>' + dot(at.status) + at.status + '</td><td>' + esc(at.start.slice(11, 23)) + '</td><td>' + fmt(at.seconds * 1000) + '</td><td>' + (at.cpu === undefined ? '-' : at.cpu.toFixed(2) + ' s') + '</td><td>' + esc(at.rss || '-') + '</td></tr>';
      }
      h += '</table>';
      h += kv('Inputs', d.inputs) + kv('Outputs', d.outputs) + kv('Metrics', d.metrics);
      if (d.catalog.length) {
        h += '<h4>Catalog files</h4><table id="panel-catalog"><tr><th></th><th>file</th><th>size</th><th>sha256</th></tr>';
        for (var c = 0; c < d.catalog.length; c++) { var f = d.catalog[c]; h += '<tr><td>' + f.stage + '</td><td class="k">' + esc(f.name) + '</td><td>' + esc(f.size || '?') + '</td><td class="k" title="' + esc(f.hash) + '">' + esc(f.hash.slice(0, 12)) + '\u2026</td></tr>'; }
        h += '</table>';
      }
      var shown = d.attempts[a >= 0 ? a : d.attempts.length - 1];
      if (shown && shown.error) {
        h += '<h4>Error (attempt ' + shown.n + ')</h4><pre class="err" id="panel-error">' + esc(shown.stack && shown.stack.indexOf(shown.error.split('\n')[0]) === 0 ? shown.stack : shown.error + (shown.stack ? '\n\n' + shown.stack : '')) + '</pre>';
      }
      if (shown && shown.log) {
        h += '<h4>Execution log (attempt ' + shown.n + ', last lines)</h4>';
        h += shown.logTail !== undefined ? '<pre id="panel-log">' + esc(shown.logTail) + '</pre>' : '<div class="muted">not read for this report; see the catalog: ' + esc(shown.log) + '</div>';
      }
    } else if (children[r].length) {
      h += '<h4>Inside</h4><div>' + esc(aggregate(r).replace(/ \(collapsed.*$/, '')) + '</div>';
    }
    panel.innerHTML = h;
    panel.classList.add('open');
    panel.dataset.row = String(r);
    document.getElementById('panel-close').onclick = closePanel;
  }
  function closePanel() { panel.classList.remove('open'); selected = -1; drawAxis(); render(true); }
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') closePanel(); });

  var svg = document.querySelector('svg.graph');
  if (svg) svg.addEventListener('click', function (ev) {
    var g = ev.target.closest ? ev.target.closest('[data-path]') : null;
    if (!g) return;
    var list = D.byPath[g.getAttribute('data-path')];
    if (!list || !list.length) return;
    // the failed run of a node first, else its first run
    var pick = list[0];
    for (var i = 0; i < list.length; i++) if (rows[list[i]][STATUS] === 'FAIL') { pick = list[i]; break; }
    select(pick, rows[pick][ATT].length - 1, true);
    document.getElementById('gantt').scrollIntoView({ block: 'nearest' });
  });

  redraw();
  window.__report = { rows: rows.length, visible: function () { return visible.length; }, select: select, zoom: function () { return zoom; } };
})();
`;
