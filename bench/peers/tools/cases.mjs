// What every tool of the peers benchmark computes, so that the harness can check they all did the same work.
import * as fs from 'node:fs';

export const PAYLOAD = 'x'.repeat(50);

/** The 1e6 numbers of the artifact case (deterministic, so every tool's total can be checked). */
export function makeNumbers(n) {
  return Array.from({ length: n }, (_, i) => (i % 1000) * 0.5);
}

/** `node tools/<tool> <case> <work dir>`: case `steps:N`, `artifact:N` or `map:N`. */
export function parseCase(argv) {
  const [kind, count] = String(argv[2]).split(':');
  const dir = argv[3];
  if (!['steps', 'artifact', 'map'].includes(kind) || !Number.isInteger(Number(count)) || !dir || !fs.existsSync(dir)) {
    throw new Error(`usage: node tools/<tool> steps:N|artifact:N|map:N <existing work dir> (got ${argv.slice(2).join(' ')})`);
  }
  return { kind, n: Number(count), dir };
}

/** The line the harness reads: what the run computed. */
export function report(result) {
  process.stdout.write(`__PEER_RESULT__ ${JSON.stringify(result)}\n`);
}

/** What a correct run reports, per case. */
export function expected(kind, n) {
  if (kind === 'steps') return { last: n - 1 };
  if (kind === 'artifact') return { total: makeNumbers(n).reduce((a, x) => a + (x * 2 + 1), 0) };
  return { total: (n * (n - 1)) /* sum of 2i */, count: n };
}
