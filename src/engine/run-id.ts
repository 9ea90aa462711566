import { randomInt } from 'node:crypto';
import { ADJECTIVES, SURNAMES } from './names';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * `<adjective>-<surname>-<HHMMSS>-<4 random chars>`: readable, sortable within a day, and random enough that two
 * runs started in the same second differ. Uniqueness is still enforced by the store's exclusive create.
 */
export function generateRunId(now: Date = new Date()): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let suffix = '';
  for (let i = 0; i < 4; i++) suffix += alphabet[randomInt(alphabet.length)];
  const adj = ADJECTIVES[randomInt(ADJECTIVES.length)];
  const name = SURNAMES[randomInt(SURNAMES.length)];
  return `${adj}-${name}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}-${suffix}`;
}

/** A run id is used in file names and run-log paths. */
export function validateRunId(runId: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(runId)) {
    return `Run id '${runId}' is not valid: use letters, digits, '-' and '_' (at most 128 characters, starting with a letter or digit)`;
  }
  return undefined;
}
