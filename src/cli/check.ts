import * as path from 'node:path';
import ts from 'typescript';
import { dataFlowText, isDataFlowError, scopeOfChain, SCOPE_ENTRY_ARGUMENTS, type ChainLink, type CheckProblem, type CheckResult } from './check-report';

export { similarity, type CheckProblem } from './check-report';

/** The loaded `typescript`'s version when it has the compiler API (TypeScript 7's package has none: only its binary). */
export function compilerApiVersion(): string | undefined {
  return typeof (ts as Partial<typeof ts>).createProgram === 'function' ? ts.version : undefined;
}

function findTsconfig(file: string): string | undefined {
  return ts.findConfigFile(path.dirname(path.resolve(file)), ts.sys.fileExists);
}

/** Names in scope (the builder's context) at the receiver of a `.step(...)` call, with the step that produced each. */
function contextAt(checker: ts.TypeChecker, call: ts.CallExpression): Map<string, string> {
  const namesOf = (expr: ts.Expression): string[] => {
    let t = checker.getTypeAtLocation(expr);
    // pipeline(...) is `PipelineBuilder<{}, never> & ParamsSlot`: read the builder member
    if (t.isIntersection()) t = t.types.find((m) => (m as ts.TypeReference).target?.symbol?.name === 'PipelineBuilder') ?? t;
    if (!((t as ts.TypeReference).target && (t.flags & ts.TypeFlags.Object))) return [];
    const args = checker.getTypeArguments(t as ts.TypeReference);
    const members = SCOPE_ENTRY_ARGUMENTS.flatMap((i) => {
      const ctx = args[i];
      return !ctx || ctx.flags & ts.TypeFlags.Never ? [] : ctx.isUnion() ? ctx.types : [ctx];
    });
    const out: string[] = [];
    for (const m of members) {
      const k = m.getProperty('k');
      if (!k) continue;
      const kt = checker.getTypeOfSymbolAtLocation(k, expr);
      if (kt.isStringLiteral()) out.push(kt.value);
    }
    return out;
  };
  if (!ts.isPropertyAccessExpression(call.expression)) return new Map();
  const linkOf = (e: ts.Expression): ChainLink<ts.Expression> | undefined =>
    ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) ? { method: e.expression.name.text, receiver: e.expression.expression, firstArg: e.arguments[0]?.getText() } : undefined;
  return scopeOfChain(call.expression.expression, linkOf, namesOf);
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
export function checkFiles(files: string[]): CheckResult {
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
    const call = isDataFlowError(raw) ? enclosingStepCall(nodeAt(d.file, d.start)) : undefined;
    if (call) text = dataFlowText(raw, call.arguments[0]?.getText() ?? '?', contextAt(checker, call));
    problems.push({ file: path.relative(process.cwd(), d.file.fileName), line: line + 1, column: character + 1, code: d.code, text });
  }
  return { problems, filesChecked: roots.length, ...(tsconfig && { tsconfig: path.relative(process.cwd(), tsconfig) || tsconfig }) };
}
