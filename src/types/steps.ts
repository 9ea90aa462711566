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

/**
 * What a task's function reads: its first parameter's object type (`undefined` left out when the parameter is
 * optional), `{}` when it has none or it is not an object. The parameter is inferred alone (`input: infer I`): an
 * `infer` of the whole parameter list builds a tuple type per step, measured as a sixth of an editor request on a
 * long chain (docs/type-safety.md, "Long pipelines").
 */
export type InputOfFn<F> = F extends (input: infer I, ...rest: any[]) => any ? (I extends object ? I : I extends null | undefined ? never : {}) : never;
/**
 * What a task's function produces: its (awaited) return value; for an async generator, the value it returns.
 * Written so that the common cases need no inference against a generic interface's methods, which is what costs
 * most in extracting a step's outputs (measured: docs/type-safety.md, "Long pipelines"): a value that is not an
 * async generator is told apart by one check against a closed type before `infer Ret` is tried, and the awaited
 * value comes from {@link Resolved}, not from `Awaited` directly.
 */
export type OutputOfFn<F> = F extends (...a: any[]) => infer R
  ? R extends AsyncGenerator<any, any, any>
    ? R extends AsyncGenerator<any, infer Ret, any>
      ? Ret
      : never
    : Resolved<R>
  : never;
/**
 * `Awaited<R>` for the values a `run()` returns: a `Promise<X>` is matched by its type argument (no inference
 * against `then`), a value that is not a thenable by one check against a closed type; `Awaited` itself runs only
 * for other thenables, and for a promise of a thenable.
 */
export type Resolved<R> = R extends Promise<infer X> ? (X extends PromiseLike<any> ? Awaited<X> : X) : R extends PromiseLike<any> ? Awaited<R> : R;

type AsRecord<O> = [O] extends [void | undefined] ? {} : O extends object ? O : {};

export type StepIn<S> = S extends TaskClass ? InputOfFn<InstanceType<S>['run']> : S extends StepTypes<infer I, any> ? I : never;
export type StepOut<S> = AsRecord<
  S extends TaskClass ? OutputOfFn<InstanceType<S>['run']> : S extends StepTypes<any, infer O> ? O : never
>;

export type Entry = { k: PropertyKey; v: unknown };
/**
 * Contravariant carrier of an entry's value type: `Accepts<A>` is assignable to `Accepts<B>` when B is assignable
 * to A. Each entry carries one (`a`), so that "is the value named K assignable to the input type X" is the single
 * assignability question `{ k: K; a: Accepts<X> } extends C`, which TS answers with one lookup: it indexes a union
 * of 10 or more object types by a unit-typed property (here `k`). Scanning the union instead (`Extract<C, { k: K }>`)
 * costs one conditional-type instantiation per name in scope, per input, per step: quadratic in the pipeline length.
 */
export interface Accepts<in T> {
  readonly accepts: (value: T) => void;
}
export type ToEntries<O> = { [K in keyof O]-?: { k: K; v: O[K]; a: Accepts<O[K]> } }[keyof O];
/**
 * Entries of a pipeline's own parameters. The `p` tag tells them apart from values produced by its steps (a step
 * that writes a parameter's name replaces the entry with an untagged one), so a branch's outputs are exactly what
 * its steps wrote, even a value of the same name and type as one of its parameters.
 */
export type ParamEntries<O> = { [K in keyof O]-?: ParamEntry<K, {} extends Pick<O, K> ? O[K] | undefined : O[K]> }[keyof O];
type ParamEntry<K, V> = { k: K; v: V; a: Accepts<V>; p: true };

/**
 * The probe of the name K: assignable to C when C's entry K has a value assignable to X. Asked only for names
 * known to be in scope (K, the union of the names, answers "is it there" by a binary search): a probe that fails
 * makes TS scan every entry.
 */
// (never, not any, for the other properties: never is assignable to every type, even to an entry typed never)
type Probe<K, X> = { k: K; v: never; a: Accepts<X>; p: never };
/** The entries written by steps (parameters that no step re-wrote are dropped). */
export type Produced<C extends Entry> = C extends { p: true } ? never : C;
export type FromEntries<C extends Entry> = { [E in C as E['k']]: E['v'] };
export type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

/** A type rendered as text for one-line messages, when it is simple enough to be spelled by a template literal. */
export type TypeText<T> = [T] extends [never]
  ? 'never'
  : 0 extends 1 & T
    ? 'any'
    : unknown extends T
      ? 'unknown'
      : [T] extends [readonly (infer E)[]]
        ? [E] extends [string | number | boolean | null | undefined]
          ? ArrayText<TypeText<E>>
          : 'an array'
        : JoinParts<[StringText<Extract<T, string>>, NumberText<Extract<T, number>>, BooleanText<Extract<T, boolean>>, [Extract<T, null>] extends [never] ? '' : 'null', [Extract<T, undefined>] extends [never] ? '' : 'undefined']>;
type ArrayText<E extends string> = E extends `${string} | ${string}` ? `(${E})[]` : `${E}[]`;
type IsUnionOf<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;
type StringText<S> = [S] extends [never] ? '' : string extends S ? 'string' : true extends IsUnionOf<S> ? 'a string literal union' : `'${S & string}'`;
type NumberText<N> = [N] extends [never] ? '' : number extends N ? 'number' : true extends IsUnionOf<N> ? 'a number literal union' : `${N & number}`;
type BooleanText<B> = [B] extends [never] ? '' : boolean extends B ? 'boolean' : `${B & boolean}`;
type JoinParts<P extends readonly string[], Acc extends string = ''> = P extends readonly [infer H extends string, ...infer R extends readonly string[]]
  ? JoinParts<R, H extends '' ? Acc : Acc extends '' ? H : `${Acc} | ${H}`>
  : Acc;
type Simple<T> = [T] extends [string | number | boolean | null | undefined | readonly (string | number | boolean)[]] ? true : false;

/**
 * One input whose type in scope does not fit. A one-line message when both types can be spelled out, the
 * `{ expected, provided }` pair otherwise (tsc then prints the two types itself).
 */
export type Mismatch<Where extends string, K, Expected, Provided> = [Simple<Expected>, Simple<Provided>] extends [true, true]
  ? `✖ ${Where}input '${K & string}' has an incompatible type: expected ${TypeText<Expected>}, got ${TypeText<Provided>}${[undefined] extends [Provided] ? ` (it may be absent: declare the input optional; for a parameter with a default, list it: params<P, 'name'>(defaults))` : ''}`
  : { [P in `✖ ${Where}input '${K & string}' has an incompatible type`]: { expected: Expected; provided: Provided } };

/**
 * What is wrong with a step's inputs in a scope, as '✖ …' messages; never when nothing is. The scope may come in two
 * parts, C (names K) and C2 (names K2), as the builder keeps it (see PipelineBuilder): a name is looked up in C2
 * first, where a step that re-wrote it put its new entry. A missing required input is reported before any type
 * clash. Each input costs one conditional per part it is looked up in; an absent one a `Pick` (is it optional?).
 */
export type StepProblem<C extends Entry, In, Where extends string = '', K extends PropertyKey = C['k'], C2 extends Entry = never, K2 extends PropertyKey = never> = string extends keyof In
  ? `✖ ${Where}run()'s input has an index signature (Record<string, …> or any): declare the names it reads, e.g. { df: Frame; n?: number }`
  : [MissingOf<In, K, K2>] extends [never]
    ? {
        [I in keyof In]-?: I extends K2
          ? Probe<I, In[I]> extends C2
            ? never
            : Mismatch<Where, I, In[I], Extract<C2, { k: I }>['v']>
          : I extends K
            ? Probe<I, In[I]> extends C
              ? never
              : Mismatch<Where, I, In[I], Extract<C, { k: I }>['v']>
            : never;
      }[keyof In]
    : MissingInput<Where, MissingOf<In, K, K2>>;
/** The required inputs whose names are in neither part of the scope. */
type MissingOf<In, K, K2> = { [I in keyof In]-?: I extends K2 ? never : I extends K ? never : {} extends Pick<In, I> ? never : I }[keyof In];
type MissingInput<Where extends string, M> = M extends string
  ? `✖ ${Where}missing input '${M}': no earlier step returns it and it is not a pipeline parameter (if run() gives it a default, declare it optional: '${M}?: …')`
  : never;

/** true when S is a union of several step types (e.g. `const Impl = cond ? Fast : Slow`). */
type IsUnion<S, U = S> = S extends unknown ? ([U] extends [S] ? false : true) : never;

/** S itself when its inputs are satisfied by the context, the error otherwise. */
export type CheckStep<C extends Entry, S, Where extends string = '', K extends PropertyKey = C['k'], C2 extends Entry = never, K2 extends PropertyKey = never> = true extends IsUnion<S>
  ? NoInfer<`✖ ${Where}the step's type is a union of several tasks (e.g. cond ? A : B): their inputs and outputs differ, so the data flow cannot be proved. Choose between them with .conditional(...), or give the variable one task type`>
  : [StepProblem<C, StepIn<S>, Where, K, C2, K2>] extends [never]
    ? S
    : NoInfer<StepProblem<C, StepIn<S>, Where, K, C2, K2>>;

/**
 * One step of a pipeline, as the compiler knows it: its name `n` (`string` when only known at run time: a `@Task`
 * class's name lives in decorator metadata, which types cannot see), its inputs `i` and outputs `o`. A pipeline
 * carries the union of its steps' entries (branches included) so that `runnable-ts/testing` can check mocks by name.
 */
export type StepEntry = { n: string; i: unknown; o: unknown };
/** The step name the compiler can see: the literal name of a `task()`/`shell()`/`stub()` step, else `string`. */
export type StepNameOf<S> = S extends { readonly __task: unknown; readonly name: infer N extends string } ? N : string;
