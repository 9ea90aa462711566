/** How a step's named return is stored. */
export type ReturnKind = 'json' | 'pickled' | 'metric';

export interface ReturnSpec<N extends string = string, K extends ReturnKind = ReturnKind> {
  readonly name: N;
  readonly kind: K;
}

/** A plain string in `returns` is a JSON value kept in the run log. */
export type ReturnEntry = string | ReturnSpec;

/** Any value, serialized with superjson into the catalog; the run log keeps its name and hash. */
export const pickled = <const N extends string>(name: N): ReturnSpec<N, 'pickled'> => ({ name, kind: 'pickled' });
/** A number kept in the run log's metrics (`user_defined_metrics`) as well as in the parameters. */
export const metric = <const N extends string>(name: N): ReturnSpec<N, 'metric'> => ({ name, kind: 'metric' });
/** A JSON value kept inline in the run log (the same as a plain string). */
export const json = <const N extends string>(name: N): ReturnSpec<N, 'json'> => ({ name, kind: 'json' });

export function normalizeReturns(entries: readonly ReturnEntry[] | undefined): ReturnSpec[] {
  return (entries ?? []).map((e) => (typeof e === 'string' ? { name: e, kind: 'json' as const } : { name: e.name, kind: e.kind }));
}
