/**
 * runnable-ts public API. Everything a user may import is exported here; everything else is internal.
 */
import 'reflect-metadata';
// The engine registers itself as the runner of Pipeline.execute() (the sdk cannot import it).
import './engine/run';
// The built-in executors register with the config's plugin registry (selectable by executor.type).
import './executors/builtins';

export { Task, task, type TaskOptions, type StepOptions, type CatalogSpec, type RetrySpec, type CacheOption, type CacheSpec, type FnTask, type TaskDefinition } from './sdk/task';
export { pickled, metric, json, type ReturnKind, type ReturnSpec, type ReturnEntry } from './sdk/returns';
export { pipeline, Pipeline, PipelineBuilder, type StepCallOptions, type FlowOptions, type TypedFlowOptions, type ParamsSlot, type TerminatedBuilder, type ParamsOptions, type ParamSpec } from './sdk/pipeline';
export type { StandardSchemaV1, StandardSchemaV1Props, StandardSchemaV1Result, StandardSchemaV1Issue, StandardSchemaV1Types, InferSchemaInput, InferSchemaOutput } from './types/standard-schema';
export { shell, stub, type ShellOptions } from './sdk/shell';
export { job, Job, type JobOptions, type JobExecuteOptions, type JobStepCheck } from './sdk/job';
export type { Reducers, MapOut, CommonOut } from './types/composites';
export type { StepTypes, StepIn, StepOut, CheckStep, Accepts } from './types/steps';
export { Serializable, registerSerializer } from './serialization';
export { StepContext, CATALOG, RUN_LOG_STORE, SECRETS, type StepLogger } from './engine/context';
export { loadArtifact, type LoadArtifactOptions } from './engine/artifacts';
export { inject, injectable } from './util/di';
export { listRuns, summarizeRun, type RunSummary, type ListRunsOptions } from './engine/runs';
export { defineConfig, type RunnableConfig, type ExecutorTypes, type RunLogStoreTypes, type CatalogTypes, type SecretsTypes } from './config/types';
export type { ArgoExecutorConfig, ArgoContainerSettings } from './executors/argo/config';
export type { K8sJobConfig } from './executors/k8s-job';
export { registerPlugin, type PluginDefinition, type ServiceTypes, type ConfigKeyType } from './config/registry';
export { loadConfig, ConfigError, type LoadedConfig } from './config/load';
export { EnvSecretsManager, DotenvSecretsManager, DoNothingSecretsManager, SecretNotFoundError, type SecretsManager, type DotenvSecretsConfig } from './stores/secrets/secrets';
export type { ExecuteOptions, RunResult } from './engine/run';
export { RetryValidationError } from './engine/run';
export type { PipelineEvent, PipelineEventType } from './engine/events';
export { ConsoleReporter, SilentReporter, type Reporter, type StepEvent, type RunEvent } from './engine/reporter';
export type { RunLogStore, RunLogStoreCapabilities, RunOwner, StepCacheEntry } from './stores/run-log/store';
export type { Executor, StepInvocation, StepOutcome, StepIO, PipelineRef } from './executors/executor';
export { LocalExecutor } from './executors/local';
export { EmulatorExecutor, type EmulatorExecutorConfig } from './executors/emulator';
export { ExecutorSetupError } from './engine/remote';
export { LocalContainerExecutor, ContainerSetupError, type LocalContainerExecutorConfig, type ContainerSettings } from './executors/local-container';
export { MemoryRunLogStore } from './stores/run-log/memory';
export { FileSystemRunLogStore, type FileSystemRunLogStoreConfig } from './stores/run-log/file-system';
export { ChunkedFsRunLogStore } from './stores/run-log/chunked-fs';
export type { Catalog, StoredObject } from './stores/catalog/catalog';
export { MemoryCatalog } from './stores/catalog/memory';
export { FileSystemCatalog, type FileSystemCatalogConfig } from './stores/catalog/file-system';
export type { RunLog, StepLog, StepAttempt, BranchLog, Parameter, DataCatalog, CodeIdentity, RunStatus, CachedFrom } from './stores/run-log/types';
export {
  RunnableError,
  TaskDefinitionError,
  PipelineDefinitionError,
  ReturnsMismatchError,
  NotSerializableError,
  ParameterError,
  ParameterValidationError,
  type ParameterProblem,
  ArtifactError,
  RunLogExistsError,
  RunLogNotFoundError,
  ExecutionFailedError,
  StepTimeoutError,
  StepExitError,
  StepNeverSettledError,
  IntegrityError,
  SecretLeakError,
  RunOwnedError,
  RunLogIntegrityError,
  ValueTooLargeError,
} from './errors';
