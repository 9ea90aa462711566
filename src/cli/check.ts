import * as path from 'node:path';
import ts from 'typescript';

export interface CheckProblem {
  file: string;
  line: number;
  column: number;
  code: number;
  /** Friendly text (several lines) for data-flow errors; tsc's own message otherwise. */
  text: string;
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

function findTsconfig(file: string): string | undefined {
  return ts.findConfigFile(path.dirname(path.resolve(file)), ts.sys.fileExists);
}

/** Names in scope (the builder's context) at the receiver of a `.step(...)` call, with the step that produced each. */
function contextAt(checker: ts.TypeChecker, call: ts.CallExpression): Map<string, string> {
  const names = new Map<string, string>();
  const namesOf = (expr: ts.Expression): string[] => {
    let t = checker.getTypeAtLocation(expr);
    // pipeline(...) is `PipelineBuilder<{}, never> & ParamsSlot`: read the builder member
    if (t.isIntersection()) t = t.types.find((m) => (m as ts.TypeReference).target?.symbol?.name === 'PipelineBuilder') ?? t;
    if (!((t as ts.TypeReference).target && (t.flags & ts.TypeFlags.Object))) return [];
    const args = checker.getTypeArguments(t as ts.TypeReference);
    // the scope's entries: PipelineBuilder<P, C, K, Names, St, C2, ...> keeps them in two parts, C and C2
    const members = [args[1], args[5]].flatMap((ctx) => (!ctx || ctx.flags & ts.TypeFlags.Never ? [] : ctx.isUnion() ? ctx.types : [ctx]));
    const out: string[] = [];
    for (const m of members) {
      const k = m.getProperty('k');
      if (!k) continue;
      const kt = checker.getTypeOfSymbolAtLocation(k, expr);
      if (kt.isStringLiteral()) out.push(kt.value);
    }
    return out;
  };
  if (!ts.isPropertyAccessExpression(call.expression)) return names;
  // Walk the chain from the start so each name is attributed to the first call that brought it into scope.
  const chain: ts.Expression[] = [];
  for (let e: ts.Expression = call.expression.expression; ; ) {
    chain.unshift(e);
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) e = e.expression.expression;
    else break;
  }
  for (const e of chain) {
    let producer = 'a pipeline parameter';
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.arguments[0]) {
      const method = e.expression.name.text;
      if (method === 'step') producer = `returned by ${e.arguments[0].getText()}`;
      else if (['parallel', 'map', 'conditional', 'loop'].includes(method)) producer = `produced by ${method} ${e.arguments[0].getText()}`;
    }
    for (const n of namesOf(e)) if (!names.has(n)) names.set(n, producer);
  }
  return names;
}

function enclosingStepCall(node: ts.Node | undefined): ts.CallExpression | undefined {
  for (let n = node; n; n = n.parent) {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'step') return n;
  }
  return undefined;
}

function nodeAt(sf: ts.SourceFile, pos: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node) => {
    if (pos >= n.getStart(sf) && pos < n.getEnd()) {
      found = n;
      n.forEachChild(visit);
    }
  };
  sf.forEachChild(visit);
  return found;
}

/**
 * Type-checks pipeline files with the project's tsconfig and explains data-flow errors: which step, which input,
 * what is in scope at that point and who produces names similar to the missing one.
 */
export function checkFiles(files: string[]): { problems: CheckProblem[]; filesChecked: number; tsconfig?: string } {
  const tsconfig = findTsconfig(files[0]!);
  let options: ts.CompilerOptions = { strict: true, experimentalDecorators: true, emitDecoratorMetadata: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 };
  if (tsconfig) {
    const raw = ts.readConfigFile(tsconfig, ts.sys.readFile);
    options = ts.parseJsonConfigFileContent(raw.config, ts.sys, path.dirname(tsconfig), undefined, tsconfig).options;
  }
  const roots = files.map((f) => path.resolve(f));
  const program = ts.createProgram(roots, { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const problems: CheckProblem[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (!d.file || d.start === undefined) {
      problems.push({ file: '', line: 0, column: 0, code: d.code, text: ts.flattenDiagnosticMessageText(d.messageText, '\n') });
      continue;
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const raw = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    let text = raw;
    const missing = /✖ (?:[^']*)?missing input '([^']+)'/.exec(raw);
    const clash = /input '([^']+)' has an incompatible type/.exec(raw);
    const call = missing || clash ? enclosingStepCall(nodeAt(d.file, d.start)) : undefined;
    if (call && (missing || clash)) {
      const stepText = call.arguments[0]?.getText() ?? '?';
      const scope = contextAt(checker, call);
      const lines = [`step ${stepText}:`];
      if (missing) {
        const all = [...raw.matchAll(/missing input '([^']+)'/g)].map((m) => m[1]!);
        for (const name of [...new Set(all)]) {
          lines.push(`  ✖ needs input '${name}', but no earlier step returns it and it is not a pipeline parameter.`);
          const similar = [...scope.keys()]
            .map((n) => ({ n, score: similarity(name, n) }))
            .filter((s) => s.score >= 0.5)
            .sort((a, b) => b.score - a.score);
          if (similar.length) lines.push(`    Did you mean ${similar.map((s) => `'${s.n}' (${scope.get(s.n)})`).join(' or ')}?`);
        }
      } else {
        // one-line form "…: expected number, got string" or the { expected; provided } pair
        const oneLine = /has an incompatible type: expected (.+?), got (.+?)(?: \(|"|$)/.exec(raw);
        const expected = oneLine?.[1] ?? /expected: ([^;]+);/.exec(raw)?.[1];
        const provided = oneLine?.[2] ?? /provided: ([^;]+);/.exec(raw)?.[1];
        lines.push(`  ✖ input '${clash![1]}' has the wrong type: the step expects ${expected ?? '?'} but ${scope.get(clash![1]!) ?? 'the pipeline'} provides ${provided ?? '?'}.`);
      }
      const inScope = [...scope.entries()].map(([n, by]) => `${n} (${by.replace('returned by ', 'from ')})`);
      lines.push(`    In scope at this step: ${inScope.length ? inScope.join(', ') : 'nothing yet'}.`);
      text = lines.join('\n');
    }
    problems.push({ file: path.relative(process.cwd(), d.file.fileName), line: line + 1, column: character + 1, code: d.code, text });
  }
  return { problems, filesChecked: roots.length, ...(tsconfig && { tsconfig: path.relative(process.cwd(), tsconfig) || tsconfig }) };
}
