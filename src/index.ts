/**
 * runnable-ts public API. Everything a user may import is exported here; everything else is internal.
 */
import 'reflect-metadata';

export { Task, task, type TaskOptions, type StepOptions, type CatalogSpec, type RetrySpec, type FnTask, type TaskDefinition } from './sdk/task';
export { pickled, metric, json, type ReturnKind, type ReturnSpec, type ReturnEntry } from './sdk/returns';
export { pipeline, Pipeline, PipelineBuilder, type StepCallOptions, type FlowOptions, type TypedFlowOptions } from './sdk/pipeline';
export { shell, stub, type ShellOptions } from './sdk/shell';
export type { Reducers, MapOut, CommonOut } from './types/composites';
export type { StepTypes, StepIn, StepOut, CheckStep } from './types/steps';
export { Serializable, registerSerializer } from './serialization';
export { StepContext, CATALOG, RUN_LOG_STORE, SECRETS, type StepLogger } from './engine/context';
export { loadArtifact, type LoadArtifactOptions } from './engine/artifacts';
export { inject, injectable } from 'tsyringe';
export { listRuns, summarizeRun, type RunSummary, type ListRunsOptions } from './engine/runs';
export { defineConfig, type RunnableConfig, type ExecutorTypes, type RunLogStoreTypes, type CatalogTypes, type SecretsTypes } from './config/types';
export { registerPlugin, type PluginDefinition, type ServiceTypes, type ConfigKeyType } from './config/registry';
export { loadConfig, ConfigError, type LoadedConfig } from './config/load';
export { EnvSecretsManager, DotenvSecretsManager, DoNothingSecretsManager, SecretNotFoundError, type SecretsManager, type DotenvSecretsConfig } from './stores/secrets/secrets';
export type { ExecuteOptions, RunResult } from './engine/run';
export { ConsoleReporter, SilentReporter, type Reporter, type StepEvent, type RunEvent } from './engine/reporter';
export type { RunLogStore, RunOwner } from './stores/run-log/store';
export { MemoryRunLogStore } from './stores/run-log/memory';
export { FileSystemRunLogStore, type FileSystemRunLogStoreConfig } from './stores/run-log/file-system';
export { ChunkedFsRunLogStore } from './stores/run-log/chunked-fs';
export type { Catalog, StoredObject } from './stores/catalog/catalog';
export { MemoryCatalog } from './stores/catalog/memory';
export { FileSystemCatalog, type FileSystemCatalogConfig } from './stores/catalog/file-system';
export type { RunLog, StepLog, StepAttempt, BranchLog, Parameter, DataCatalog, CodeIdentity, RunStatus } from './stores/run-log/types';
export {
  RunnableError,
  TaskDefinitionError,
  PipelineDefinitionError,
  ReturnsMismatchError,
  NotSerializableError,
  ParameterError,
  ArtifactError,
  RunLogExistsError,
  RunLogNotFoundError,
  ExecutionFailedError,
  RunOwnedError,
  RunLogIntegrityError,
  ValueTooLargeError,
} from './errors';
