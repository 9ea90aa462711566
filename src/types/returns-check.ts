/**
 * Type-level check of a task's `run()` result against its declared `returns`.
 * Each failing case evaluates to a string literal that tsc prints as the expected parameter type,
 * so the message the user sees is ours (type-design.md §2).
 */
import type { ReturnEntry, ReturnSpec } from '../sdk/returns';

type EntryName<E> = E extends string ? E : E extends ReturnSpec<infer N, any> ? N : never;
export type NamesOf<R extends readonly ReturnEntry[]> = EntryName<R[number]>;
type JsonNames<R extends readonly ReturnEntry[]> =
  | Extract<R[number], string>
  | EntryName<Extract<R[number], ReturnSpec<string, 'json'>>>;
type MetricNames<R extends readonly ReturnEntry[]> = EntryName<Extract<R[number], ReturnSpec<string, 'metric'>>>;

type Primitive = string | number | boolean | null;
type Depth = [never, 0, 1, 2, 3, 4, 5, 6];

/** true when T is a JSON-like value (checked to a bounded depth; deeper levels are accepted). */
export type IsJsonLike<T, D extends number = 6> = [D] extends [never]
  ? true
  : 0 extends 1 & T
    ? true // any: the user opted out of checking (e.g. JSON.parse); the run-time check still applies
  : T extends Primitive
    ? true
    : T extends undefined
      ? false
      : T extends (...args: any[]) => any
        ? false
        : T extends bigint | symbol | Date | Map<any, any> | Set<any> | RegExp | ArrayBufferView | ArrayBuffer
          ? false
          : T extends readonly (infer E)[]
            ? IsJsonLike<E, Depth[D]>
            : T extends object
              ? false extends { [K in keyof T]-?: IsJsonLike<Exclude<T[K], undefined>, Depth[D]> }[keyof T]
                ? false
                : true
              : false;

type JsonProblems<Out, J extends PropertyKey> = {
  [K in J & keyof Out]: false extends IsJsonLike<Out[K]> ? `✖ return '${K & string}' is not JSON-serialisable: declare it as pickled('${K & string}')` : never;
}[J & keyof Out];

type MetricProblems<Out, M extends PropertyKey> = {
  [K in M & keyof Out]: [Out[K]] extends [number] ? never : `✖ metric('${K & string}') must be a number`;
}[M & keyof Out];

type JsonAndMetricCheck<Out, J extends PropertyKey, M extends PropertyKey> =
  [JsonProblems<Out, J> | MetricProblems<Out, M>] extends [never] ? true : JsonProblems<Out, J> | MetricProblems<Out, M>;

/**
 * false when some name is not a literal (`model_${string}`, `string`: names computed at run time, as when tasks are
 * made in a loop), whose presence the compiler cannot check: `{}` satisfies a record keyed by such a name.
 */
type AllLiteral<N extends PropertyKey> = [N] extends [never] ? true : {} extends Record<N, 1> ? false : true;

export type ReturnsCheck<Out, R extends readonly ReturnEntry[]> = AllLiteral<NamesOf<R>> extends false
  ? true // computed names: checked at run time (every declared name present, none undeclared)
  : [NamesOf<R>] extends [never]
  ? [Out] extends [void | undefined | Record<string, never>]
    ? true
    : `✖ run() returns a value but 'returns' is empty: declare the names it returns`
  : [Out] extends [object]
    ? Out extends readonly unknown[]
      ? `✖ run() must return an object keyed by the declared returns, not an array`
      : string extends keyof Out
        ? `✖ run() must return an object with the declared names as keys (${NamesOf<R>}), not an index signature such as Record<string, ...>`
      : [Exclude<NamesOf<R>, keyof Out>] extends [never]
        ? [Exclude<keyof Out, NamesOf<R>>] extends [never]
          ? [OptionalKeys<Out>] extends [never]
            ? JsonAndMetricCheck<Out, JsonNames<R>, MetricNames<R>>
            : `✖ run() may leave out '${OptionalKeys<Out> & string}' (it is optional in the return type, or missing from some return statements): return every declared name on every path, with null for no value`
          : `✖ run() returns '${Exclude<keyof Out, NamesOf<R>> & string}' which is not declared in returns`
        : `✖ run() must return an object with key '${Exclude<NamesOf<R>, keyof Out> & string}' (declared in returns)`
    : `✖ run() must return an object keyed by the declared returns { ${NamesOf<R>}: ... }`;

/** Keys that some member of Out marks optional (`b?: …`, or `cond ? { a, b } : { a }`, which TS widens to `b?: undefined`). */
type OptionalKeys<Out> = Out extends unknown ? { [K in keyof Out]-?: {} extends Pick<Out, K> ? K : never }[keyof Out] : never;

/** true when F has several call signatures (an overloaded method): compares the last two, which TS infers. */
type Overloaded<F> = F extends { (...a: infer A1): infer R1; (...a: infer A2): infer R2 }
  ? [[A1, R1]] extends [[A2, R2]]
    ? [[A2, R2]] extends [[A1, R1]]
      ? false
      : true
    : true
  : false;

/** Problems with run()'s signature itself, as a '✖ …' message, or true. */
export type RunSignatureCheck<F> = true extends Overloaded<F>
  ? `✖ run() is overloaded: the pipeline can check only one signature. Give run() a single signature (one input object type)`
  : F extends (...a: infer A) => any
    ? A extends readonly [any, any, ...any[]]
      ? `✖ run() has a second required parameter, which the engine never passes: run() receives one object with its inputs`
      : true
    : `✖ run must be a method`;
