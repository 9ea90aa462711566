export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const round = (x: number, digits = 2): number => {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Forces a full GC when node runs with --expose-gc (the `bench` script passes it), so that garbage from one
 * measurement is not collected during the next one. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/** A plain-text table: right-aligned columns except the first. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(cells[0]!), sep, ...cells.slice(1).map(line)].join('\n');
}

export const fmtBytes = (b: number): string =>
  b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`;

/** Least-squares line y = fixed + slope·n (e.g. a run's fixed cost and its cost per step). */
export function linearFit(points: readonly { n: number; y: number }[]): { fixed: number; slope: number } {
  const k = points.length;
  const mx = points.reduce((a, p) => a + p.n, 0) / k;
  const my = points.reduce((a, p) => a + p.y, 0) / k;
  const sxy = points.reduce((a, p) => a + (p.n - mx) * (p.y - my), 0);
  const sxx = points.reduce((a, p) => a + (p.n - mx) ** 2, 0);
  const slope = sxx ? sxy / sxx : NaN;
  return { fixed: my - slope * mx, slope };
}
