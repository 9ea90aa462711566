/**
 * The TypeScript loader for the user's own files: `runnable` installs it before loading a pipeline or a
 * `runnable.config.ts`; `require('runnable-ts/register')` (or `node -r runnable-ts/register`) installs it explicitly.
 * Importing `runnable-ts` itself never installs it.
 *
 * - `.ts`/`.mts`/`.cts` files are compiled with @swc/core to CommonJS, keeping legacy decorators and
 *   `emitDecoratorMetadata` (tsx/esbuild drop the metadata that tsyringe needs). Type-checking is separate
 *   (`tsc --noEmit` / `runnable check`).
 * - Compiled files are cached by content hash (`~/.cache/runnable-ts`, or `RUNNABLE_TS_CACHE_DIR`; `RUNNABLE_TS_CACHE=0`
 *   turns the cache off), so an unchanged file costs a read, and @swc/core is loaded only when something must compile.
 * - ESM-style specifiers: `import './orders.js'` finds `orders.ts` when no `orders.js` exists (as `tsc` with
 *   `module: nodenext` expects), and `tsconfig.json` `paths` aliases resolve as `tsc` resolves them.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunnableError } from './errors';

const TS_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'] as const;
/** Bump when the compiled output would change for the same source (options, swc major). */
const CACHE_FORMAT = '1';

interface InternalModule {
  _compile(code: string, filename: string): void;
}
type Extensions = Record<string, (module: InternalModule, filename: string) => void>;
type ResolveFilename = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean, options?: unknown) => string;
const ModuleInternals = Module as unknown as { _extensions: Extensions; _resolveFilename: ResolveFilename };

/** A pipeline or config file that does not compile: names the file, line and column, with a code frame. */
export class TypeScriptSyntaxError extends RunnableError {
  override readonly code = 'SYNTAX';
}

let swc: typeof import('@swc/core') | undefined;
function transform(source: string, filename: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  swc ??= require('@swc/core') as typeof import('@swc/core');
  const tsx = filename.endsWith('.tsx');
  try {
    return swc.transformSync(source, {
      filename,
      sourceFileName: path.basename(filename),
      sourceMaps: 'inline',
      swcrc: false,
      configFile: false,
      module: { type: 'commonjs' },
      jsc: {
        parser: { syntax: 'typescript', decorators: true, tsx },
        target: 'es2022',
        keepClassNames: true,
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      },
    }).code;
  } catch (err) {
    throw new TypeScriptSyntaxError(syntaxMessage(err, filename));
  }
}

/** swc's own report (`x Expected ';'` + a code frame), without its "Caused by"/"Stack backtrace" noise. */
function syntaxMessage(err: unknown, filename: string): string {
  const raw = err instanceof Error ? err.message : String(err);
  // eslint-disable-next-line no-control-regex -- strips the terminal colours of swc's message
  const text = raw.replace(/\x1b\[[0-9;]*m/g, '');
  const lines = text.split('\n');
  const cut = lines.findIndex((l) => /^\s*(Caused by:|Stack backtrace:)/.test(l));
  const frame = (cut >= 0 ? lines.slice(0, cut) : lines).join('\n').trimEnd();
  const rel = path.relative(process.cwd(), filename);
  const shown = rel && !rel.startsWith('..') ? rel : filename;
  const where = `${shown}:${caretPosition(frame.split('\n')) ?? /-\[.*?:(\d+:\d+)\]/.exec(frame)?.[1] ?? '1:1'}`;
  const first = /^\s*[x×]\s*(.+)$/m.exec(frame)?.[1]?.trim() ?? 'syntax error';
  return `${where}: ${first}\n${frame}`;
}

/** `line:column` of the caret in swc's frame: `  2 | const x = ;` followed by `    :           ^`. */
function caretPosition(lines: string[]): string | undefined {
  for (let i = 1; i < lines.length; i++) {
    const caret = /^(\s*):(\s*)\^/.exec(lines[i]!);
    if (!caret) continue;
    for (let j = i - 1; j >= 0; j--) {
      const code = /^\s*(\d+) \|/.exec(lines[j]!);
      if (code) return `${code[1]}:${caret[2]!.length}`;
    }
  }
  return undefined;
}

function cacheDir(): string | undefined {
  if (process.env.RUNNABLE_TS_CACHE === '0') return undefined;
  if (process.env.RUNNABLE_TS_CACHE_DIR) return process.env.RUNNABLE_TS_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'runnable-ts', 'compiled');
}

let swcVersion: string | undefined;
function compilerVersion(): string {
  if (swcVersion === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      swcVersion = (require('@swc/core/package.json') as { version: string }).version;
    } catch {
      swcVersion = 'unknown';
    }
  }
  return swcVersion;
}

/** Compiles one file, through the content-hash cache when it is usable (a read-only home just skips it). */
export function compileFile(source: string, filename: string): string {
  const dir = cacheDir();
  if (!dir) return transform(source, filename);
  const key = crypto
    .createHash('sha256')
    .update(`${CACHE_FORMAT}\0${compilerVersion()}\0${path.basename(filename)}\0`)
    .update(source)
    .digest('hex');
  const file = path.join(dir, key.slice(0, 2), `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    /* not cached yet */
  }
  const code = transform(source, filename);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, code, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    /* a cache we cannot write only costs speed */
  }
  return code;
}

const compile = (module: InternalModule, filename: string): void => {
  module._compile(compileFile(fs.readFileSync(filename, 'utf8'), filename), filename);
};

// ---- resolution: `.js` specifiers for `.ts` files, and tsconfig `paths` ----

const JS_TO_TS: Record<string, readonly string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

/** This package's compiled files (lib/) resolve as Node resolves them. */
const PACKAGE_ROOT = __dirname;

function isUserFile(filename: string | null | undefined): filename is string {
  return !!filename && !filename.startsWith(PACKAGE_ROOT + path.sep) && !filename.split(path.sep).includes('node_modules');
}

type PathsMatcher = (specifier: string) => string[];
const matchers = new Map<string, PathsMatcher | null>();
/** The `paths` matcher of the tsconfig.json that governs `dir` (cached per folder). */
function pathsMatcher(dir: string): PathsMatcher | null {
  let m = matchers.get(dir);
  if (m !== undefined) return m;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getTsconfig, createPathsMatcher } = require('get-tsconfig') as typeof import('get-tsconfig');
  try {
    const found = getTsconfig(dir);
    m = found ? createPathsMatcher(found) : null;
  } catch {
    m = null; // an unreadable tsconfig is tsc's to report; resolution goes on without aliases
  }
  matchers.set(dir, m);
  return m;
}

let installed = false;

/** Installs the loader (idempotent). Returns false when it was installed already. */
export function register(): boolean {
  if (installed) return false;
  installed = true;
  const extensions = ModuleInternals._extensions;
  for (const ext of TS_EXTENSIONS) extensions[ext] = compile;

  const original = ModuleInternals._resolveFilename;
  ModuleInternals._resolveFilename = function resolveFilename(request, parent, isMain, options) {
    const from = parent?.filename;
    if (!isUserFile(from)) return original.call(this, request, parent, isMain, options);
    const relative = request.startsWith('./') || request.startsWith('../') || path.isAbsolute(request);
    if (relative) return resolveWithTs(original, this, request, parent, isMain, options);
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (err) {
      // Not a package: maybe a tsconfig `paths` alias (tried second, so resolving packages never reads tsconfig).
      if (request.startsWith('node:')) throw err;
      for (const candidate of pathsMatcher(path.dirname(from))?.(request) ?? []) {
        try {
          return resolveWithTs(original, this, candidate, parent, isMain, options);
        } catch {
          /* next candidate */
        }
      }
      throw err;
    }
  };
  // Stack traces point at the .ts source lines.
  process.setSourceMapsEnabled?.(true);
  return true;
}

function resolveWithTs(
  original: ResolveFilename,
  self: unknown,
  request: string,
  parent: { filename?: string | null } | undefined,
  isMain: boolean,
  options: unknown,
): string {
  try {
    return original.call(self, request, parent, isMain, options);
  } catch (err) {
    const ext = path.extname(request);
    for (const ts of JS_TO_TS[ext] ?? []) {
      try {
        return original.call(self, request.slice(0, -ext.length) + ts, parent, isMain, options);
      } catch {
        /* next */
      }
    }
    throw err;
  }
}
