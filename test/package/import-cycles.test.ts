import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/*
 * The folders of src/ are layers (sdk below graph below engine below executors below cli; config, stores, errors.ts
 * ... below those): a module may import from its own folder and from lower ones, never in a circle. A top-level file
 * (src/errors.ts, src/index.ts) is a node of its own. This test builds the import graph of src/ from the sources
 * (import, export ... from, require(), import()) and fails on any cycle between folders, printing it with the files.
 *
 * Type-only imports (`import type`, `export type`, imports whose every binding is `type`, `import('x').T` types) are
 * left out: they are erased when compiling, so they decide no load order and cannot make a module see another
 * half-initialised. Some types are shared across layers on purpose and moving them would move a large part of the
 * code: the sdk's Pipeline.execute() is typed with the engine's ExecuteOptions/RunResult, the Executor interface and
 * the engine's step context name each other, and the config's `executor` section is the union of the executors'
 * own config types. Every runtime edge, including a lazy require() of a heavy module, counts.
 */

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The runtime import specifiers of a module (type-only ones left out, see above). */
function runtimeImports(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const specs: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const c = n.importClause;
      const bindings = c?.namedBindings;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) specs.push(n.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      const named = n.exportClause;
      const typeOnly = n.isTypeOnly || (!!named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) specs.push(n.moduleSpecifier.text);
    } else if (ts.isCallExpression(n) && n.arguments.length >= 1 && ts.isStringLiteralLike(n.arguments[0]!)) {
      const callee = n.expression;
      if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword) specs.push(n.arguments[0]!.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return specs;
}

/** src/engine/run.ts -> "engine"; src/errors.ts -> "errors.ts". */
function layerOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts[0]!;
}

/** Folder -> folder -> the file edges behind it. */
function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const spec of runtimeImports(file)) {
      const target = resolveImport(file, spec);
      if (!target || !target.startsWith(SRC + path.sep)) continue;
      const to = layerOf(target);
      if (to === from) continue;
      const edges = graph.get(from)!;
      if (!edges.has(to)) edges.set(to, []);
      edges.get(to)!.push(`src/${path.relative(SRC, file)} -> src/${path.relative(SRC, target)}`);
    }
  }
  return graph;
}

/** One cycle per strongly connected group of folders (Tarjan), each as the folder path with the files behind each hop. */
function findCycles(graph: Map<string, Map<string, string[]>>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);

  return groups.map((group) => {
    // a shortest way back to the start inside the group (breadth first), so the message shows one concrete cycle
    const members = new Set(group);
    const start = [...group].sort()[0]!;
    const prev = new Map<string, string>();
    const queue = [start];
    let end: string | undefined;
    while (queue.length && !end) {
      const v = queue.shift()!;
      for (const w of graph.get(v)?.keys() ?? []) {
        if (!members.has(w)) continue;
        if (w === start) {
          end = v;
          break;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const pathBack = [end!];
    while (pathBack[0] !== start) pathBack.unshift(prev.get(pathBack[0]!)!);
    pathBack.push(start);
    const hops = pathBack.slice(1).map((to, i) => {
      const from = pathBack[i]!;
      return `  ${from} -> ${to}\n${graph.get(from)!.get(to)!.map((e) => `      ${e}`).join('\n')}`;
    });
    return `${pathBack.join(' -> ')} (folders in the cycle: ${[...group].sort().join(', ')})\n${hops.join('\n')}`;
  });
}

describe('the import graph of src/', () => {
  it('has no cycle between folders', () => {
    const cycles = findCycles(folderGraph());
    if (cycles.length) throw new Error(`Import cycles between src/ folders (type-only imports not counted):\n\n${cycles.join('\n\n')}`);
    expect(cycles).toEqual([]);
  });

  it('finds a cycle when there is one (the scanner sees imports, re-exports and require())', () => {
    const graph = new Map([
      ['sdk', new Map([['engine', ['src/sdk/pipeline.ts -> src/engine/run.ts']]])],
      ['engine', new Map([['sdk', ['src/engine/definition.ts -> src/sdk/definition.ts']]])],
    ]);
    expect(findCycles(graph)).toEqual([
      'engine -> sdk -> engine (folders in the cycle: engine, sdk)\n  engine -> sdk\n      src/engine/definition.ts -> src/sdk/definition.ts\n  sdk -> engine\n      src/sdk/pipeline.ts -> src/engine/run.ts',
    ]);
    const real = folderGraph();
    expect(real.get('engine')?.get('sdk')).toContain('src/engine/definition.ts -> src/sdk/definition.ts');
    expect(real.get('index.ts')?.get('sdk')).toEqual(expect.arrayContaining(['src/index.ts -> src/sdk/pipeline.ts']));
    expect(real.get('engine')?.get('telemetry')).toEqual(['src/engine/run.ts -> src/telemetry/otel.ts']);
  });
});
