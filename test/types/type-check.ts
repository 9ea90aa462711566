/**
 * Helpers for the type-level tests: compile fixture files with the project's compiler options and collect
 * tsc's diagnostics per file and line.
 */
import * as path from 'node:path';
import * as ts from 'typescript';
import { parseTscOutput } from '../../src/cli/check-native';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'type-fixtures');

/** One diagnostic, with its message chain flattened the way tsc prints it. */
export interface Diag {
  /** Absolute file name, or '' for a global diagnostic. */
  file: string;
  /** 1-based line and column of the diagnostic's start. */
  line: number;
  column: number;
  code: number;
  message: string;
}

/** Compiler options of /work/main/tsconfig.json, with noEmit forced on. */
export function projectCompilerOptions(): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configPath);
  const fatal = parsed.errors.filter((e) => e.category === ts.DiagnosticCategory.Error);
  if (fatal.length) throw new Error(fatal.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'));
  return { ...parsed.options, noEmit: true };
}

/** The files tsconfig.json puts in the project (src, test, examples, bench, scripts): what `npm run typecheck` checks. */
export function projectFiles(): string[] {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configPath).fileNames.map((f) => path.resolve(f));
}

export function toDiag(d: ts.Diagnostic): Diag {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return { file: '', line: 0, column: 0, code: d.code, message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { file: path.resolve(d.file.fileName), line: line + 1, column: character + 1, code: d.code, message };
}

/** Type-checks `files` in one program; returns every pre-emit diagnostic and the check's duration. */
export function checkFiles(files: readonly string[], options: ts.CompilerOptions = projectCompilerOptions()): { diags: Diag[]; ms: number } {
  const t0 = performance.now();
  const program = ts.createProgram({ rootNames: [...files], options });
  const diags = ts.getPreEmitDiagnostics(program).map(toDiag);
  return { diags, ms: performance.now() - t0 };
}

/** tsc-like one-line-per-diagnostic rendering (file relative to the repo root). */
export function formatDiag(d: Diag): string {
  const where = d.file ? `${path.relative(ROOT, d.file)}(${d.line},${d.column})` : '(global)';
  return `${where}: error TS${d.code}: ${d.message.replace(/\n/g, '\n    ')}`;
}

/** `// @expect-error <fragment>` markers: line (1-based) of the code line they apply to → fragments. */
export interface Expectation {
  markerLine: number;
  targetLine: number;
  fragment: string;
}

const MARKER = /^\s*\/\/\s*@expect-error\b(.*)$/;

/**
 * Parses the markers of a fixture. A marker applies to the next line that is not itself a marker; several markers
 * stacked above one line all apply to it. A marker without a fragment is a fixture bug.
 */
export function parseExpectations(source: string): Expectation[] {
  const lines = source.split(/\r?\n/);
  const out: Expectation[] = [];
  const pending: { markerLine: number; fragment: string }[] = [];
  lines.forEach((text, i) => {
    const m = MARKER.exec(text);
    if (m) {
      const fragment = m[1].trim();
      if (!fragment) throw new Error(`line ${i + 1}: '// @expect-error' needs a message fragment`);
      pending.push({ markerLine: i + 1, fragment });
      return;
    }
    for (const p of pending.splice(0)) out.push({ ...p, targetLine: i + 1 });
  });
  if (pending.length) throw new Error(`line ${pending[0].markerLine}: '// @expect-error' marker is not followed by a code line`);
  return out;
}

/** The compilers the type tests run under: the repo's TypeScript 5 (JS API) and TypeScript 7 (native `tsc`). */
export type Compiler = 'TypeScript 5' | 'TypeScript 7';

/** TypeScript 7's `tsc` (what `npm i typescript` installs now): the dev dependency `typescript-7` says where it is. */
export function tsc7Launcher(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('typescript-7') as { launcher: string }).launcher;
}

/**
 * Type-checks `files` in one program with TypeScript 7's `tsc` (it has no JS API): a temporary tsconfig with the
 * project's compiler options and exactly these files, `--pretty false`, its output parsed back into diagnostics
 * (a chained message's further lines are indented, as `flattenDiagnosticMessageText` renders them).
 */
export function checkFilesWithTsc7(files: readonly string[], extraOptions: Record<string, unknown> = {}): { diags: Diag[]; ms: number; version: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = require('node:os') as typeof import('node:os');
  const read = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const compilerOptions = { ...(read.config.compilerOptions as Record<string, unknown>), noEmit: true, typeRoots: [path.join(ROOT, 'node_modules', '@types')], ...extraOptions };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runnable-ts7-'));
  try {
    const config = path.join(dir, 'tsconfig.json');
    fs.writeFileSync(config, JSON.stringify({ compilerOptions, files: files.map((f) => path.resolve(f)) }, null, 2));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [tsc7Launcher(), '-p', config, '--pretty', 'false'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - t0;
    if (r.error) throw r.error;
    const version = spawnSync(process.execPath, [tsc7Launcher(), '--version'], { encoding: 'utf8' }).stdout.trim();
    // read by `runnable check`'s own parser of tsc's output (paths relative to the working folder: made absolute)
    const diags: Diag[] = parseTscOutput(r.stdout, dir).map((p) => ({ file: p.file && path.resolve(p.file), line: p.line, column: p.column, code: p.code, message: p.text }));
    // a compiler that did not run (not installed, crashed) must not read as "no errors"
    if (r.status !== 0 && !diags.length) throw new Error(`TypeScript 7's tsc exited with ${r.status ?? r.signal} and reported nothing:\n${r.stdout}\n${r.stderr}`);
    if (r.status === 0 && diags.length) throw new Error(`TypeScript 7's tsc reported errors but exited with 0:\n${r.stdout}`);
    return { diags, ms, version };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
