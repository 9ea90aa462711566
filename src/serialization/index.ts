import { SuperJSON } from '../vendor/superjson';
import { TaskDefinitionError } from '../errors';
import { checkAndEncode, decode, encode, findProblem, type CodecRegistry, type CustomConversion } from './codec';
import type { AnyArgs } from '../types/any';

/** A JSON value as superjson's custom conversions declare it (superjson does not export the type). */
type JSONValue = Parameters<SuperJSON['registerCustom']>[0] extends { serialize: (v: never) => infer O } ? O : never;

/**
 * superjson set-up for pickled values. One instance for the process: registrations made by decorators at import
 * time are visible to every run (and to any process that imports the same pipeline file).
 */
const sj = new SuperJSON();
/** The same registrations, as the fast codec reads them (mirrors superjson's registries, which it falls back to). */
const codec: CodecRegistry = { sj, classIds: new Map(), classById: new Map(), customs: new Map() };

function addCustom(name: string, c: CustomConversion): void {
  codec.customs.set(name, c); // superjson: a name registered again replaces the conversion, in place
}

type Ctor = abstract new (...args: AnyArgs) => unknown;
const identifiers = new Map<string, Function>();

function claim(id: string, cls: Function): void {
  const prev = identifiers.get(id);
  if (prev && prev !== cls) {
    throw new TaskDefinitionError(
      `Serializable id '${id}' is used by two different classes (${prev.name} and ${cls.name}). Pass a unique id: @Serializable('my-package.${cls.name}')`,
    );
  }
  identifiers.set(id, cls);
}

const bufferConversion = { isApplicable: (v: unknown): v is Buffer => Buffer.isBuffer(v), serialize: (v: Buffer) => v.toString('base64'), deserialize: (v: string) => Buffer.from(v, 'base64') };
sj.registerCustom<Buffer, string>(bufferConversion, 'runnable-ts.Buffer');
addCustom('runnable-ts.Buffer', bufferConversion as CustomConversion);

/**
 * Class decorator: instances of the class can be returned as `pickled(...)` values and come back as instances
 * (own enumerable properties are serialized; the prototype is restored on load). Nested values must be
 * serializable too. `id` defaults to the class name; give one when two classes share a name.
 */
export function Serializable(id?: string) {
  return function <C extends Ctor>(cls: C): void {
    const identifier = id ?? cls.name;
    claim(identifier, cls);
    sj.registerClass(cls as unknown as Parameters<SuperJSON['registerClass']>[0], { identifier });
    if (!codec.classIds.has(cls)) {
      // superjson keeps the first identifier of a class registered twice
      codec.classIds.set(cls, identifier);
      codec.classById.set(identifier, cls);
    }
  };
}

/**
 * Registers a class whose instances need their own conversion, typically a third-party class (a trained model
 * with `toJSON()` / `load()`): `registerSerializer(RandomForestClassifier, { serialize: m => m.toJSON(), deserialize: RandomForestClassifier.load })`.
 * `serialize` must return a JSON value.
 */
export function registerSerializer<T, J>(
  cls: abstract new (...args: AnyArgs) => T,
  how: { serialize: (value: T) => J; deserialize: (json: J) => T },
  id: string = cls.name,
): void {
  claim(id, cls);
  const conversion = { isApplicable: (v: unknown): v is T => v instanceof cls, serialize: (v: T) => how.serialize(v) as JSONValue, deserialize: (j: unknown) => how.deserialize(j as J) };
  sj.registerCustom<T, JSONValue>(conversion, id);
  addCustom(id, conversion as CustomConversion);
}

/**
 * Describes the first part of `value` that would not survive serialization, or undefined when all of it does.
 * `path` names the value in the description (e.g. the return's name); the path of the part is built only when one
 * is found.
 */
export function findUnserializable(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return findProblem(codec, value, path);
  // The walk that checks an object also encodes it: the engine checks a step's pickled returns, then pickles them
  // (serialize below takes the text), so each value is walked once, as it was when the step returned it.
  const r = checkAndEncode(codec, value, path);
  if ('problem' in r) return r.problem;
  encodedByCheck.set(value, r.text);
  return undefined;
}

/** Texts encoded by findUnserializable, taken (once) by serialize. */
const encodedByCheck = new WeakMap<object, string>();

export const PICKLE_EXTENSION = '.superjson';

/** superjson text for a value (superjson's own `parse` reads it back; see ./codec.ts for how it is written fast). */
export function serialize(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const text = encodedByCheck.get(value);
    if (text !== undefined) {
      encodedByCheck.delete(value);
      return text;
    }
  }
  return encode(codec, value);
}

/** Reads superjson text (written by {@link serialize} or by superjson itself). */
export function deserialize<T = unknown>(text: string): T {
  return decode<T>(codec, text);
}
