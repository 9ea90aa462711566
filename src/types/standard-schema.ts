/**
 * The Standard Schema v1 interface (https://standardschema.dev), written out here so that no schema library becomes
 * a dependency: zod (3.24+, 4), valibot (1), arktype (2) and others implement it. Types only; no runtime code.
 */

/** A schema: anything with a `~standard` property of this shape. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1Props<Input, Output>;
}

export interface StandardSchemaV1Props<Input = unknown, Output = Input> {
  /** The version of the Standard Schema specification (1). */
  readonly version: 1;
  /** The library that made the schema ('zod', 'valibot', ...). */
  readonly vendor: string;
  /** Validates a value: its output (coerced, defaults filled in) or its issues. May return a Promise. */
  readonly validate: (value: unknown) => StandardSchemaV1Result<Output> | Promise<StandardSchemaV1Result<Output>>;
  /** The schema's input and output types (for inference only; no runtime value). */
  readonly types?: StandardSchemaV1Types<Input, Output> | undefined;
}

export type StandardSchemaV1Result<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly StandardSchemaV1Issue[] };

export interface StandardSchemaV1Issue {
  readonly message: string;
  /** Where in the value: keys and indexes, each a property key or `{ key }`. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

export interface StandardSchemaV1Types<Input = unknown, Output = Input> {
  readonly input: Input;
  readonly output: Output;
}

/** What a schema accepts. */
export type InferSchemaInput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['input'];
/** What a schema produces: its output type, with defaults filled in and coercions applied. */
export type InferSchemaOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];
/** A Standard Schema of an object (what `.params(schema)` and `job(X, { params })` take). */
export type ObjectSchema = StandardSchemaV1<any, object>;
