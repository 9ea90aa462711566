import type { EmulatorExecutorConfig } from '../executors/emulator';
import type { LocalContainerExecutorConfig } from '../executors/local-container';
import type { FileSystemCatalogConfig } from '../stores/catalog/file-system';
import type { FileSystemRunLogStoreConfig } from '../stores/run-log/file-system';
import type { DotenvSecretsConfig } from '../stores/secrets/secrets';
import type { MockedExecutorConfig } from '../executors/mocked';
import type { ArgoExecutorConfig } from '../executors/argo/config';
import type { K8sJobConfig } from '../executors/k8s-job';

/**
 * Config shapes per type name. Third-party plugins add theirs by module augmentation:
 *   declare module 'runnable-ts' { interface RunLogStoreTypes { 's3': { bucket: string } } }
 */
export interface ExecutorTypes {
  local: Record<string, never>;
  /** Every step in a fresh process (`runnable execute-single-node`); needs the `chunked-fs` run-log store. */
  emulator: EmulatorExecutorConfig;
  /** Every step in a docker or podman container; needs the `chunked-fs` run-log store. */
  'local-container': LocalContainerExecutorConfig;
  /** Dry runs: every task step is a fake success (nothing runs) unless `patches` replaces it. */
  mocked: MockedExecutorConfig;
  /** Writes an Argo Workflow instead of running (docs/argo.md). */
  argo: ArgoExecutorConfig;
  /** Writes a Kubernetes Job running the whole pipeline in one pod (docs/argo.md#a-kubernetes-job). */
  'k8s-job': K8sJobConfig;
}
export interface RunLogStoreTypes {
  'file-system': FileSystemRunLogStoreConfig;
  'chunked-fs': FileSystemRunLogStoreConfig;
  memory: Record<string, never>;
  /** The Python original's name for the in-memory store. */
  buffered: Record<string, never>;
}
export interface CatalogTypes {
  'file-system': FileSystemCatalogConfig;
  memory: Record<string, never>;
}
export interface SecretsTypes {
  env: Record<string, never>;
  /** The Python original's name for `env`. */
  'env-secrets': Record<string, never>;
  dotenv: DotenvSecretsConfig;
  'do-nothing': Record<string, never>;
}

type Section<M> = { [K in keyof M]: { type: K; config?: M[K] } }[keyof M];

/** runnable.config.ts: which implementation serves each extension point. Every section is optional. */
export interface RunnableConfig {
  executor?: Section<ExecutorTypes>;
  runLogStore?: Section<RunLogStoreTypes>;
  catalog?: Section<CatalogTypes>;
  secrets?: Section<SecretsTypes>;
  /**
   * The step cache (docs/caching.md): `{ enabled: true }` turns it on for every task step (a step with
   * `cache: false` opts out), as `runnable run --cache` does.
   */
  cache?: { enabled?: boolean };
}

/** Identity function that gives `runnable.config.ts` full types and autocompletion. */
export function defineConfig(config: RunnableConfig): RunnableConfig {
  return config;
}

export type ExtensionPoint = 'executor' | 'runLogStore' | 'catalog' | 'secrets';
