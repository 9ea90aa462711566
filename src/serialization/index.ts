import { SuperJSON } from '../vendor/superjson';
import { TaskDefinitionError } from '../errors';

/**
 * superjson set-up for pickled values. One instance for the process: registrations made by decorators at import
 * time are visible to every run (and to any process that imports the same pipeline file).
 */
const sj = new SuperJSON();

type Ctor = abstract new (...args: any[]) => unknown;
type Registration = { kind: 'class' } | { kind: 'custom' };
const registry = new Map<Function, Registration>();
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

sj.registerCustom<Buffer, string>(
  { isApplicable: (v): v is Buffer => Buffer.isBuffer(v), serialize: (v) => v.toString('base64'), deserialize: (v) => Buffer.from(v, 'base64') },
  'runnable-ts.Buffer',
);
registry.set(Buffer, { kind: 'custom' });

/**
 * Class decorator: instances of the class can be returned as `pickled(...)` values and come back as instances
 * (own enumerable properties are serialized; the prototype is restored on load). Nested values must be
 * serializable too. `id` defaults to the class name; give one when two classes share a name.
 */
export function Serializable(id?: string) {
  return function <C extends Ctor>(cls: C): void {
    const identifier = id ?? cls.name;
    claim(identifier, cls);
    sj.registerClass(cls as any, { identifier });
    registry.set(cls, { kind: 'class' });
  };
}

/**
 * Registers a class whose instances need their own conversion, typically a third-party class (a trained model
 * with `toJSON()` / `load()`): `registerSerializer(RandomForestClassifier, { serialize: m => m.toJSON(), deserialize: RandomForestClassifier.load })`.
 * `serialize` must return a JSON value.
 */
export function registerSerializer<T, J>(
  cls: abstract new (...args: any[]) => T,
  how: { serialize: (value: T) => J; deserialize: (json: J) => T },
  id: string = cls.name,
): void {
  claim(id, cls);
  sj.registerCustom<T, any>(
    { isApplicable: (v): v is T => v instanceof (cls as any), serialize: (v) => how.serialize(v) as any, deserialize: (j) => how.deserialize(j as J) },
    id,
  );
  registry.set(cls, { kind: 'custom' });
}

const BUILTINS: Function[] = [Date, RegExp, Error, URL];

function registrationOf(value: object): Registration | 'builtin' | undefined {
  for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const reg = registry.get(proto.constructor);
    if (reg) return reg;
  }
  if (ArrayBuffer.isView(value)) return 'builtin';
  if (BUILTINS.some((b) => value instanceof b)) return 'builtin';
  return undefined;
}

/** Describes the first part of `value` that would not survive serialization, or undefined when all of it does. */
export function findUnserializable(value: unknown, path = '', seen = new Set<object>()): string | undefined {
  const at = path || '(the value itself)';
  switch (typeof value) {
    case 'function':
      return `a function at ${at}`;
    case 'symbol':
      return `a symbol at ${at}`;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null || seen.has(value)) return undefined;
  seen.add(value);
  const child = (key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findUnserializable(value[i], child(i), seen);
      if (p) return p;
    }
    return undefined;
  }
  if (value instanceof Map) {
    let i = 0;
    for (const [k, v] of value) {
      const p = findUnserializable(k, `${path}<map key #${i}>`, seen) ?? findUnserializable(v, child(`<map value #${i}>`), seen);
      if (p) return p;
      i++;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const v of value) {
      const p = findUnserializable(v, `${path}<set item #${i++}>`, seen);
      if (p) return p;
    }
    return undefined;
  }
  if (value instanceof ArrayBuffer) return `an ArrayBuffer at ${at} (wrap it in a Uint8Array or Buffer)`;
  if (value instanceof Promise) return `a Promise at ${at} (await it before returning)`;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const reg = registrationOf(value);
    if (!reg) {
      const name = proto?.constructor?.name || 'anonymous class';
      return `an instance of class ${name} at ${at}, which is not registered. Decorate the class with @Serializable(), or register a conversion with registerSerializer(${name}, { serialize, deserialize })`;
    }
    if (reg !== 'builtin' && reg.kind === 'custom') return undefined;
    if (reg === 'builtin') return undefined;
  }
  for (const key of Object.keys(value)) {
    const p = findUnserializable((value as Record<string, unknown>)[key], child(key), seen);
    if (p) return p;
  }
  return undefined;
}

export const PICKLE_EXTENSION = '.superjson';

export function serialize(value: unknown): string {
  return sj.stringify(value as any);
}

export function deserialize<T = unknown>(text: string): T {
  return sj.parse<T>(text);
}
