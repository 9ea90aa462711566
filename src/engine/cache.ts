/**
 * Step cache fingerprints: the one place that decides what makes two executions of a step "the same"
 * (docs/caching.md explains it to users; step-cache.ts looks them up, restores and records them).
 *
 * A fingerprint is computed in two halves:
 *  - the step's KEY, known before it runs: the task's code (the source of the module that defined it and of every
 *    local module that module imports, transitively; not node_modules), the optional `cache: { version }`, the
 *    step's dot path, kind and declared returns, the names (never the values) of its secrets, its catalog spec and
 *    the files its `catalog: { get }` would copy (by SHA-256), and the runnable-ts version;
 *  - the FINGERPRINT proper: the key plus the values of the inputs the step read (JSON values canonically, pickled
 *    values by the SHA-256 of their stored payload) and the names it read that were in no scope. Which names a step
 *    reads is known only once it ran, so an index entry records them; a later run computes the fingerprint over the
 *    same names from its own values and compares.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskDefinition } from '../sdk/task';
import type { Parameter } from '../stores/run-log/types';
import { PACKAGE_VERSION } from '../version';
import { sha256 } from '../stores/catalog/catalog';

/** Bump when what goes into a fingerprint changes: every earlier entry then misses. */
export const CACHE_FORMAT = 1;

/**
 * Canonical JSON: object keys sorted (at every depth), no whitespace, `undefined` object members left out (as
 * JSON.stringify does). Two JSON values that are equal as data give the same text, whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value)); // not JSON: kept distinct
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Code: a module and the local modules it imports

/**
 * Module specifiers a JavaScript/TypeScript source imports: `import … from 'x'`, `import 'x'`, `export … from 'x'`,
 * `require('x')`, `import('x')`, `import x = require('x')`. A cheap scanner, not a parser: an import inside a
 * comment or a string is also found (which can only add a file to the fingerprint, never drop one).
 */
export function scanImports(source: string): string[] {
  const out = new Set<string>();
  const patterns = [/\bfrom\s*(['"])([^'"\n]+)\1/g, /\bimport\s*(['"])([^'"\n]+)\1/g, /\b(?:require|import)\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) out.add(m[2]!);
  return [...out];
}

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
const JS_TO_TS: Record<string, readonly string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file a path-like specifier names, tried as Node and tsc (nodenext: `./x.js` for `x.ts`) would. */
function resolveFilePath(base: string): string | undefined {
  const ext = path.extname(base);
  if (ext && isFile(base)) return base;
  for (const ts of JS_TO_TS[ext] ?? []) if (isFile(base.slice(0, -ext.length) + ts)) return base.slice(0, -ext.length) + ts;
  for (const e of SOURCE_EXTENSIONS) if (isFile(base + e)) return base + e;
  for (const e of SOURCE_EXTENSIONS) if (isFile(path.join(base, `index${e}`))) return path.join(base, `index${e}`);
  return undefined;
}

function isLocal(file: string): boolean {
  return !file.split(path.sep).includes('node_modules');
}

type PathsMatcher = (specifier: string) => string[];

/**
 * Reads the code of modules: each file's SHA-256 and the local files it imports, once per instance (a run keeps one,
 * so every file is read at most once per run however many steps share it).
 */
export class CodeReader {
  private readonly files = new Map<string, { hash: string; deps: string[] } | null>();
  private readonly closures = new Map<string, string>();
  private readonly matchers = new Map<string, PathsMatcher | null>();

  /** tsconfig `paths` aliases of the folder (as the loader resolves them), read lazily. */
  private pathsMatcher(dir: string): PathsMatcher | null {
    let m = this.matchers.get(dir);
    if (m !== undefined) return m;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { getTsconfig, createPathsMatcher } = require('get-tsconfig') as typeof import('get-tsconfig');
      const found = getTsconfig(dir);
      m = found ? createPathsMatcher(found) : null;
    } catch {
      m = null;
    }
    this.matchers.set(dir, m);
    return m;
  }

  /** The local file a specifier of `from` names; undefined for packages, built-ins and names that resolve to nothing. */
  resolve(specifier: string, from: string): string | undefined {
    if (specifier.startsWith('node:')) return undefined;
    const dir = path.dirname(from);
    if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
      const file = resolveFilePath(path.resolve(dir, specifier));
      return file && isLocal(file) ? file : undefined;
    }
    if (path.isAbsolute(specifier)) {
      const file = resolveFilePath(specifier);
      return file && isLocal(file) ? file : undefined;
    }
    // A bare specifier: a package (left out) unless a tsconfig `paths` alias maps it to a local file; packages are
    // recognised first, so projects without aliases never read their tsconfig here.
    try {
      if (!isLocal(require.resolve(specifier, { paths: [dir] }))) return undefined;
    } catch {
      /* not a package (or not resolvable as one): maybe an alias */
    }
    for (const candidate of this.pathsMatcher(dir)?.(specifier) ?? []) {
      const file = resolveFilePath(path.resolve(dir, candidate));
      if (file && isLocal(file)) return file;
    }
    return undefined;
  }

  private read(file: string): { hash: string; deps: string[] } | null {
    if (this.files.has(file)) return this.files.get(file)!;
    let entry: { hash: string; deps: string[] } | null = null;
    try {
      const bytes = fs.readFileSync(file);
      const deps = file.endsWith('.json') ? [] : scanImports(bytes.toString('utf8')).flatMap((s) => this.resolve(s, file) ?? []);
      entry = { hash: sha256(bytes), deps: [...new Set(deps)] };
    } catch {
      entry = null; // unreadable: the fingerprint says so (and differs from any readable content)
    }
    this.files.set(file, entry);
    return entry;
  }

  /** Every local file `entry` imports, directly or not, itself included (import cycles are fine). */
  closure(entry: string): string[] {
    const seen = new Set<string>();
    const stack = [path.resolve(entry)];
    while (stack.length) {
      const file = stack.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const d of this.read(file)?.deps ?? []) if (!seen.has(d)) stack.push(d);
    }
    return [...seen].sort();
  }

  /**
   * SHA-256 of the code of a module: the content of every file of its closure, each named by its path relative to
   * the module's folder (so moving the whole project keeps the hash; moving one file changes it).
   */
  moduleHash(entry: string): string {
    const abs = path.resolve(entry);
    let h = this.closures.get(abs);
    if (h === undefined) {
      const dir = path.dirname(abs);
      const parts = this.closure(abs).map((f) => [path.relative(dir, f).split(path.sep).join('/'), this.read(f)?.hash ?? 'unreadable']);
      h = sha256(canonicalJson(parts));
      this.closures.set(abs, h);
    }
    return h;
  }
}

/**
 * What stands for a task's code: its module's closure when the module is known, else the function's (or class's)
 * own text; a shell step's command.
 */
export function taskCode(def: TaskDefinition, reader: CodeReader): string {
  if (def.kind === 'shell') return `shell:${sha256(def.command ?? '')}`;
  if (def.source) return `module:${reader.moduleHash(def.source)}`;
  return `text:${sha256(String(def.target))}`;
}

/** Everything that identifies a step before it runs (see the top of this file). */
export interface StepIdentity {
  step: string;
  task: TaskDefinition;
  code: string;
  version?: string;
  secrets: readonly string[];
  catalog: unknown;
  /** Files the step's `catalog: { get }` would copy now: name → SHA-256. */
  getFiles: Readonly<Record<string, string>>;
}

/** The step's key: SHA-256 of its identity. */
export function stepKey(id: StepIdentity): string {
  return sha256(
    canonicalJson({
      format: CACHE_FORMAT,
      runnable_ts: PACKAGE_VERSION,
      step: id.step,
      kind: id.task.kind,
      name: id.task.name,
      returns: id.task.returns.map((r) => [r.name, r.kind]),
      code: id.code,
      version: id.version ?? null,
      secrets: [...id.secrets].sort(),
      catalog: id.catalog ?? null,
      get_files: id.getFiles,
    }),
  );
}

/**
 * The fingerprint of a step execution: its key, the values of the inputs it read and the names it read that were
 * absent. Undefined when a value cannot be fingerprinted (a pickled value without a recorded hash).
 */
export function inputsFingerprint(key: string, inputs: Readonly<Record<string, Parameter>>, absent: readonly string[]): string | undefined {
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(inputs).sort()) {
    const p = inputs[name]!;
    if (p.kind === 'object') {
      if (!p.data_hash) return undefined;
      values[name] = ['object', p.data_hash];
    } else values[name] = [p.kind, p.value];
  }
  return sha256(canonicalJson({ key, inputs: values, absent: [...new Set(absent)].sort() }));
}
