// A cache option is true, false or { version: string }; the configuration's cache section has only `enabled`.
import { defineConfig, task } from 'runnable-ts';

// @expect-error Type 'string' is not assignable to type 'CacheOption | undefined'
export const a = task(() => ({ x: 1 }), { name: 'a', returns: ['x'], cache: 'yes' });

// @expect-error Type 'number' is not assignable to type 'string'
export const b = task(() => ({ x: 1 }), { name: 'b', returns: ['x'], cache: { version: 2 } });

// @expect-error Object literal may only specify known properties, and 'ttl' does not exist in type
export const c = defineConfig({ cache: { enabled: true, ttl: 5 } });
