/**
 * Type-level rules of pipeline parameters and of what `.step()` accepts.
 */
import type { IsJsonLike } from './returns-check';
import type { CheckStep, Entry } from './steps';
import type { InferSchemaOutput, ObjectSchema } from './standard-schema';

/** Why a parameter's type cannot be read from a parameters file (JSON/YAML) or an environment variable. */
type NotJsonReason<T> = T extends Date
  ? 'a Date (use an ISO date string)'
  : T extends Map<any, any> | Set<any>
    ? 'a Map or Set (use a plain object or an array)'
    : T extends (...args: any[]) => any
      ? 'a function'
      : T extends bigint
        ? 'a bigint (use a number or a string)'
        : T extends symbol
          ? 'a symbol'
          : T extends readonly unknown[]
            ? 'an array of values that are not JSON-like'
            : 'a class instance or an object with methods or non-JSON values';

/** The first problem with the parameter types, as a '✖ …' message, or never when every parameter is JSON-like. */
export type ParamsProblem<NP> = {
  [K in keyof NP]-?: false extends IsJsonLike<Exclude<NP[K], undefined>>
    ? `✖ parameter '${K & string}' is ${NotJsonReason<Exclude<NP[K], undefined>>}: parameters come from a JSON/YAML parameters file, RUNNABLE_PRM_ environment variables or defaults, so their types must be JSON-like (string, number, boolean, null, arrays, plain objects)`
    : never;
}[keyof NP];

/**
 * The type of `params()`'s `this`: only `pipeline(...)`'s builder, and only with JSON-like parameter types. A schema
 * given to the `params<P>(defaults)` form (because the schema form refused it) is judged by its output type: when no
 * form fits, TypeScript 7 reports only the last one's error, which must then name the parameter, not '~standard'.
 */
export type ParamsCheck<NP> = [NP] extends [ObjectSchema] ? PlainParamsCheck<InferSchemaOutput<NP>> : PlainParamsCheck<NP>;
type PlainParamsCheck<NP> = [ParamsProblem<NP>] extends [never] ? unknown : ParamsProblem<NP>;

/** What a pipeline reads from outside: its parameters, those with a default (D) optional. */
export type ParamsIn<NP, D extends keyof NP> = [D] extends [never] ? NP : Flatten<Omit<NP, D> & { [K in D]?: NP[K] }>;
type Flatten<T> = { [K in keyof T]: T[K] };

/** A built pipeline has the phantom `__out` plus `steps`/`execute`; tasks do not. */
type PipelineLike = { readonly __out?: unknown; readonly steps: readonly unknown[]; execute(...args: any[]): unknown };

/** The argument of `.step()`: a task checked against the scope; a built pipeline is refused with the way to nest it. */
export type TaskStepCheck<C extends Entry, S, K extends PropertyKey = C['k'], C2 extends Entry = never, K2 extends PropertyKey = never> = [S] extends [PipelineLike]
  ? NoInfer<`✖ a built pipeline is not a task: nest it as a branch, .parallel('name', { main: thatPipeline }), which checks its parameters against the scope`>
  : CheckStep<C, S, '', K, C2, K2>;
