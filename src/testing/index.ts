/**
 * runnable-ts/testing: helpers for testing pipelines and plugins (jest, vitest or any jest-compatible runner).
 * Importing it has no side effect and loads no test framework.
 *
 *  - runPipeline(pipeline, { params, mock, dryRun }): run in memory, get typed outputs, per-step results, the run log.
 *  - MockedExecutor: the `mocked` executor (also selectable in runnable.config.ts) for dry runs.
 *  - runRunLogStoreContract / runCatalogContract / runSecretsContract: the suites every implementation must pass.
 */
import 'reflect-metadata';
import '../engine/run';
import '../executors/builtins';

export {
  runPipeline,
  PipelineFailedError,
  type RunPipelineOptions,
  type PipelineRun,
  type StepResult,
  type Mocks,
  type StepMock,
  type TypedStepPatch,
  type KnownStepName,
} from './run';
export { MockedExecutor, PatchedFailure, type StepPatch, type MockedExecutorConfig, type MockedExecutorOptions } from '../executors/mocked';
export { MockError } from '../errors';
export type { StepEntry, StepNameOf } from '../types/steps';
export type { Executor } from '../executors/executor';
export { runRunLogStoreContract, newRunLog, stepLog, cacheEntry, type RunLogStoreFactoryResult } from './contracts/run-log-store';
export { runCatalogContract } from './contracts/catalog';
export { runSecretsContract } from './contracts/secrets';
export type { ContractOptions, ContractTestApi } from './contracts/test-api';
