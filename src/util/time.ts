const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local time as `YYYY-MM-DD HH:MM:SS.ffffff` (the Python original's `str(datetime.now())`). */
export function timestamp(d: Date = new Date()): string {
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}000`
  );
}

/** Parses a run-log timestamp back into a Date (local time). */
export function parseTimestamp(s: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/.exec(s);
  if (!m) return new Date(NaN);
  const [, y, mo, d, h, mi, se, frac = '0'] = m;
  return new Date(+y!, +mo! - 1, +d!, +h!, +mi!, +se!, Math.floor(+frac.padEnd(6, '0') / 1000));
}

/** Human duration: `0.1s`, `12.3s`, `2m 05s`, `1h 02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${pad(Math.round(seconds - m * 60))}s`;
  return `${Math.floor(m / 60)}h ${pad(m % 60)}m`;
}
