import type { GraphModel, GraphModelNode } from '../graph-model';
import { produces } from '../graph-model';

import { HTML_ICON } from './icons';

/** How often a node of the graph ran, by status (map/loop nodes run once per iteration). */
export interface NodeStatus {
  SUCCESS?: number;
  FAIL?: number;
  PROCESSING?: number;
}

const NODE_W = 190;
const NODE_H = 42;
const TERM_W = 96;
const TERM_H = 26;
const GAP_Y = 34;
const PAD = 12;
const HEAD = 26;
const BRANCH_HEAD = 20;
const GAP_X = 18;
const OF_GAP = 48;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

interface Box {
  w: number;
  h: number;
  /** Horizontal offset of the node's centre line from the box's left edge (edges run along it). */
  cx: number;
  draw(x: number, y: number, out: string[]): void;
}

function statusClass(st: NodeStatus | undefined): string {
  if (!st) return 'notrun';
  if (st.FAIL) return 'fail';
  if (st.PROCESSING) return 'running';
  return st.SUCCESS ? 'ok' : 'notrun';
}

function countText(st: NodeStatus | undefined): string {
  if (!st) return 'not run';
  const total = (st.SUCCESS ?? 0) + (st.FAIL ?? 0) + (st.PROCESSING ?? 0);
  if (total <= 1) return '';
  return [st.SUCCESS ? `${st.SUCCESS} ✓` : '', st.FAIL ? `${st.FAIL} ✗` : '', st.PROCESSING ? `${st.PROCESSING} …` : ''].filter(Boolean).join(' ');
}

class Layout {
  constructor(private readonly statuses: Record<string, NodeStatus>) {}

  node(n: GraphModelNode): Box {
    if (n.type === 'success' || n.type === 'fail') return this.terminal(n);
    if (n.branches) return this.composite(n);
    const st = this.statuses[n.path];
    return {
      w: NODE_W,
      h: NODE_H,
      cx: NODE_W / 2,
      draw: (x, y, out) => {
        const sub = [countText(st), n.command && n.command !== '(anonymous)' ? n.command : '', n.maxAttempts ? `↻${n.maxAttempts}` : ''].filter(Boolean).join(' · ');
        out.push(
          `<g class="gnode ${statusClass(st)}${n.type === 'stub' ? ' stub' : ''}" data-path="${esc(n.path)}" tabindex="0">`,
          `<title>${esc(`${n.name} (${n.type})${n.inputs?.length ? `\nreads: ${n.inputs.join(', ')}` : ''}${n.returns.length ? `\nreturns: ${n.returns.map((r) => r.name).join(', ')}` : ''}`)}</title>`,
          `<rect x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="6"/>`,
          `<text x="${x + 10}" y="${y + 17}" class="gname">${esc(cut(`${HTML_ICON[n.type] ?? ''} ${n.name}`, 26))}</text>`,
          `<text x="${x + 10}" y="${y + 33}" class="gsub">${esc(cut(sub, 34))}</text>`,
          `</g>`,
        );
      },
    };
  }

  terminal(n: GraphModelNode): Box {
    const st = this.statuses[n.path];
    return {
      w: TERM_W,
      h: TERM_H,
      cx: TERM_W / 2,
      draw: (x, y, out) => {
        out.push(
          // reaching `fail` means the graph failed, whatever the terminal step's own status
          `<g class="gnode term ${n.type} ${n.type === 'fail' && st && statusClass(st) !== 'notrun' ? 'fail' : statusClass(st)}" data-path="${esc(n.path)}">`,
          `<rect x="${x}" y="${y}" width="${TERM_W}" height="${TERM_H}" rx="13"/>`,
          `<text x="${x + TERM_W / 2}" y="${y + 17}" text-anchor="middle" class="gname">${n.type === 'success' ? '✓ success' : '✗ fail'}</text>`,
          `</g>`,
        );
      },
    };
  }

  composite(n: GraphModelNode): Box {
    const labelled = n.type === 'parallel' || n.type === 'conditional';
    const cols = n.branches!.map((b) => ({ key: b.key, box: this.column(b.graph, true) }));
    const inner = cols.reduce((w, c) => w + c.box.w, 0) + GAP_X * Math.max(0, cols.length - 1);
    const title = `${HTML_ICON[n.type] ?? ''} ${n.name} · ${n.type}${n.detail ? ` ${n.detail}` : ''}`;
    const w = Math.max(inner + 2 * PAD, Math.min(420, title.length * 6.6 + 2 * PAD), NODE_W);
    const colH = Math.max(0, ...cols.map((c) => c.box.h)) + (labelled ? BRANCH_HEAD : 0);
    const h = HEAD + colH + PAD;
    const st = this.statuses[n.path];
    return {
      w,
      h,
      cx: w / 2,
      draw: (x, y, out) => {
        out.push(
          `<g class="gcomp ${statusClass(st)}" data-path="${esc(n.path)}">`,
          `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="8"/>`,
          `<text x="${x + 10}" y="${y + 17}" class="gname">${esc(cut(title, Math.floor((w - 20) / 6.6)))}</text>`,
          `</g>`,
        );
        let cx = x + (w - inner) / 2;
        for (const c of cols) {
          if (labelled) out.push(`<text x="${cx + c.box.w / 2}" y="${y + HEAD + 13}" text-anchor="middle" class="gbranch">branch ${esc(c.key)}</text>`);
          c.box.draw(cx, y + HEAD + (labelled ? BRANCH_HEAD : 0), out);
          cx += c.box.w + GAP_X;
        }
      },
    };
  }

  /** A graph as a vertical column of nodes; a node's on-failure graph sits to its right. */
  column(g: GraphModel, inBranch: boolean): Box {
    const nodes = g.nodes.filter((n) => !(inBranch && (n.type === 'success' || n.type === 'fail')));
    const rows = nodes.map((n) => ({ n, box: this.node(n), of: n.onFailure ? this.column(n.onFailure, false) : undefined }));
    const left = Math.max(0, ...rows.map((r) => r.box.cx));
    const right = Math.max(0, ...rows.map((r) => r.box.w - r.box.cx + (r.of ? OF_GAP + r.of.w + 2 * PAD : 0)));
    const heights = rows.map((r) => Math.max(r.box.h, r.of ? r.of.h + 2 * PAD : 0));
    const h = heights.reduce((a, b) => a + b, 0) + GAP_Y * Math.max(0, rows.length - 1);
    return {
      w: left + right,
      h,
      cx: left,
      draw: (x, y, out) => {
        let yy = y;
        rows.forEach((r, i) => {
          const nx = x + left - r.box.cx;
          r.box.draw(nx, yy, out);
          if (r.of) {
            const ox = nx + r.box.w + OF_GAP;
            out.push(`<rect class="gof" x="${ox}" y="${yy}" width="${r.of.w + 2 * PAD}" height="${r.of.h + 2 * PAD}" rx="8"/>`);
            out.push(`<text class="gbranch" x="${ox + 6}" y="${yy - 4}">on failure</text>`);
            r.of.draw(ox + PAD, yy + PAD, out);
            const my = yy + Math.min(r.box.h, NODE_H) / 2;
            out.push(`<path class="gedge onfail" d="M${nx + r.box.w},${my} L${ox},${my}" marker-end="url(#arrow-fail)"/>`);
          }
          const next = rows[i + 1];
          // terminals the chain does not lead to (an unreached `success`, a `fail` the run ended in) get no arrow
          if (next && r.n.next === next.n.name) {
            const ex = x + left;
            const y1 = yy + r.box.h;
            const y2 = yy + heights[i]! + GAP_Y;
            out.push(`<path class="gedge" d="M${ex},${y1} L${ex},${y2 - 1}" marker-end="url(#arrow)"/>`);
            const names = produces(r.n);
            if (names.length) out.push(`<text class="glabel" x="${ex + 6}" y="${(y1 + y2) / 2 + 4}">${esc(cut(names.join(', ') + (r.n.type === 'map' ? ' [ ]' : ''), 40))}</text>`);
          }
          yy += heights[i]! + GAP_Y;
        });
      },
    };
  }
}

/**
 * The pipeline's graph as inline SVG: steps as boxes coloured by status, composites as nested boxes (parallel and
 * conditional branches side by side; a map or loop shows its branch once, with how many iterations succeeded or
 * failed), on-failure pipelines to the right of their step, and the names each edge carries.
 */
export function graphSvg(model: GraphModel, statuses: Record<string, NodeStatus>): string {
  const box = new Layout(statuses).column(model, false);
  const m = 16;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="graph" width="${box.w + 2 * m}" height="${box.h + 2 * m}" viewBox="0 0 ${box.w + 2 * m} ${box.h + 2 * m}" role="img" aria-label="pipeline graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker>' +
      '<marker id="arrow-fail" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#cf222e"/></marker></defs>',
  ];
  box.draw(m, m, out);
  out.push('</svg>');
  return out.join('');
}
