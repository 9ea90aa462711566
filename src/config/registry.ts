import type { Executor } from '../executors/executor';
import { LocalExecutor } from '../executors/local';
import { EmulatorExecutor } from '../executors/emulator';
import { LocalContainerExecutor, type LocalContainerExecutorConfig } from '../executors/local-container';
import { MockedExecutor, type StepPatch } from '../executors/mocked';
import { ArgoExecutor } from '../executors/argo';
import { K8sJobExecutor } from '../executors/k8s-job';
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

registerPlugin('executor', 'local', { create: () => new LocalExecutor(), configKeys: {}, description: 'every step in this process' });
registerPlugin('executor', 'emulator', {
  create: (c) => new EmulatorExecutor({ ...(c.maxProcesses !== undefined && { maxProcesses: c.maxProcesses as number }) }),
  configKeys: { maxProcesses: 'number' },
  description: 'every step in a fresh process (needs the chunked-fs run-log store)',
});

registerPlugin('executor', 'local-container', {
  create: (c) => new LocalContainerExecutor(c as unknown as LocalContainerExecutorConfig),
  configKeys: { image: 'string', binary: 'string', binaryArgs: 'array', environment: 'object', autoRemove: 'boolean', runArgs: 'array', maxContainers: 'number', overrides: 'object' },
  description: 'every step in a docker or podman container (needs the chunked-fs run-log store)',
});
registerPlugin('executor', 'mocked', {
  create: (c) => new MockedExecutor({ patches: c.patches as Record<string, StepPatch> | undefined, unpatched: 'fake', source: 'executor.config.patches' }),
  configKeys: { patches: 'object' },
  description: 'a dry run: every task step is a fake success unless patched',
});
// settings checked by parseArgoConfig (nested objects and lists, camelCase or the original's snake_case)
registerPlugin('executor', 'argo', { create: (c) => new ArgoExecutor(c), description: 'writes an Argo Workflow: every step in its own pod' });
registerPlugin('executor', 'k8s-job', { create: (c) => new K8sJobExecutor(c), description: 'writes a Kubernetes Job: the whole run in one pod' });

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
