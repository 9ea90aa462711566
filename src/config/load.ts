import * as fs from 'node:fs';
import * as path from 'node:path';
import { cosmiconfigSync, type Loader } from 'cosmiconfig';
import { parseYaml } from '../util/yaml';
import { showValue as show } from '../util/show';
import { RunnableError } from '../errors';
import { register } from '../loader';
import { getPlugin, pluginTypes, type ServiceTypes } from './registry';
import type { ExtensionPoint, RunnableConfig } from './types';

/** A configuration problem: names the file, the key and the allowed values. Found before any step runs. */
export class ConfigError extends RunnableError {
  override readonly code = 'CONFIG';
}

export interface LoadedConfig {
  /** The normalised configuration (camelCase sections, `{ type, config }` each). */
  config: RunnableConfig;
  /** The file it came from, or undefined for the embedded defaults. */
  file?: string;
}

export const DEFAULT_CONFIG: Required<Omit<RunnableConfig, 'cache'>> = {
  executor: { type: 'local' },
  runLogStore: { type: 'file-system' },
  catalog: { type: 'file-system' },
  secrets: { type: 'env' },
};

const SECTION_ALIASES: Record<string, ExtensionPoint> = {
  executor: 'executor',
  'pipeline-executor': 'executor',
  pipeline_executor: 'executor',
  pipelineExecutor: 'executor',
  runLogStore: 'runLogStore',
  'run-log-store': 'runLogStore',
  run_log_store: 'runLogStore',
  catalog: 'catalog',
  secrets: 'secrets',
};

const loadTs: Loader = (filepath) => {
  // The swc loader keeps decorators and needs no `typescript` at run time; reading a .ts configuration opts in to it.
  register();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's configuration file, loaded at run time
  const mod = require(filepath) as { default?: unknown };
  return mod && typeof mod === 'object' && 'default' in mod ? mod.default : mod;
};

const SEARCH_PLACES = [
  'package.json',
  '.runnablerc',
  '.runnablerc.json',
  '.runnablerc.yaml',
  '.runnablerc.yml',
  'runnable.config.ts',
  'runnable.config.cts',
  'runnable.config.js',
  'runnable.config.cjs',
  'runnable.config.json',
  'runnable.config.yaml',
  'runnable.config.yml',
];

function explorer() {
  return cosmiconfigSync('runnable', {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    loaders: { '.ts': loadTs, '.cts': loadTs, noExt: (_f, content) => parseYaml(content) },
  });
}

/** The project folder of `cwd`: the nearest folder (cwd included) holding package.json, package.yaml or .git. */
export function projectRoot(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; ) {
    if (['package.json', 'package.yaml', '.git'].some((f) => fs.existsSync(path.join(dir, f)))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Searches the configuration from `cwd` up to its project root, never above it: a config file in a shared parent
 * (the temp folder, a home folder) is not the project's and may be anyone's. Outside any project: `cwd` only.
 */
function searchConfig(cwd: string): { config: unknown; filepath: string } | null {
  const root = projectRoot(cwd) ?? path.resolve(cwd);
  const ex = explorer();
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const place of SEARCH_PLACES) {
      const file = path.join(dir, place);
      if (!fs.existsSync(file)) continue;
      const found = loadFile(ex, file, cwd);
      // like cosmiconfig's search: empty files and a package.json without a "runnable" key do not count
      if (found && !found.isEmpty && found.config !== undefined) return found;
    }
    if (dir === root || path.dirname(dir) === dir) return null;
  }
}

/** Loads one configuration file; a file that cannot be read or parsed is a ConfigError naming it. */
function loadFile(ex: ReturnType<typeof explorer>, file: string, cwd: string): { config: unknown; filepath: string; isEmpty?: boolean } | null {
  try {
    return ex.load(file);
  } catch (err) {
    if (err instanceof RunnableError) throw err;
    const rel = path.relative(cwd, file) || file;
    throw new ConfigError(`${rel}: cannot load the configuration: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

/** `$name` / `${name}` in string values are replaced by `RUNNABLE_VAR_<name>`. */
function substitute(value: unknown, env: NodeJS.ProcessEnv, file: string, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b)!;
      const v = env[`RUNNABLE_VAR_${name}`];
      if (v === undefined) throw new ConfigError(`${file}: ${where} uses '${m}' but RUNNABLE_VAR_${name} is not set.`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, env, file, `${where}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, env, file, `${where}.${k}`)]));
  }
  return value;
}

/** Validates and normalises a raw configuration object. */
export function normalizeConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): RunnableConfig {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${file}: the configuration must be an object with the sections executor, runLogStore, catalog, secrets.`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'cache') {
      out.cache = cacheSection(value, file);
      continue;
    }
    const section = Object.hasOwn(SECTION_ALIASES, key) ? SECTION_ALIASES[key] : undefined; // not 'constructor' & co
    if (!section) {
      throw new ConfigError(`${file}: unknown section '${key}'. Allowed sections: executor, runLogStore, catalog, secrets, cache.`);
    }
    if (out[section]) throw new ConfigError(`${file}: section '${section}' is given twice (as '${key}' and another spelling).`);
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new ConfigError(`${file}: '${key}' must be an object like { type: '${pluginTypes(section)[0]}', config: { ... } }.`);
    }
    const { type, config, ...rest } = value as { type?: unknown; config?: unknown };
    const allowedTypes = pluginTypes(section);
    const extra = Object.keys(rest);
    if (extra.length) throw new ConfigError(`${file}: '${key}' has unknown key(s) ${extra.map((e) => `'${e}'`).join(', ')}; a section has only 'type' and 'config'.`);
    if (typeof type !== 'string' || !getPlugin(section, type)) {
      throw new ConfigError(`${file}: ${key}.type ${show(type)} is not known. Allowed values: ${allowedTypes.join(', ')}.`);
    }
    const plugin = getPlugin(section, type)!;
    if (config !== undefined && (config === null || typeof config !== 'object' || Array.isArray(config))) {
      throw new ConfigError(`${file}: ${key}.config must be an object.`);
    }
    const cfg = substitute(config ?? {}, env, file, `${key}.config`) as Record<string, unknown>;
    if (plugin.configKeys) {
      for (const [k, v] of Object.entries(cfg)) {
        const want = Object.hasOwn(plugin.configKeys, k) ? plugin.configKeys[k] : undefined;
        if (!want) {
          const allowed = Object.keys(plugin.configKeys);
          throw new ConfigError(`${file}: ${key}.config.${k} is not a setting of '${type}'. ${allowed.length ? `Allowed: ${allowed.join(', ')}.` : `'${type}' takes no settings.`}`);
        }
        const actual = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
        if (actual !== want) throw new ConfigError(`${file}: ${key}.config.${k} must be ${/^[aeiou]/.test(want) ? 'an' : 'a'} ${want}, got ${actual} (${show(v)}).`);
      }
    }
    out[section] = { type, config: cfg };
  }
  return out as RunnableConfig;
}

/** The `cache` section: `{ enabled: boolean }` (docs/caching.md). */
function cacheSection(value: unknown, file: string): { enabled?: boolean } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${file}: 'cache' must be an object like { enabled: true }.`);
  const { enabled, ...rest } = value as { enabled?: unknown };
  const extra = Object.keys(rest);
  if (extra.length) throw new ConfigError(`${file}: 'cache' has unknown key(s) ${extra.map((e) => `'${e}'`).join(', ')}; its only setting is 'enabled'.`);
  if (enabled !== undefined && typeof enabled !== 'boolean') throw new ConfigError(`${file}: cache.enabled must be true or false, got ${show(enabled)}.`);
  return enabled === undefined ? {} : { enabled };
}

/**
 * Finds and loads the configuration. Precedence: `RUNNABLE_CONFIGURATION_FILE`, then the explicit file (`--config`),
 * then the first of runnable.config.ts / .runnablerc(.json|.yaml) / runnable.config.json / package.json#runnable
 * found from `cwd` up to the project root (the nearest folder with package.json or .git; outside a project, `cwd`
 * only), else the embedded defaults.
 */
export function loadConfig(opts: { configFile?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const explicit = env.RUNNABLE_CONFIGURATION_FILE || opts.configFile;
  let result: { config: unknown; filepath: string } | null;
  try {
    if (explicit) {
      const abs = path.resolve(cwd, explicit);
      if (!fs.existsSync(abs)) {
        const via = env.RUNNABLE_CONFIGURATION_FILE ? 'RUNNABLE_CONFIGURATION_FILE' : '--config';
        throw new ConfigError(`Configuration file '${explicit}' (from ${via}) does not exist.`);
      }
      result = loadFile(explorer(), abs, cwd);
    } else {
      result = searchConfig(cwd);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`Cannot load the configuration: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (!result) return { config: {} };
  const rel = path.relative(cwd, result.filepath) || result.filepath;
  return { config: normalizeConfig(result.config, rel, env), file: rel };
}

/** Builds one service from its section (or the default). */
export function createService<K extends ExtensionPoint>(kind: K, config: RunnableConfig, file = 'configuration'): ServiceTypes[K] {
  const section = (config[kind] ?? DEFAULT_CONFIG[kind]) as { type: string; config?: Record<string, unknown> };
  const plugin = getPlugin(kind, section.type);
  if (!plugin) throw new ConfigError(`${file}: ${kind}.type '${section.type}' is not known. Allowed values: ${pluginTypes(kind).join(', ')}.`);
  try {
    return plugin.create(section.config ?? {});
  } catch (err) {
    throw new ConfigError(`${file}: cannot create ${kind} '${section.type}': ${(err as Error).message}`, { cause: err });
  }
}
