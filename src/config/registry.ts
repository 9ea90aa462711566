import type { Executor } from '../executors/executor';
import type { Catalog } from '../stores/catalog/catalog';
import { FileSystemCatalog } from '../stores/catalog/file-system';
import { MemoryCatalog } from '../stores/catalog/memory';
import { FileSystemRunLogStore } from '../stores/run-log/file-system';
import { MemoryRunLogStore } from '../stores/run-log/memory';
import type { RunLogStore } from '../stores/run-log/store';
import { DoNothingSecretsManager, DotenvSecretsManager, EnvSecretsManager, type SecretsManager } from '../stores/secrets/secrets';
import type { ExtensionPoint } from './types';
import { ChunkedFsRunLogStore } from '../stores/run-log/chunked-fs';

export interface ServiceTypes {
  executor: Executor;
  runLogStore: RunLogStore;
  catalog: Catalog;
  secrets: SecretsManager;
}

export type ConfigKeyType = 'string' | 'number' | 'boolean' | 'object' | 'array';

export interface PluginDefinition<T> {
  /** Builds the service from its validated `config` section. */
  create(config: Record<string, unknown>): T;
  /** Allowed config keys and their types; any other key is a configuration error. */
  configKeys?: Record<string, ConfigKeyType>;
  description?: string;
}

const registry: { [K in ExtensionPoint]: Map<string, PluginDefinition<ServiceTypes[K]>> } = {
  executor: new Map(),
  runLogStore: new Map(),
  catalog: new Map(),
  secrets: new Map(),
};

/**
 * Registers an implementation of an extension point under a type name, so `runnable.config.ts` can select it:
 * `registerPlugin('catalog', 's3', { create: (cfg) => new S3Catalog(cfg), configKeys: { bucket: 'string' } })`.
 */
export function registerPlugin<K extends ExtensionPoint>(kind: K, type: string, plugin: PluginDefinition<ServiceTypes[K]>): void {
  (registry[kind] as Map<string, PluginDefinition<ServiceTypes[K]>>).set(type, plugin);
}

export function getPlugin<K extends ExtensionPoint>(kind: K, type: string): PluginDefinition<ServiceTypes[K]> | undefined {
  return registry[kind].get(type) as PluginDefinition<ServiceTypes[K]> | undefined;
}

export function pluginTypes(kind: ExtensionPoint): string[] {
  return [...registry[kind].keys()];
}

const str = (v: unknown) => v as string | undefined;

// The built-in executors register in src/executors/builtins.ts (the executors build on the config, not the reverse).
registerPlugin('runLogStore', 'file-system', {
  create: (c) => new FileSystemRunLogStore({ log_folder: str(c.log_folder) }),
  configKeys: { log_folder: 'string' },
  description: 'one JSON file per run',
});
registerPlugin('runLogStore', 'chunked-fs', {
  create: (c) => new ChunkedFsRunLogStore({ log_folder: str(c.log_folder) }),
  configKeys: { log_folder: 'string' },
  description: 'a folder per run, a journal per writing process; for large and parallel runs',
});
registerPlugin('runLogStore', 'memory', { create: () => new MemoryRunLogStore(), configKeys: {} });
registerPlugin('runLogStore', 'buffered', { create: () => new MemoryRunLogStore(), configKeys: {} });

registerPlugin('catalog', 'file-system', {
  create: (c) => new FileSystemCatalog({ catalog_location: str(c.catalog_location), compute_data_folder: str(c.compute_data_folder) }),
  configKeys: { catalog_location: 'string', compute_data_folder: 'string' },
});
registerPlugin('catalog', 'memory', { create: () => new MemoryCatalog(), configKeys: {} });

registerPlugin('secrets', 'env', { create: () => new EnvSecretsManager(), configKeys: {} });
registerPlugin('secrets', 'env-secrets', { create: () => new EnvSecretsManager(), configKeys: {} });
registerPlugin('secrets', 'dotenv', { create: (c) => new DotenvSecretsManager({ location: str(c.location) }), configKeys: { location: 'string' } });
registerPlugin('secrets', 'do-nothing', { create: () => new DoNothingSecretsManager(), configKeys: {} });
