/**
 * Type-level rules of the composite steps (parallel, map, conditional, loop). Each check evaluates to the step
 * itself when it holds and to a readable '✖ ...' message otherwise, so tsc reports the error at the offending
 * branch or option.
 */
import type { Accepts, Entry, StepIn, StepOut, StepProblem, ToEntries } from './steps';

/** Names in scope whose value is an array. */
export type ArrayKeys<C extends Entry> = C extends { k: infer K; v: infer V } ? ([V] extends [readonly unknown[]] ? K : never) : never;

/** The element type of the array named O in scope. */
export type ElementOf<C extends Entry, O> = Extract<C, { k: O }>['v'] extends readonly (infer E)[] ? E : never;

export type MapOverCheck<C extends Entry, O extends string, Name extends string> = O extends ArrayKeys<C>
  ? O
  : O extends C['k']
    ? NoInfer<`✖ ${Named<'map', Name>}: 'over' must name an array, but '${O}' is ${TypeName<Extract<C, { k: O }>['v']>}`>
    : NoInfer<`✖ ${Named<'map', Name>}: 'over' names '${O}', which no earlier step returns and is not a pipeline parameter`>;

type TypeName<T> = [T] extends [string]
  ? 'a string'
  : [T] extends [number]
    ? 'a number'
    : [T] extends [boolean]
      ? 'a boolean'
      : [T] extends [undefined]
        ? 'undefined'
        : 'not an array';

/** Replaces (or adds) one entry of the context. */
export type WithEntry<C extends Entry, K extends PropertyKey, V> = (C extends { k: K } ? never : C) | { k: K; v: V; a: Accepts<V> };

/** Union of the output entries of every branch (a name returned by several branches gets the union of their types). */
export type BranchesEntries<B> = { [K in keyof B]: ToEntries<StepOut<B[K]>> }[keyof B];

/** Output names present in every branch, each with the union of its types. */
export type CommonOut<B> = {
  [K in AllOutKeys<B> as [MissingIn<B, K>] extends [never] ? K : never]: { [J in keyof B]: K extends keyof StepOut<B[J]> ? StepOut<B[J]>[K] : never }[keyof B];
};
type MissingIn<B, K> = { [J in keyof B]: K extends keyof StepOut<B[J]> ? never : J }[keyof B];

/**
 * The value of a conditional's `on` must be able to take only the branch keys. (Messages name one offending
 * value each: tsc lists one message per value that has no branch.)
 */
export type ConditionalOnCheck<C extends Entry, On extends string, Keys extends string, Name extends string> = On extends C['k']
  ? undefined extends Extract<C, { k: On }>['v']
    ? NoInfer<`✖ ${Named<'conditional', Name>}: '${On}' may be undefined (it is optional); make it required, or give it a default and list it: params<P, '${On}'>({ ${On}: … })`>
    : [Extract<C, { k: On }>['v']] extends [string | number | boolean]
      ? [`${Extract<C, { k: On }>['v'] & (string | number | boolean)}`] extends [Keys]
        ? On
        : NoInfer<`✖ ${Named<'conditional', Name>}: '${On}' can be ${Quoted<Exclude<`${Extract<C, { k: On }>['v'] & (string | number | boolean)}`, Keys>>}, which is not a branch name; give '${On}' a type that is exactly the branch names (e.g. 'heads' | 'tails')`>
      : NoInfer<`✖ ${Named<'conditional', Name>}: '${On}' must be a string, number or boolean to choose a branch`>
  : NoInfer<`✖ ${Named<'conditional', Name>}: 'on' names '${On}', which no earlier step returns and is not a pipeline parameter`>;
type Quoted<S extends string> = string extends S ? 'any string' : `'${S}'`;

/** A reducer per returned name: receives the values of every iteration, in item order. */
export type Reducers<Out> = { [K in keyof Out]?: (values: Out[K][]) => unknown };

/** What a map adds to the context: each branch return as an array, or the reducer's result. */
export type MapOut<Out, R> = { [K in keyof Out]: K extends keyof R ? (R[K] extends (v: any) => infer X ? X : Out[K][]) : Out[K][] };

export type LoopBreakCheck<Out, Brk extends string, Name extends string> = Brk extends keyof Out
  ? [Out[Brk]] extends [boolean]
    ? Brk
    : NoInfer<`✖ ${Named<'loop', Name>}: 'breakOn' must name a boolean the branch returns, but '${Brk}' is ${TypeName<Out[Brk]>}`>
  : NoInfer<`✖ ${Named<'loop', Name>}: 'breakOn' names '${Brk}', which the branch does not return`>;

/** Every name some branch writes. */
export type AllOutKeys<B> = { [J in keyof B]: keyof StepOut<B[J]> }[keyof B];

/**
 * The entries a conditional adds: a name every branch writes has the union of the branches' types; a name only
 * some branches write is `old | new`, because when another branch runs it keeps its value from before the
 * conditional (`new | undefined` when there was none: the name may be absent).
 */
export type ConditionalNewEntries<C extends Entry, B> = {
  [K in AllOutKeys<B>]: ConditionalEntry<
    K,
    | { [J in keyof B]: K extends keyof StepOut<B[J]> ? StepOut<B[J]>[K] : never }[keyof B]
    | ([MissingIn<B, K>] extends [never] ? never : [Extract<C, { k: K }>] extends [never] ? undefined : Extract<C, { k: K }>['v'])
  >;
}[AllOutKeys<B>];
type ConditionalEntry<K, V> = { k: K; v: V; a: Accepts<V> };

/** A loop's scope from iteration 2 on: the scope before the loop, updated with what the branch returned. */
type LoopNextScope<C extends Entry, Out> = (C extends { k: keyof Out } ? never : C) | ToEntries<Out>;

/**
 * The loop branch is checked against the scope before the loop (iteration 1) and against that scope updated with
 * its own outputs (iteration 2 onwards receives what the previous iteration returned).
 */
export type LoopBranchCheck<C extends Entry, Br, N extends string> = [StepProblem<C, StepIn<Br>, `${Named<'loop', N>} branch: `>] extends [never]
  ? [StepProblem<LoopNextScope<C, StepOut<Br>>, StepIn<Br>, `${Named<'loop', N>} branch, from iteration 2 on (it receives what the previous iteration returned): `>] extends [never]
    ? Br
    : NoInfer<StepProblem<LoopNextScope<C, StepOut<Br>>, StepIn<Br>, `${Named<'loop', N>} branch, from iteration 2 on (it receives what the previous iteration returned): `>>
  : NoInfer<StepProblem<C, StepIn<Br>, `${Named<'loop', N>} branch: `>>;

/**
 * "map 'name'" in messages; just "map" when the name is not a literal type (a `string` variable): a message
 * containing `${string}` would be a template literal type, which tsc prints with escapes (\u2716) and placeholders.
 */
export type Named<Kind extends string, N extends string> = string extends N ? Kind : `${Kind} '${N}'`;
