/**
 * The names in scope at a `.step(...)` call under TypeScript 7, read from the builder's type arguments through
 * TypeScript 7's own API (`typescript/unstable/sync`: its compiler in API mode, spoken to synchronously), the way
 * src/cli/check.ts reads them through TypeScript 5's compiler API.
 *
 * It runs in a child process (`scopesInChild`): that API is ESM (loaded with import()), blocks its process while it
 * waits for the compiler and installs its own exit handlers; the CLI's process stays free to handle Ctrl-C.
 *
 * That API is marked unstable by TypeScript: every call here is guarded, and when anything is missing or fails the
 * caller says "names in scope are not listed" instead (nothing is guessed).
 *
 * The few members used are declared here structurally, so this file compiles against no particular TypeScript.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runNode, scopeOfChain, SCOPE_ENTRY_ARGUMENTS, type ChainLink } from './check-report';

interface Node {
  readonly kind: number;
  forEachChild<T>(visitor: (node: Node) => T): T | undefined;
  getStart(sourceFile?: Node): number;
  getEnd(): number;
  getText(sourceFile?: Node): string;
  readonly parent: Node;
}
interface SourceFile extends Node {
  readonly text: string;
}
interface CallExpression extends Node {
  readonly expression: Node;
  readonly arguments: readonly Node[];
}
interface PropertyAccessExpression extends Node {
  readonly expression: Node;
  readonly name: { readonly text: string };
}
interface Symbol {
  readonly name: string;
}
interface Type {
  getSymbol(): Symbol | undefined;
  isUnionType(): boolean;
  isIntersectionType(): boolean;
  isTypeReference(): boolean;
  isStringLiteralType(): boolean;
  getTypes?(): readonly Type[];
  getTarget?(): Type;
  readonly value?: unknown;
}
interface Checker {
  getTypeAtLocation(node: Node): Type | undefined;
  getTypeArguments(type: Type): readonly Type[];
  getPropertyOfType(type: Type, name: string): Symbol | undefined;
  getTypeOfSymbolAtLocation(symbol: Symbol, location: Node): Type;
}
interface Project {
  readonly program: { getSourceFile(file: string): SourceFile | undefined };
  readonly checker: Checker;
}
interface Api {
  updateSnapshot(params: { openProjects: string[] }): { getProject(configFileName: string): Project | undefined };
  close(): void;
}
interface SyncModule {
  API: new (options: { cwd: string }) => Api;
}
interface IsModule {
  isCallExpression(node: Node): node is CallExpression;
  isPropertyAccessExpression(node: Node): node is PropertyAccessExpression;
}

/** A data-flow error's position: absolute file, 1-based line, 1-based column in UTF-16 units (as tsc prints them). */
export interface StepPosition {
  file: string;
  line: number;
  column: number;
}

/** The step at a position, as written, and the names in scope before it with who produces each. */
export interface StepScope {
  stepText: string;
  scope: Map<string, string>;
}

/**
 * For each position, the enclosing `.step(...)` call's first argument and the names in scope there (undefined where
 * no step call encloses it), in the project of `configFile`; or `{ error }` when TypeScript 7's API cannot be used.
 */
export async function scopesAt(typescriptPackageJson: string, cwd: string, configFile: string, positions: StepPosition[]): Promise<(StepScope | undefined)[] | { error: string }> {
  let api: Api | undefined;
  try {
    const req = createRequire(typescriptPackageJson);
    const load = async <T>(specifier: string) => (await import(pathToFileURL(req.resolve(specifier)).href)) as T;
    const sync = await load<SyncModule>('typescript/unstable/sync');
    const is = await load<IsModule>('typescript/unstable/ast/is');
    api = new sync.API({ cwd });
    const project = api.updateSnapshot({ openProjects: [configFile] }).getProject(configFile);
    if (!project) return { error: `its API did not open ${path.basename(configFile)}` };
    const sources = new Map<string, { sf: SourceFile; lineStarts: number[] } | undefined>();
    return positions.map((p) => {
      if (!sources.has(p.file)) {
        const sf = project.program.getSourceFile(p.file);
        sources.set(p.file, sf && { sf, lineStarts: lineStarts(sf.text) });
      }
      const source = sources.get(p.file);
      const start = source?.lineStarts[p.line - 1];
      if (!source || start === undefined) return undefined;
      const call = enclosingStepCall(is, nodeAt(source.sf, start + p.column - 1));
      const arg = call?.arguments[0];
      return call && arg ? { stepText: arg.getText(source.sf), scope: contextAt(is, project.checker, source.sf, call) } : undefined;
    });
  } catch (err) {
    return { error: `its API failed: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    try {
      api?.close();
    } catch {
      // the API process is gone already
    }
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function nodeAt(sf: Node, pos: number): Node | undefined {
  let found: Node | undefined;
  const visit = (n: Node): undefined => {
    if (pos >= n.getStart(sf) && pos < n.getEnd()) {
      found = n;
      n.forEachChild(visit);
    }
    return undefined;
  };
  sf.forEachChild(visit);
  return found;
}

function enclosingStepCall(is: IsModule, node: Node | undefined): CallExpression | undefined {
  for (let n = node; n; n = n.parent) {
    if (is.isCallExpression(n) && is.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'step') return n;
  }
  return undefined;
}

/** Names in scope (the builder's context) at the receiver of a `.step(...)` call, with the step that produced each. */
function contextAt(is: IsModule, checker: Checker, sf: Node, call: CallExpression): Map<string, string> {
  const namesOf = (expr: Node): string[] => {
    let t = checker.getTypeAtLocation(expr);
    if (!t) return [];
    // pipeline(...) is `PipelineBuilder<{}, never> & ParamsSlot`: read the builder member
    if (t.isIntersectionType()) t = t.getTypes?.().find((m) => m.isTypeReference() && m.getTarget?.().getSymbol()?.name === 'PipelineBuilder') ?? t;
    if (!t.isTypeReference()) return [];
    const args = checker.getTypeArguments(t);
    const members = SCOPE_ENTRY_ARGUMENTS.flatMap((i) => {
      const ctx = args[i];
      return !ctx ? [] : ctx.isUnionType() ? (ctx.getTypes?.() ?? []) : [ctx];
    });
    const out: string[] = [];
    for (const m of members) {
      const k = checker.getPropertyOfType(m, 'k');
      if (!k) continue;
      const kt = checker.getTypeOfSymbolAtLocation(k, expr);
      if (kt.isStringLiteralType() && typeof kt.value === 'string') out.push(kt.value);
    }
    return out;
  };
  if (!is.isPropertyAccessExpression(call.expression)) return new Map();
  const linkOf = (e: Node): ChainLink<Node> | undefined =>
    is.isCallExpression(e) && is.isPropertyAccessExpression(e.expression) ? { method: e.expression.name.text, receiver: e.expression.expression, firstArg: e.arguments[0]?.getText(sf) } : undefined;
  return scopeOfChain<Node>(call.expression.expression, linkOf, namesOf);
}

interface Request {
  typescriptPackageJson: string;
  cwd: string;
  configFile: string;
  positions: StepPosition[];
}
type Reply = ({ stepText: string; scope: [string, string][] } | null)[] | { error: string };

/** `scopesAt` in a child process (this file run by Node); `running` holds the child while it runs. */
export async function scopesInChild(request: Request, running: Set<ChildProcess>): Promise<(StepScope | undefined)[] | { error: string }> {
  let out: { code: number | null; stdout: string; stderr: string };
  try {
    out = await runNode([__filename], request.cwd, running, JSON.stringify(request));
  } catch (e) {
    return { error: `its API could not start: ${(e as Error).message}` };
  }
  try {
    const reply = JSON.parse(out.stdout) as Reply;
    return 'error' in reply ? reply : reply.map((r) => (r ? { stepText: r.stepText, scope: new Map(r.scope) } : undefined));
  } catch {
    return { error: `its API process ended (exit ${out.code}): ${(out.stderr.trim() || out.stdout.trim()).split('\n')[0] ?? ''}` };
  }
}

async function serve(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const r = JSON.parse(input) as Request;
  const result = await scopesAt(r.typescriptPackageJson, r.cwd, r.configFile, r.positions);
  const reply: Reply = 'error' in result ? result : result.map((s) => (s ? { stepText: s.stepText, scope: [...s.scope] } : null));
  process.stdout.write(JSON.stringify(reply));
}

if (require.main === module) void serve();
