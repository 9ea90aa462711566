/**
 * Part F (`--only=report`): the HTML report and the console timeline of a map over 100 and 10,000 items.
 *
 * Each size runs the pipeline `items → map(each: one task returning a number) → total` in-process with the
 * file-system run-log store and catalog in a temp dir, then measures (median of reps):
 *   - baseline: reading the run log (`store.get`) and `JSON.stringify` of it — what any tool reading the run must do;
 *   - report: `renderReport` (run log already read: data, graph SVG, page) and the size of the HTML file;
 *   - timeline: `renderTimeline` of the same run log (console output), for reference.
 * Figures: report ms, ratio report / baseline, HTML bytes, bytes per item, HTML size / run-log JSON size.
 * This is a measurement, not a test: nothing is asserted about the figures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSystemCatalog, FileSystemRunLogStore, pipeline, task } from '../src/index';
import { renderReport } from '../src/report/report';
import { renderTimeline } from '../src/report/timeline';
import { deferRemoval } from './cleanup';
import { fmtBytes, median, round, table } from './stats';

export interface ReportBenchRow {
  items: number;
  rows: number;
  runLogBytes: number;
  baselineMs: number;
  reportMs: number;
  ratioToBaseline: number;
  htmlBytes: number;
  htmlBytesPerItem: number;
  htmlToRunLog: number;
  timelineMs: number;
  collapsedComposites: number;
}

export async function reportBench(opts: { tmpRoot: string; sizes: number[]; reps: number }, log: (l: string) => void): Promise<ReportBenchRow[]> {
  const out: ReportBenchRow[] = [];
  for (const n of opts.sizes) {
    const dir = fs.mkdtempSync(path.join(opts.tmpRoot, `rt-bench-report-${n}-`));
    deferRemoval(dir);
    const store = new FileSystemRunLogStore({ log_folder: path.join(dir, 'logs') });
    const catalog = new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog') });
    const items = task(() => ({ items: Array.from({ length: n }, (_, i) => i) }), { name: 'items', returns: ['items'] });
    const square = task(({ item }: { item: number }) => ({ sq: item * item }), { name: 'square', returns: ['sq'] });
    const total = task(({ sq }: { sq: number[] }) => ({ total: sq.reduce((a, b) => a + b, 0) }), { name: 'total', returns: ['total'] });
    const p = pipeline('report-bench')
      .step(items)
      .map('each', { over: 'items', as: 'item', branch: pipeline('b').params<{ item: number }>().step(square).build() })
      .step(total)
      .build();
    const runId = `report-bench-${n}`;
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await p.execute({ runId, runLogStore: store, catalog, quiet: true });
    } finally {
      process.chdir(cwd);
    }
    const base: number[] = [];
    const rep: number[] = [];
    const tl: number[] = [];
    let html = '';
    let rows = 0;
    let collapsed = 0;
    let runLogBytes = 0;
    for (let r = 0; r < opts.reps; r++) {
      let t = performance.now();
      const runLog = await store.get(runId);
      runLogBytes = JSON.stringify(runLog).length;
      base.push(performance.now() - t);
      t = performance.now();
      const result = await renderReport(runLog, catalog);
      rep.push(performance.now() - t);
      html = result.html;
      rows = result.data.rows.length;
      collapsed = result.data.collapsed.length;
      t = performance.now();
      renderTimeline(runLog);
      tl.push(performance.now() - t);
    }
    const htmlBytes = Buffer.byteLength(html);
    const row: ReportBenchRow = {
      items: n,
      rows,
      runLogBytes,
      baselineMs: round(median(base), 1),
      reportMs: round(median(rep), 1),
      ratioToBaseline: round(median(rep) / median(base), 2),
      htmlBytes,
      htmlBytesPerItem: round(htmlBytes / n, 0),
      htmlToRunLog: round(htmlBytes / runLogBytes, 2),
      timelineMs: round(median(tl), 1),
      collapsedComposites: collapsed,
    };
    log(`  report: ${n} items → ${rows} rows, ${fmtBytes(htmlBytes)} in ${row.reportMs} ms`);
    out.push(row);
  }
  return out;
}

export function formatReportBench(rows: ReportBenchRow[]): string {
  return [
    'F. HTML report (`runnable report`) and console timeline of a map, file-system stores; median of reps',
    table(
      ['map items', 'rows', 'run log JSON', 'read run log ms (baseline)', 'report ms', 'report / baseline', 'HTML size', 'bytes/item', 'HTML / run log', 'timeline ms'],
      rows.map((r) => [
        r.items,
        r.rows,
        fmtBytes(r.runLogBytes),
        r.baselineMs.toFixed(1),
        r.reportMs.toFixed(1),
        `${r.ratioToBaseline.toFixed(2)}x`,
        fmtBytes(r.htmlBytes),
        r.htmlBytesPerItem,
        `${r.htmlToRunLog.toFixed(2)}x`,
        r.timelineMs.toFixed(1),
      ]),
    ),
    '   The page draws only the rows in view (virtualised) and starts maps of more than 50 iterations collapsed into one',
    '   aggregated row; its size grows linearly with the iterations (every one stays inspectable in the page).',
  ].join('\n');
}
