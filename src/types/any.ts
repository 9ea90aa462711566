/*
 * The `any` that code outside src/types/ needs, named. The lint refuses `any` written anywhere else, so each use
 * is one of these and says why `unknown` would not do.
 */
import type { Pipeline } from '../sdk/pipeline';
import type { StepEntry } from './steps';

/**
 * A pipeline whatever its parameters and outputs: what the engine, the CLI and the executors handle. Their types
 * matter where a user builds and nests a pipeline (checked there), not when it is run.
 */
export type AnyPipeline = Pipeline<any, any>;

/** The steps of a pipeline nobody asked about (the default of Pipeline's `S`): accepts every pipeline's steps. */
export type AnySteps = any;

/** Arguments of a constructor or function of any signature: parameters are contravariant, only `any[]` accepts all. */
export type AnyArgs = any[];

/**
 * The input of a task function or mock before its own type is known. `unknown` would refuse every function with a
 * typed parameter, and `never` would give an unannotated `(input) => ...` the type `never`.
 */
export type AnyInput = any;

/** A Kubernetes/Argo manifest as plain JSON: a deep document read and written by path, checked by its schema. */
export type Manifest = Record<string, any>;

/** A plain JSON document read by path (a graph dump): its writer defines it, not the compiler. */
export type JsonDocument = Record<string, any>;

/** What a shell step outputs: untyped (a shell has no types), so the step that reads it states the type it expects. */
export type Untyped = any;

/** A module loaded at run time that runnable-ts does not depend on, so its types are not installed (the OpenTelemetry SDK). */
export type OptionalModule = any;

/** A pipeline with the steps `S`, whatever its parameters and outputs: for reading `S` back from a pipeline type. */
export type PipelineOfSteps<S extends StepEntry> = Pipeline<any, any, S>;
