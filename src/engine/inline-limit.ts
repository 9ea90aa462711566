import { ParameterError, ValueTooLargeError } from '../errors';

/** Default largest JSON return stored inline in the run log: 16 MiB. */
export const DEFAULT_MAX_INLINE_BYTES = 16 * 1024 * 1024;
export const MAX_INLINE_ENV = 'RUNNABLE_MAX_INLINE_BYTES';

/** `RUNNABLE_MAX_INLINE_BYTES` (a whole number of bytes), else 16 MiB. */
export function maxInlineBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_INLINE_ENV];
  if (raw === undefined || raw === '') return DEFAULT_MAX_INLINE_BYTES;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new ParameterError(`${MAX_INLINE_ENV} must be a whole number of bytes ≥ 1, got '${raw}'`);
  return n;
}

const mib = (b: number) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MiB` : `${b} bytes`);

/**
 * Fails (ValueTooLargeError naming the step and the return) when a JSON return is larger than the run log stores
 * inline, instead of a RangeError from deep inside JSON.stringify or a run log too large to read back.
 */
export function checkInlineSize(step: string, name: string, value: unknown, limit = maxInlineBytes()): void {
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || value === undefined) return;
  if (typeof value === 'string' && value.length * 3 + 2 <= limit) return; // cannot exceed: skip the measure
  const tooLarge = (size: string) =>
    new ValueTooLargeError(
      `Step '${step}': return '${name}' is ${size} of JSON, more than the ${mib(limit)} a run log stores inline (${MAX_INLINE_ENV}). ` +
        `Declare it as pickled('${name}') to store it in the catalog instead.`,
    );
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    if (err instanceof RangeError) throw tooLarge('more than 512 MiB');
    throw err;
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > limit) throw tooLarge(mib(bytes));
}
