/**
 * `runnable check` with TypeScript 7 or later, whose npm package has no JavaScript compiler API (`require('typescript')`
 * gives only `{ version }`): the project's own `tsc` binary type-checks exactly the given files with the project's
 * tsconfig, and its diagnostics are read back into the same problems as with TypeScript 5.
 *
 * The binary is found as the `typescript` package itself declares it (`bin.tsc` of its package.json), resolved from the
 * checked files' folder: the same `typescript` that the user's `npx tsc` runs there.
 *
 * The friendly data-flow text needs the type checker's view of the builder's type arguments (the names in scope at the
 * step). The binary does not give it; TypeScript 7's own API does (src/cli/check-ts7-scope.ts, `typescript/unstable/sync`).
 * When that API cannot be used, the step is read with swc, the "In scope at this step" and "Did you mean" lines are
 * left out and the output says so once.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { UsageError } from './errors';
import { dataFlowText, isDataFlowError, runNode, type CheckProblem, type CheckResult } from './check-report';

/** A `typescript` package found on disk. */
export interface TypeScriptPackage {
  version: string;
  major: number;
  /** Absolute path of its package.json. */
  packageJson: string;
  /** Absolute path of its `tsc` entry (package.json `bin.tsc`), if it declares one. */
  tsc?: string;
}

/** The `typescript` package that `require('typescript')` finds from `dir` (walking up node_modules), if any. */
export function typescriptFrom(dir: string): TypeScriptPackage | undefined {
  let pkgFile: string;
  try {
    pkgFile = createRequire(path.join(path.resolve(dir), '__runnable_check__.js')).resolve('typescript/package.json');
  } catch {
    return undefined;
  }
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version?: unknown; bin?: unknown };
  const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  const bin = typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin as Record<string, unknown> | undefined)?.tsc;
  return {
    version,
    major: Number.parseInt(version, 10) || 0,
    packageJson: pkgFile,
    ...(typeof bin === 'string' && { tsc: path.resolve(path.dirname(pkgFile), bin) }),
  };
}

/** The tsconfig.json the user's tsc would use for `file`: the nearest one in its folder or above (as ts.findConfigFile). */
export function findTsconfigUp(file: string): string | undefined {
  for (let dir = path.dirname(path.resolve(file)); ; ) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** One diagnostic line of `tsc --pretty false`: `file(line,col): error TS2345: message` or `error TS5023: message`. */
const DIAGNOSTIC = /^(?:(.+)\((\d+),(\d+)\): )?(?:error|warning|message) TS(\d+): (.*)$/;

/** Reads `tsc --pretty false` output (continuation lines are indented) into problems; paths resolved from `cwd`. */
export function parseTscOutput(out: string, cwd: string): CheckProblem[] {
  const problems: CheckProblem[] = [];
  for (const line of out.split(/\r?\n/)) {
    const m = DIAGNOSTIC.exec(line);
    if (m) {
      problems.push({
        file: m[1] ? path.relative(process.cwd(), path.resolve(cwd, m[1])) : '',
        line: m[2] ? Number(m[2]) : 0,
        column: m[3] ? Number(m[3]) : 0,
        code: Number(m[4]),
        text: m[5]!,
      });
    } else if (problems.length && /^\s/.test(line) && line.trim()) {
      problems.at(-1)!.text += `\n${line}`;
    }
  }
  return problems;
}

interface SwcNode {
  type?: string;
  span?: { start: number; end: number };
  [key: string]: unknown;
}

/**
 * The first argument, as written, of the innermost `.step(...)` call around line:column (1-based, column in UTF-16
 * units as tsc counts it) of a source file; parsed with @swc/core (already the CLI's loader), no TypeScript API.
 */
export function stepTextAt(source: string, fileName: string, line: number, column: number): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const swc = require('@swc/core') as typeof import('@swc/core');
  // swc's spans are UTF-8 byte positions from a base it chooses: a first token at byte 0 tells the base.
  const prefix = '0;\n';
  const bytes = Buffer.from(prefix + source, 'utf8');
  let mod: SwcNode;
  try {
    mod = swc.parseSync(prefix + source, { syntax: 'typescript', decorators: true, tsx: fileName.endsWith('.tsx') }) as unknown as SwcNode;
  } catch {
    return undefined;
  }
  const base = mod.span!.start;
  const lines = source.split('\n');
  if (line < 1 || line > lines.length) return undefined;
  const charOffset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  const at = Buffer.byteLength(prefix + source.slice(0, charOffset), 'utf8');
  let best: { start: number; end: number } | undefined;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as SwcNode;
    if (n.span && (n.span.start - base > at || n.span.end - base <= at)) return; // the position is not inside
    if (n.type === 'CallExpression' && n.span) {
      const callee = n.callee as SwcNode;
      const prop = callee?.property as SwcNode | undefined;
      const arg = (n.arguments as { expression?: SwcNode }[] | undefined)?.[0]?.expression;
      if (callee?.type === 'MemberExpression' && prop?.type === 'Identifier' && prop.value === 'step' && arg?.span) {
        if (!best || n.span.end - n.span.start <= best.end - best.start) best = { start: arg.span.start - base, end: arg.span.end - base };
      }
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'span' && v && typeof v === 'object') visit(v);
  };
  visit(mod);
  return best && bytes.subarray(best.start, best.end).toString('utf8');
}


/** The line that says why a program failed (`Error: …`, `TypeError [ERR_…]: …`), not the stack trace around it. */
function failureLine(output: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(?:[A-Z]\w*)?Error\b|^error\b/.test(l)) ?? lines[0] ?? '(no output)';
}

/** Options of `runnable check` for files outside any tsconfig: the defaults of the TypeScript 5 path (every @types). */
const NO_TSCONFIG_OPTIONS = { strict: true, experimentalDecorators: true, emitDecoratorMetadata: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['*'] };

/**
 * Type-checks `files` with the TypeScript 7+ binary `typescript.tsc` through a temporary tsconfig: next to the nearest
 * tsconfig.json, which it `extends` (or, without one, next to the first file, with the default options), with
 * `files` = exactly these files, `include: []` and noEmit; removed afterwards, even on failure or Ctrl-C. The names in
 * scope at a data-flow error come from TypeScript 7's API (src/cli/check-ts7-scope.ts) when it can be used.
 */
export async function checkFilesNative(files: string[], typescript: TypeScriptPackage): Promise<CheckResult> {
  if (!typescript.tsc || !fs.existsSync(typescript.tsc)) {
    throw new UsageError(`'runnable check' found TypeScript ${typescript.version} but not its tsc program; reinstall it in your project: npm install --save-dev typescript`);
  }
  const roots = files.map((f) => path.resolve(f));
  const tsconfig = findTsconfigUp(roots[0]!);
  const cwd = process.cwd();
  const dir = path.dirname(tsconfig ?? roots[0]!);
  const temp = path.join(dir, `tsconfig.runnable-check-${process.pid}-${Date.now().toString(36)}.json`);
  const rel = (f: string) => {
    const r = path.relative(dir, f).split(path.sep).join('/');
    return r.startsWith('.') ? r : `./${r}`;
  };
  const config = {
    ...(tsconfig && { extends: rel(tsconfig) }),
    compilerOptions: { ...(!tsconfig && NO_TSCONFIG_OPTIONS), noEmit: true },
    files: roots.map(rel),
    include: [],
  };
  let written = false;
  const removeTemp = () => {
    if (written) fs.rmSync(temp, { force: true });
  };
  // Ctrl-C / SIGTERM while the temporary tsconfig exists: stop tsc, remove the file, exit as an interrupted command.
  // Listening before the file exists: a signal that came between the two would end the process the default way.
  const running = new Set<ChildProcess>();
  const signalHandlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => {
      for (const child of running) child.kill(signal);
      removeTemp();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  process.once('exit', removeTemp);
  try {
    try {
      fs.writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
      written = true;
    } catch (err) {
      throw new UsageError(`'runnable check' with TypeScript ${typescript.version} writes a temporary tsconfig in ${path.relative(cwd, dir) || '.'} and could not (${(err as Error).message}); make that folder writable`);
    }
    const result = await runNode([typescript.tsc, '-p', temp, '--pretty', 'false'], cwd, running);
    const problems = parseTscOutput(result.stdout, cwd);
    if (result.code !== 0 && !problems.length) {
      throw new UsageError(
        `'runnable check' could not run TypeScript ${typescript.version}'s compiler (${typescript.tsc}, exit ${result.code}): ${failureLine(result.stderr || result.stdout)}\n` +
          "Check that 'npx tsc --version' works in your project; if npm skipped TypeScript's platform package (an optional dependency), reinstall it: npm install --save-dev typescript",
      );
    }
    const note = await explainDataFlow(problems, typescript, cwd, temp, running);
    return {
      problems,
      filesChecked: roots.length,
      ...(tsconfig && { tsconfig: path.relative(cwd, tsconfig) || tsconfig }),
      ...(note && { note }),
    };
  } finally {
    removeTemp();
    process.off('exit', removeTemp);
    for (const [signal, handler] of signalHandlers) process.off(signal, handler);
  }
}

/**
 * Rewrites the data-flow errors among `problems` into the friendly text. The step and the names in scope come from
 * TypeScript 7's API; when it cannot be used the step is read with swc and the returned note says that the names in
 * scope are not listed (and why).
 */
async function explainDataFlow(problems: CheckProblem[], typescript: TypeScriptPackage, cwd: string, configFile: string, running: Set<ChildProcess>): Promise<string | undefined> {
  const dataFlow = problems.filter((p) => p.file && isDataFlowError(p.text));
  if (!dataFlow.length) return undefined;
  const positions = dataFlow.map((p) => ({ file: path.resolve(cwd, p.file), line: p.line, column: p.column }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { scopesInChild } = require('./check-ts7-scope') as typeof import('./check-ts7-scope');
  const scopes = await scopesInChild({ typescriptPackageJson: typescript.packageJson, cwd, configFile, positions }, running);
  if (!('error' in scopes)) {
    dataFlow.forEach((p, i) => {
      const s = scopes[i];
      if (s) p.text = dataFlowText(p.text, s.stepText, s.scope);
    });
    return undefined;
  }
  let rewritten = false;
  const sources = new Map<string, string | undefined>();
  dataFlow.forEach((p, i) => {
    const abs = positions[i]!.file;
    if (!sources.has(abs)) sources.set(abs, fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined);
    const source = sources.get(abs);
    const stepText = source === undefined ? undefined : stepTextAt(source, abs, p.line, p.column);
    if (stepText === undefined) return;
    p.text = dataFlowText(p.text, stepText, undefined);
    rewritten = true;
  });
  return rewritten ? `(TypeScript ${typescript.version}: names in scope are not listed; ${scopes.error})` : undefined;
}
