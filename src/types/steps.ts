/**
 * Type-level data-flow proof for pipelines (type-design.md §3, §4).
 * The context is a FLAT UNION of `{ k, v }` entries, extended inline at each step; the error branch is
 * wrapped in NoInfer. Both are required for speed: other encodings hit TS2589 at ~100 steps.
 */

/** Phantom input/output types carried by function tasks and built pipelines. */
export interface StepTypes<In, Out> {
  readonly __in?: In;
  readonly __out?: Out;
}

export interface TaskInstance {
  run(...args: any[]): unknown;
}
export type TaskClass = abstract new (...args: any[]) => TaskInstance;
export type AnyStep = TaskClass | StepTypes<any, any>;

export type InputOfFn<F> = F extends (...a: infer A) => any
  ? A extends []
    ? {}
    : NonNullable<A[0]> extends object
      ? NonNullable<A[0]>
      : {}
  : never;
/** What a task's function produces: its (awaited) return value; for an async generator, the value it returns. */
export type OutputOfFn<F> = F extends (...a: any[]) => infer R ? (R extends AsyncGenerator<any, infer Ret, any> ? Ret : Awaited<R>) : never;

type AsRecord<O> = [O] extends [void | undefined] ? {} : O extends object ? O : {};

export type StepIn<S> = S extends TaskClass ? InputOfFn<InstanceType<S>['run']> : S extends StepTypes<infer I, any> ? I : never;
export type StepOut<S> = AsRecord<
  S extends TaskClass ? OutputOfFn<InstanceType<S>['run']> : S extends StepTypes<any, infer O> ? O : never
>;

export type Entry = { k: PropertyKey; v: unknown };
export type ToEntries<O> = { [K in keyof O]-?: { k: K; v: O[K] } }[keyof O];
export type FromEntries<C extends Entry> = { [E in C as E['k']]: E['v'] };
export type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

export type StepProblem<C extends Entry, In, Where extends string = ''> = [Exclude<RequiredKeys<In>, C['k']>] extends [never]
  ? {
      [K in keyof In & C['k']]-?: [Extract<C, { k: K }>['v']] extends [In[K]]
        ? never
        : { [P in `${Where}input '${K & string}' has an incompatible type`]: { expected: In[K]; provided: Extract<C, { k: K }>['v'] } };
    }[keyof In & C['k']]
  : `✖ ${Where}missing input '${Exclude<RequiredKeys<In>, C['k']> & string}': no earlier step returns it and it is not a pipeline parameter`;

/** S itself when its inputs are satisfied by the context, the error otherwise. */
export type CheckStep<C extends Entry, S, Where extends string = ''> = [StepProblem<C, StepIn<S>, Where>] extends [never]
  ? S
  : NoInfer<StepProblem<C, StepIn<S>, Where>>;

/**
 * One step of a pipeline, as the compiler knows it: its name `n` (`string` when only known at run time: a `@Task`
 * class's name lives in decorator metadata, which types cannot see), its inputs `i` and outputs `o`. A pipeline
 * carries the union of its steps' entries (branches included) so that `runnable-ts/testing` can check mocks by name.
 */
export type StepEntry = { n: string; i: unknown; o: unknown };
/** The step name the compiler can see: the literal name of a `task()`/`shell()`/`stub()` step, else `string`. */
export type StepNameOf<S> = S extends { readonly __task: unknown; readonly name: infer N extends string } ? N : string;
