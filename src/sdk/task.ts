import 'reflect-metadata';
import { injectable } from '../util/di';
import type { ReturnEntry, ReturnSpec } from './returns';
import { normalizeReturns } from './returns';
import type { ReturnsCheck, RunSignatureCheck } from '../types/returns-check';
import type { InputOfFn, OutputOfFn, StepTypes, TaskClass } from '../types/steps';
import { TaskDefinitionError } from '../errors';
import { definingFile } from './source';
import type { AnyArgs, AnyInput } from '../types/any';

export interface CatalogSpec {
  /** Glob patterns copied from the run's catalog into the working directory before the step runs. */
  get?: readonly string[];
  /** Glob patterns copied from the working directory into the run's catalog after the step succeeds. */
  put?: readonly string[];
  /** false: record names and hashes of `put` files without copying them. Default true. */
  storeCopy?: boolean;
}

/**
 * The step cache of one step (docs/caching.md): `cache: true` reuses the outputs of an earlier successful run that
 * executed this step on the same inputs with the same code; `cache: { version: '2' }` also does, and bumping the
 * version string invalidates what was cached (for changes the fingerprint cannot see: a data file read directly, a
 * service called). `cache: false` never caches the step, even with `--cache` or `cache: { enabled: true }` in the
 * configuration.
 */
export type CacheOption = boolean | CacheSpec;
export interface CacheSpec {
  /** Free text that is part of the fingerprint: change it to invalidate what this step cached. */
  version?: string;
}

export interface RetrySpec {
  /** Total attempts including the first one (1 = no retry). */
  maxAttempts: number;
  /** Wait between attempts, in milliseconds. */
  backoffMs?: number;
}

/** Options shared by `@Task`, `task()` and `.step()`. */
export interface StepOptions {
  catalog?: CatalogSpec;
  secrets?: readonly string[];
  retry?: RetrySpec;
  /**
   * Per executor type, the name of an `overrides` block of that executor's configuration to use for this step
   * (another image, resources, environment, deadline): `{ 'local-container': 'gpu', argo: 'gpu' }` selects
   * `executor.config.overrides.gpu`. Executors that run steps in this process ignore it.
   */
  overrides?: Readonly<Record<string, string>>;
  /**
   * Milliseconds an attempt may take. Past it the attempt fails with a `StepTimeoutError` (a shell step's processes
   * are killed); the next attempt (`retry`) or `onFailure` runs as for any failure. Synchronous code cannot be
   * interrupted: an attempt that returns late without yielding fails when it returns. Default: no limit.
   */
  timeout?: number;
  /** Step cache (docs/caching.md): `true`, `{ version: '2' }`, or `false` to never cache this step. */
  cache?: CacheOption;
}

export interface TaskOptions<R extends readonly ReturnEntry[]> extends StepOptions {
  /** The step name in the run log. Defaults to the class name. */
  name?: string;
  returns?: R;
}

/** What the engine needs to run a task; attached to classes as metadata and to function tasks directly. */
export interface TaskDefinition {
  readonly kind: 'class' | 'function' | 'shell' | 'stub';
  readonly name: string;
  readonly returns: readonly ReturnSpec[];
  readonly options: StepOptions;
  /** The class (kind 'class') or the function (kind 'function'); unused for shell and stub steps. */
  readonly target: Function;
  /** The command of a shell step. */
  readonly command?: string;
  /**
   * The file of the module that defined the task (where `@Task`/`task()` was called), when it could be told: its
   * source and the local modules it imports are the code the step cache fingerprints.
   */
  readonly source?: string;
}

const TASK_META = Symbol.for('runnable-ts.task');

export function validateName(name: string, where: string): string {
  if (!name) throw new TaskDefinitionError(`${where}: the step name is empty; give it a name ({ name: 'load_data' })`);
  if (/[.%]/.test(name)) {
    throw new TaskDefinitionError(`${where}: step name '${name}' contains '.' or '%'; these separate run-log paths. Rename it (e.g. '${name.replace(/[.%]/g, '_')}')`);
  }
  if (/[/\\]/.test(name)) {
    throw new TaskDefinitionError(`${where}: step name '${name}' contains '/' or '\\'; step names become file names in the run log and catalog. Rename it (e.g. '${name.replace(/[/\\]/g, '_')}')`);
  }
  return name;
}

export function validateReturns(returns: readonly ReturnSpec[], where: string): void {
  const seen = new Set<string>();
  for (const r of returns) {
    if (!r.name) throw new TaskDefinitionError(`${where}: a return has an empty name`);
    if (seen.has(r.name)) throw new TaskDefinitionError(`${where}: return '${r.name}' is declared twice`);
    if (r.name === '__proto__' || r.name === 'constructor' || r.name === 'prototype') {
      throw new TaskDefinitionError(`${where}: return name '${r.name}' is not allowed: __proto__, constructor and prototype are reserved by JavaScript objects, so the value would be lost. Rename it.`);
    }
    seen.add(r.name);
  }
}

/**
 * Fails loudly at import time when decorator metadata is missing: tsx/esbuild drop emitDecoratorMetadata,
 * and tsyringe would then throw obscure errors or silently inject undefined.
 */
function assertInjectable(cls: Function, label: string): void {
  if (cls.length === 0) return;
  const types: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', cls);
  const tokens: Record<number, unknown> = Reflect.getOwnMetadata('injectionTokens', cls) ?? {};
  for (let i = 0; i < cls.length; i++) {
    if (tokens[i] !== undefined) continue;
    if (!types) {
      throw new TaskDefinitionError(
        `@Task ${label}: constructor parameter #${i} has no type metadata. The TypeScript loader dropped emitDecoratorMetadata ` +
          `(tsx and esbuild do). Run pipelines with 'runnable run', or load them with 'node -r runnable-ts/register', ` +
          `or give every constructor parameter an explicit @inject(token).`,
      );
    }
    if (types[i] === undefined || types[i] === Object) {
      throw new TaskDefinitionError(
        `@Task ${label}: constructor parameter #${i} is typed with an interface, a type alias or a class imported through an import cycle ` +
          `(its metadata is 'Object'), so it cannot be injected. Add @inject(TOKEN) to it (e.g. @inject(CATALOG) for the catalog).`,
      );
    }
  }
}

type TaskTarget<C extends TaskClass, R extends readonly ReturnEntry[]> =
  RunSignatureCheck<InstanceType<C>['run']> extends true
    ? ReturnsCheck<OutputOfFn<InstanceType<C>['run']>, R> extends true ? C : ReturnsCheck<OutputOfFn<InstanceType<C>['run']>, R>
    : RunSignatureCheck<InstanceType<C>['run']>;

/**
 * Class decorator: the class becomes a pipeline step. `run(input)` receives one object with the values it reads
 * (destructure it) and returns an object keyed by the declared `returns`. The class is resolved by tsyringe, so
 * its constructor can ask for services.
 */
export function Task<const R extends readonly ReturnEntry[] = []>(opts: TaskOptions<R> = {}) {
  return function <C extends TaskClass>(target: TaskTarget<C, R>): void {
    const cls = target as unknown as Function;
    const label = cls.name || '(anonymous class)';
    if (typeof cls !== 'function' || typeof (cls.prototype as { run?: unknown }).run !== 'function') {
      throw new TaskDefinitionError(
        `@Task ${label}: the class has no run() method (an arrow-function property 'run = (…) => …' is not a method: write 'run(…) { … }')`,
      );
    }
    const name = validateName(opts.name ?? cls.name, `@Task ${label}`);
    const returns = normalizeReturns(opts.returns);
    validateReturns(returns, `@Task ${label}`);
    assertInjectable(cls, label);
    injectable()(cls as unknown as new (...args: AnyArgs) => unknown);
    const source = definingFile();
    const def: TaskDefinition = { kind: 'class', name, returns, options: pickStepOptions(opts), target: cls, ...(source && { source }) };
    Reflect.defineMetadata(TASK_META, def, cls);
  };
}

export function pickStepOptions(o: StepOptions): StepOptions {
  const out: StepOptions = {};
  if (o.catalog) out.catalog = o.catalog;
  if (o.secrets) out.secrets = o.secrets;
  if (o.retry) out.retry = o.retry;
  if (o.overrides) out.overrides = o.overrides;
  if (o.timeout !== undefined) {
    if (typeof o.timeout !== 'number' || !Number.isFinite(o.timeout) || o.timeout <= 0) {
      throw new TaskDefinitionError(`timeout must be a positive number of milliseconds, got ${String(o.timeout)}`);
    }
    out.timeout = o.timeout;
  }
  if (o.cache !== undefined) {
    const c = o.cache as unknown;
    const ok = typeof c === 'boolean' || (!!c && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).every((k) => k === 'version') && ['string', 'undefined'].includes(typeof (c as CacheSpec).version));
    if (!ok) throw new TaskDefinitionError(`cache must be true, false or { version: '<text>' }, got ${JSON.stringify(c)}`);
    out.cache = o.cache;
  }
  return out;
}

/** A function turned into a step by `task()`. Carries its name and input/output types for the pipeline builder. */
export interface FnTask<N extends string, In, Out> extends StepTypes<In, Out> {
  readonly __task: TaskDefinition;
  readonly name: N;
}

/** Turns a plain function `(input) => ({ ...returns })` (sync or async) into a pipeline step. */
export function task<F extends (input: AnyInput) => unknown, const N extends string, const R extends readonly ReturnEntry[] = []>(
  fn: RunSignatureCheck<F> extends true ? (ReturnsCheck<OutputOfFn<F>, R> extends true ? F : ReturnsCheck<OutputOfFn<F>, R>) : RunSignatureCheck<F>,
  opts: TaskOptions<R> & { name: N },
): FnTask<N, InputOfFn<F>, OutputOfFn<F>> {
  if (typeof fn !== 'function') throw new TaskDefinitionError(`task('${opts?.name}'): the first argument must be a function`);
  const name = validateName(opts.name, `task('${opts.name}')`);
  const returns = normalizeReturns(opts.returns);
  validateReturns(returns, `task('${name}')`);
  const source = definingFile();
  const def: TaskDefinition = { kind: 'function', name, returns, options: pickStepOptions(opts), target: fn as Function, ...(source && { source }) };
  return { __task: def, name } as FnTask<N, InputOfFn<F>, OutputOfFn<F>>;
}

/** The task definition of a `@Task` class or a `task()` object, or undefined when it is neither. */
export function getTaskDefinition(step: unknown): TaskDefinition | undefined {
  if (typeof step === 'function') return Reflect.getOwnMetadata(TASK_META, step) as TaskDefinition | undefined;
  if (step && typeof step === 'object' && '__task' in step) return (step as { __task: TaskDefinition }).__task;
  return undefined;
}
