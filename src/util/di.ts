/**
 * tsyringe, loaded on first use. Through its `tslib` dependency, loading tsyringe defines tslib's helpers
 * (`__decorate`, `__metadata`, ...) as globals, so importing runnable-ts must not load it: the first decorated task
 * class or the first run does.
 */
import type * as Tsyringe from 'tsyringe';

let loaded: typeof Tsyringe | undefined;

export function tsyringe(): typeof Tsyringe {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('tsyringe') as typeof Tsyringe;
  return loaded;
}

/** tsyringe's `@inject(token)` parameter decorator (re-exported by runnable-ts). */
export const inject: typeof Tsyringe.inject = ((...args: Parameters<typeof Tsyringe.inject>) => tsyringe().inject(...args)) as typeof Tsyringe.inject;

/** tsyringe's `@injectable()` class decorator (re-exported by runnable-ts). */
export const injectable: typeof Tsyringe.injectable = ((...args: Parameters<typeof Tsyringe.injectable>) =>
  tsyringe().injectable(...args)) as typeof Tsyringe.injectable;
