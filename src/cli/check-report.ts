/**
 * What `runnable check` reports, shared by both ways of type-checking: the TypeScript compiler API (TypeScript 5.x,
 * src/cli/check.ts) and the TypeScript 7 compiler binary (src/cli/check-native.ts). Loads no compiler.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface CheckProblem {
  file: string;
  line: number;
  column: number;
  code: number;
  /** Friendly text (several lines) for data-flow errors; tsc's own message otherwise. */
  text: string;
}

export interface CheckResult {
  problems: CheckProblem[];
  filesChecked: number;
  tsconfig?: string;
  /** Said once after the problems, when something could not be shown (e.g. the names in scope under TypeScript 7). */
  note?: string;
}

/** How alike two names are, 0..1: exact (case-insensitively), abbreviation (subsequence), shared prefix, edit distance. */
export function similarity(a: string, b: string): number {
  const x = a.toLowerCase().replace(/[_-]/g, '');
  const y = b.toLowerCase().replace(/[_-]/g, '');
  if (x === y) return 1;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  const subsequence = i === short.length && short[0] === long[0] ? 0.75 : 0;
  const prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let r = 1; r <= x.length; r++) {
    let diag = prev[0]!;
    prev[0] = r;
    for (let c = 1; c <= y.length; c++) {
      const tmp = prev[c]!;
      prev[c] = Math.min(prev[c]! + 1, prev[c - 1]! + 1, diag + (x[r - 1] === y[c - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  const edit = 1 - prev[y.length]! / Math.max(x.length, y.length);
  return Math.max(subsequence, edit);
}

/** The builder's two data-flow messages: a missing input and an input of the wrong type (src/types/steps.ts). */
const MISSING_INPUT = /✖ (?:[^']*)?missing input '([^']+)'/;
const INCOMPATIBLE_INPUT = /input '([^']+)' has an incompatible type/;

/** Whether tsc's message is one of the builder's data-flow errors (a missing input or an input of the wrong type). */
export function isDataFlowError(raw: string): boolean {
  return MISSING_INPUT.test(raw) || INCOMPATIBLE_INPUT.test(raw);
}

/**
 * The friendly text of a data-flow error at a `.step(...)` call: `stepText` is the call's first argument as written,
 * `scope` the names in scope before the step with who produces each (in order), or undefined when they are not known
 * (then the "Did you mean" and "In scope at this step" lines are left out).
 */
export function dataFlowText(raw: string, stepText: string, scope: Map<string, string> | undefined): string {
  const missing = MISSING_INPUT.exec(raw);
  const clash = INCOMPATIBLE_INPUT.exec(raw);
  const lines = [`step ${stepText}:`];
  if (missing) {
    const all = [...raw.matchAll(/missing input '([^']+)'/g)].map((m) => m[1]!);
    for (const name of [...new Set(all)]) {
      lines.push(`  ✖ needs input '${name}', but no earlier step returns it and it is not a pipeline parameter.`);
      if (!scope) continue;
      const similar = [...scope.keys()]
        .map((n) => ({ n, score: similarity(name, n) }))
        .filter((s) => s.score >= 0.5)
        .sort((a, b) => b.score - a.score);
      if (similar.length) lines.push(`    Did you mean ${similar.map((s) => `'${s.n}' (${scope.get(s.n)})`).join(' or ')}?`);
    }
  } else if (clash) {
    // one-line form "…: expected number, got string" or the { expected; provided } pair
    const oneLine = /has an incompatible type: expected (.+?), got (.+?)(?: \(|"|$)/.exec(raw);
    const expected = oneLine?.[1] ?? /expected: ([^;]+);/.exec(raw)?.[1];
    const provided = oneLine?.[2] ?? /provided: ([^;]+);/.exec(raw)?.[1];
    lines.push(`  ✖ input '${clash[1]}' has the wrong type: the step expects ${expected ?? '?'} but ${scope?.get(clash[1]!) ?? 'the pipeline'} provides ${provided ?? '?'}.`);
  }
  if (scope) {
    const inScope = [...scope.entries()].map(([n, by]) => `${n} (${by.replace('returned by ', 'from ')})`);
    lines.push(`    In scope at this step: ${inScope.length ? inScope.join(', ') : 'nothing yet'}.`);
  }
  return lines.join('\n');
}

/**
 * Which type arguments of `PipelineBuilder<P, C, K, Names, St, C2, ...>` hold the scope's entries (`{ k, v, a }`):
 * the builder keeps its scope in two parts, C and C2 (src/sdk/pipeline.ts).
 */
export const SCOPE_ENTRY_ARGUMENTS = [1, 5] as const;

/** One link of a builder chain `pipeline(...).step(A).map('m', ...)`, as each compiler's syntax tree gives it. */
export interface ChainLink<N> {
  /** The method called (`step`, `map`, ...). */
  method: string;
  /** What it is called on: the chain before this call. */
  receiver: N;
  /** The source text of its first argument (`A`, `'m'`), if it has one. */
  firstArg: string | undefined;
}

/**
 * The names in scope before a `.step(...)` call, each with what brought it into scope ("returned by A", "produced
 * by map 'm'", "a pipeline parameter"): the chain is walked from its start, so a name is attributed to the first call
 * after which it is there. `linkOf` reads one call of the chain (undefined for its start), `namesOf` the names in
 * scope after an expression of the chain.
 */
export function scopeOfChain<N>(receiver: N, linkOf: (e: N) => ChainLink<N> | undefined, namesOf: (e: N) => string[]): Map<string, string> {
  const chain: N[] = [];
  for (let e: N | undefined = receiver; e !== undefined; e = linkOf(e)?.receiver) chain.unshift(e);
  const names = new Map<string, string>();
  for (const e of chain) {
    const link = linkOf(e);
    let producer = 'a pipeline parameter';
    if (link?.firstArg !== undefined) {
      if (link.method === 'step') producer = `returned by ${link.firstArg}`;
      else if (['parallel', 'map', 'conditional', 'loop'].includes(link.method)) producer = `produced by ${link.method} ${link.firstArg}`;
    }
    for (const n of namesOf(e)) if (!names.has(n)) names.set(n, producer);
  }
  return names;
}

/**
 * Runs `node <args>` in `cwd` (`input`, if given, on its stdin) and collects its output; rejects when it cannot
 * start. `running` holds the child while it runs (so that Ctrl-C can stop it).
 */
export function runNode(args: string[], cwd: string, running: Set<ChildProcess>, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      running.delete(child);
      reject(err);
    });
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}
