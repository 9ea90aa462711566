/**
 * The HTML report's components: data (from the run log and catalog), the graph as SVG, the page's header, Gantt
 * frame, styles and script. `runnable report` assembles them into one file; a runs browser can serve the same parts.
 */
export { buildReportData, COLLAPSE_OVER, type ReportData, type Row, type StepDetail } from './data';
export { graphSvg, type NodeStatus } from './graph-svg';
export { reportPage, headerHtml, ganttHtml, scriptJson } from './page';
export { REPORT_CSS } from './styles';
export { REPORT_JS } from './client';
export { HTML_ICON } from './icons';
