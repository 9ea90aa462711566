import { inspect } from 'node:util';

/** A value as it appears in an error message: JSON when it has one, else its inspected form (bigint, symbol...), cut at `max` characters. */
export function showValue(v: unknown, max = 200): string {
  try {
    const text = JSON.stringify(v);
    if (text !== undefined) return text.length > max ? `${text.slice(0, max)}…` : text;
  } catch {
    /* bigint, circular */
  }
  return inspect(v, { depth: 2, breakLength: Infinity }).slice(0, max);
}
