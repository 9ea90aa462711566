/**
 * `catalog: { get, put }` of a task: file syncing between the working folder and a run's catalog
 * (reference: runnable-behaviour.md §4.2–4.4).
 *
 * Glob semantics (the same for put and get): patterns are relative (posix `/` separators); `*` matches within
 * one path segment, `**` any number of segments including zero (`out/**\/*.csv` matches `out/a.csv`),
 * dot-files match like any other name (as Python's `Path.glob`), braces `{a,b}` expand, and only files
 * match (a pattern naming a folder matches nothing: use `folder/**`).
 *
 * Differences from the Python original, on purpose: a file matched by several patterns is recorded once;
 * a missing match raises an `ArtifactError` for the engine to fail the step (the original aborts the run);
 * `get` entries carry `<run_id>/<name>` as `catalog_relative_path`, like `put` entries.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Picomatch from 'picomatch';
import type * as Tinyglobby from 'tinyglobby';
// loaded by the first catalog glob, not at start-up
/* eslint-disable @typescript-eslint/no-require-imports */
const picomatch = ((...a: Parameters<typeof Picomatch>) => (require('picomatch') as typeof Picomatch)(...a)) as typeof Picomatch;
const tinyglobby = () => require('tinyglobby') as typeof Tinyglobby;
/* eslint-enable @typescript-eslint/no-require-imports */
const escapePath: typeof Tinyglobby.escapePath = (...a) => tinyglobby().escapePath(...a);
const glob = ((...a: Parameters<typeof Tinyglobby.glob>) => tinyglobby().glob(...a)) as typeof Tinyglobby.glob;
import { ArtifactError } from '../../errors';
import type { DataCatalog } from '../run-log/types';
import { checkRunId, type Catalog } from './catalog';

export interface PutFilesOptions {
  /** The working folder the patterns are relative to (`compute_data_folder`). */
  cwd: string;
  /** false: record names and hashes without copying anything into the catalog. */
  storeCopy: boolean;
  /** The step failed: patterns matching nothing are tolerated and whatever matched is still put. */
  stepFailed?: boolean;
  /**
   * Folders (absolute, or relative to `cwd`) never swept up by a pattern, e.g. the run log store's folder.
   * The catalog's own folder (`catalog.localRoot`) and `.run_log_store` are always left out.
   */
  exclude?: readonly string[];
  /** Called for every matched file before anything is copied; throwing refuses the whole put (nothing is copied). */
  check?: (name: string, absPath: string) => Promise<void>;
}

export interface GetFilesOptions {
  /** The working folder the files are copied into, at their path relative to the run's catalog. */
  cwd: string;
}

/** Files of the run's catalog that `get` never copies: execution logs and the engine's serialized values. */
const GET_SKIPPED_SUFFIXES = ['.execution.log', '.superjson'] as const;

/** Folder of the default file-system run log store, relative to the working folder. */
const DEFAULT_RUN_LOG_FOLDER = '.run_log_store';

/** How many files are copied at once (each copy holds at most 2 MiB of buffers). */
const COPY_CONCURRENCY = 4;

const GLOB_OPTIONS = { dot: true, posix: true } as const;

/**
 * Puts the files matching `patterns` (in order, relative to `opts.cwd`) into the run's catalog at the same
 * relative path, and returns one `put` entry per file for the step's `data_catalog`.
 *
 * Throws `ArtifactError` when a pattern matches no file (unless `opts.stepFailed`), when a pattern is absolute
 * or has a `..` segment, or when a matched file resolves (symlink) outside `opts.cwd`. Nothing is copied
 * when a pattern is refused or (step succeeded) matches nothing.
 */
export async function putFiles(
  catalog: Catalog,
  runId: string,
  patterns: readonly string[],
  opts: PutFilesOptions,
): Promise<DataCatalog[]> {
  checkRunId(runId);
  const cwd = path.resolve(opts.cwd);
  const checked = patterns.map((p) => checkPattern(p, 'put', cwd));
  if (!checked.length) return [];

  let realCwd: string;
  try {
    realCwd = await fs.promises.realpath(cwd);
    if (!(await fs.promises.stat(realCwd)).isDirectory()) throw new Error('not a folder');
  } catch {
    if (opts.stepFailed) return [];
    throw new ArtifactError(`Cannot put files into the catalog: the working folder ${cwd} does not exist or is not a folder`);
  }

  // Folders never swept up: the catalog itself, the default run log store and the caller's extra ones.
  const excluded: string[] = [];
  const ignore: string[] = [];
  for (const folder of [catalog.localRoot, DEFAULT_RUN_LOG_FOLDER, ...(opts.exclude ?? [])]) {
    if (!folder) continue;
    const abs = path.resolve(cwd, folder);
    const real = await fs.promises.realpath(abs).catch(() => abs);
    for (const base of [cwd, realCwd]) {
      for (const candidate of [abs, real]) {
        const rel = path.relative(base, candidate);
        if (isBelow(rel)) {
          ignore.push(`${escapePath(toPosix(rel))}/**`);
          excluded.push(real);
        }
      }
    }
  }

  const files = new Map<string, string>(); // name -> absolute path, in first-match order
  for (const [i, pattern] of checked.entries()) {
    const raw = patterns[i]!;
    const matches = (await glob(pattern, { ...GLOB_OPTIONS, cwd, onlyFiles: true, expandDirectories: false, followSymbolicLinks: true, ignore })).sort();
    let found = 0;
    for (const name of matches) {
      if (!isBelow(name)) {
        throw new ArtifactError(`Catalog put pattern '${raw}' matched '${name}', which is outside the working folder ${cwd}; patterns must stay inside it`);
      }
      const abs = path.join(cwd, name);
      const real = await fs.promises.realpath(abs);
      if (excluded.some((folder) => isInside(real, folder))) continue;
      if (!isInside(real, realCwd)) {
        throw new ArtifactError(
          `Catalog put refuses '${name}' (pattern '${raw}'): it is a symlink resolving to ${real}, outside the working folder ${cwd}. ` +
            `Copy the file into the working folder instead.`,
        );
      }
      found++;
      if (!files.has(name)) files.set(name, abs);
    }
    if (!found && !opts.stepFailed) {
      throw new ArtifactError(`No file matches catalog put pattern '${raw}' in ${cwd}${await folderHint(cwd, pattern)}`);
    }
  }

  if (opts.check) for (const [name, abs] of files) await opts.check(name, abs);
  return mapLimit([...files], COPY_CONCURRENCY, async ([name, abs]) => {
    const stored = await catalog.putFile(runId, name, abs, { storeCopy: opts.storeCopy });
    return { ...entry(name, stored.data_hash, runId, 'put'), ...(!opts.storeCopy && { stored: false }) };
  });
}

/**
 * The files of the run's catalog that {@link getFiles} would copy now (sorted, same matching), without copying
 * anything; undefined when a pattern matches nothing or is refused (the get would fail). The step cache
 * fingerprints them.
 */
export async function filesToGet(catalog: Catalog, runId: string, patterns: readonly string[]): Promise<string[] | undefined> {
  let checked: string[];
  try {
    checked = patterns.map((p) => checkPattern(p, 'get', `the catalog of run '${runId}'`));
  } catch {
    return undefined;
  }
  const candidates = (await catalog.list(runId)).filter((f) => !GET_SKIPPED_SUFFIXES.some((s) => f.endsWith(s)));
  const files = new Set<string>();
  for (const pattern of checked) {
    const isMatch = picomatch(pattern, GLOB_OPTIONS);
    const matches = candidates.filter((f) => isMatch(f));
    if (!matches.length) return undefined;
    for (const m of matches) files.add(m);
  }
  return [...files].sort();
}

/**
 * Copies the files of the run's catalog matching `patterns` (same glob semantics as {@link putFiles}) to the
 * same relative path under `opts.cwd`, and returns one `get` entry per file. Execution logs (`*.execution.log`)
 * and the engine's serialized values (`*.superjson`) are never matched.
 *
 * Throws `ArtifactError` when a pattern matches no file of the run, when a pattern is absolute or has a `..`
 * segment, or when a destination would land outside `opts.cwd` through a symlinked folder.
 */
export async function getFiles(
  catalog: Catalog,
  runId: string,
  patterns: readonly string[],
  opts: GetFilesOptions,
): Promise<DataCatalog[]> {
  checkRunId(runId);
  const cwd = path.resolve(opts.cwd);
  const where = `the catalog of run '${runId}'`;
  const checked = patterns.map((p) => checkPattern(p, 'get', where));
  if (!checked.length) return [];

  const stored = await catalog.list(runId);
  const candidates = stored.filter((f) => !GET_SKIPPED_SUFFIXES.some((s) => f.endsWith(s)));
  const files = new Set<string>();
  for (const [i, pattern] of checked.entries()) {
    const raw = patterns[i]!;
    const isMatch = picomatch(pattern, GLOB_OPTIONS);
    const matches = candidates.filter((f) => isMatch(f));
    if (!matches.length) {
      const skipped = stored.some((f) => isMatch(f))
        ? ` (files ending ${GET_SKIPPED_SUFFIXES.join(' or ')} are never copied by get)`
        : '';
      throw new ArtifactError(`No file matches catalog get pattern '${raw}' in ${where} (${catalog.describe(runId)})${skipped}`);
    }
    for (const m of matches) files.add(m);
  }

  await fs.promises.mkdir(cwd, { recursive: true });
  const realCwd = await fs.promises.realpath(cwd);
  for (const name of files) {
    const dest = path.join(cwd, name);
    const real = await realpathOfNearest(path.dirname(dest));
    if (!isInside(real, realCwd)) {
      throw new ArtifactError(
        `Catalog get refuses to write '${name}' of run '${runId}': its folder resolves to ${real}, outside the working folder ${cwd} (symlink)`,
      );
    }
  }

  return mapLimit([...files], COPY_CONCURRENCY, async (name) => {
    const got = await catalog.getFile(runId, name, path.join(cwd, name));
    return entry(name, got.data_hash, runId, 'get');
  });
}

function entry(name: string, data_hash: string, runId: string, stage: 'get' | 'put'): DataCatalog {
  return { name, data_hash, catalog_relative_path: `${runId}/${name}`, catalog_handler_location: '', stage };
}

/** Refuses absolute patterns and `..` segments; returns the pattern without leading `./`. */
function checkPattern(pattern: string, stage: 'get' | 'put', where: string): string {
  if (typeof pattern !== 'string' || !pattern.trim()) {
    throw new ArtifactError(`Catalog ${stage} pattern '${String(pattern)}' is empty; give a glob relative to ${where}`);
  }
  if (path.posix.isAbsolute(pattern) || path.win32.isAbsolute(pattern) || /^[a-zA-Z]:/.test(pattern)) {
    throw new ArtifactError(`Catalog ${stage} pattern '${pattern}' is absolute; patterns must be relative to ${where}`);
  }
  if (pattern.split(/[\\/]/).includes('..')) {
    throw new ArtifactError(`Catalog ${stage} pattern '${pattern}' has a '..' segment; patterns must stay inside ${where}`);
  }
  let p = pattern;
  while (p.startsWith('./')) p = p.slice(2).replace(/^\/+/, '');
  if (!p) throw new ArtifactError(`Catalog ${stage} pattern '${pattern}' names the folder itself; use '**' or '**/*' for all its files`);
  return p;
}

/** A hint when a put pattern that matched nothing names a folder. */
async function folderHint(cwd: string, pattern: string): Promise<string> {
  const st = await fs.promises.stat(path.join(cwd, pattern)).catch(() => undefined);
  return st?.isDirectory() ? ` ('${pattern}' is a folder: use '${pattern.replace(/\/+$/, '')}/**' for the files in it)` : '';
}

/** `rel` (a relative path) stays below its base: not empty, not `..`, not starting with `../`. */
function isBelow(rel: string): boolean {
  return rel !== '' && rel !== '..' && !rel.startsWith('../') && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function isInside(abs: string, folder: string): boolean {
  const rel = path.relative(folder, abs);
  return rel === '' || isBelow(rel);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** realpath of `p`, or of its nearest existing ancestor joined with the rest when `p` does not exist yet. */
async function realpathOfNearest(p: string): Promise<string> {
  try {
    return await fs.promises.realpath(p);
  } catch (err) {
    const parent = path.dirname(p);
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === p) throw err;
    return path.join(await realpathOfNearest(parent), path.basename(p));
  }
}

/** Maps with at most `limit` calls in flight; results in input order; the first error is thrown once all stopped. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
  return results;
}
