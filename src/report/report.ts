import type { Catalog } from '../stores/catalog/catalog';
import type { RunLog } from '../stores/run-log/types';
import { graphModel } from './graph-model';
import { buildReportData, graphSvg, reportPage, type NodeStatus, type ReportData } from './html';

/** How often each graph node ran, by status, from the report's rows. */
export function nodeStatuses(d: ReportData): Record<string, NodeStatus> {
  const out: Record<string, NodeStatus> = {};
  for (const [path, idxs] of Object.entries(d.byPath)) {
    const st: NodeStatus = {};
    for (const i of idxs) {
      const s = d.rows[i]![3] as keyof NodeStatus;
      if (s === 'SUCCESS' || s === 'FAIL' || s === 'PROCESSING') st[s] = (st[s] ?? 0) + 1;
    }
    out[path] = st;
  }
  return out;
}

/**
 * `runnable report`: one self-contained HTML page for a run — header, Gantt chart of every step, branch, iteration and
 * attempt, the pipeline's graph coloured by status, and a panel per step. Made from the run log and catalog alone.
 */
export async function renderReport(log: RunLog, catalog: Catalog): Promise<{ html: string; data: ReportData }> {
  const data = await buildReportData(log, catalog);
  return { html: reportPage(data, runGraphSvg(log, data)), data };
}

/** The run's pipeline graph as SVG, coloured by the statuses in the report's data (the runs browser draws it too). */
export function runGraphSvg(log: RunLog, data: ReportData): string {
  const model = graphModel(log.run_config.dag, (path) => {
    const idx = data.byPath[path]?.[0];
    const d = idx === undefined ? undefined : data.details[idx];
    return d?.attempts.length ? d.inputs.map(([k]) => k) : undefined;
  });
  // a failed run ends in the `fail` node even when no step leads there explicitly: show it
  if (data.byPath.fail && !model.nodes.some((n) => n.path === 'fail')) model.nodes.push({ path: 'fail', name: 'fail', type: 'fail', returns: [] });
  return model.nodes.length
    ? graphSvg(model, nodeStatuses(data))
    : '<p class="muted" style="padding:8px 12px">This run log records no pipeline graph (run_config.dag): a job, or a run log written by another tool.</p>';
}
