import type { SuperJSON } from '../vendor/superjson';

/**
 * A fast encoder/decoder for superjson's text format, for the values pickled artifacts hold.
 *
 * One walk over the value finds parts that cannot be stored (same messages as before: they name the path, which is
 * only built when a problem is found) and decides how to encode it:
 *
 * - plain JSON data (arrays, plain objects, strings, booleans, null, finite numbers other than -0, no undefined, no
 *   object reached twice): `JSON.stringify({ json: value })`, byte for byte what superjson writes;
 * - values needing superjson metadata, built from the types this codec knows (Date, Map, Set, bigint, undefined,
 *   NaN/±Infinity/-0, typed arrays, Buffer, classes registered with `@Serializable()` / `registerSerializer`): the
 *   `json` part is the value itself where `JSON.stringify` already writes what superjson would (Dates among them, via
 *   `Date.prototype.toJSON`), copied only along the branches that hold a converted part, and `meta.values` is written
 *   in superjson's annotation format (version 1: `[type, children?]` trees keyed by escaped dotted paths);
 * - anything else (the same object reached twice or a cycle, Error/RegExp/URL values, keys superjson refuses,
 *   unknown typed arrays): superjson's own `stringify`, so the file is exactly what it always was.
 *
 * Decoding parses once; without `meta` the parsed `json` is the value (superjson's `parse` makes no copy either);
 * `meta.values` of the kinds above are applied in place; anything else (referential equalities, other versions,
 * other types) goes to superjson's own `parse`.
 */

/** The conversions registered for pickled values, in superjson's precedence order. */
export interface CodecRegistry {
  readonly sj: SuperJSON;
  /** `@Serializable` classes: the exact constructor → identifier (superjson matches the exact constructor). */
  readonly classIds: Map<Function, string>;
  readonly classById: Map<string, Function>;
  /** `registerSerializer` conversions (and Buffer), by name, in registration order (superjson tries them in order). */
  readonly customs: Map<string, CustomConversion>;
}

export interface CustomConversion {
  isApplicable(v: unknown): boolean;
  serialize(v: unknown): unknown;
  deserialize(j: unknown): unknown;
}

const SAME: unique symbol = Symbol('same');
type Rep = unknown | typeof SAME;

// Path segment kinds: how a value hangs from its parent.
const IDX = 0; // array element (also a typed array element)
const KEY = 1; // object property
const MAPK = 2; // key of the i-th Map entry
const MAPV = 3; // value of the i-th Map entry
const SETI = 4; // i-th item of a Set
const ROOT = 5;

const TYPED_ARRAYS: Record<string, new (xs: ArrayLike<number>) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  Uint8ClampedArray,
};

// Annotations are written as JSON text directly (no object with one key per annotated path to build and stringify).
const ANN_DATE = '["Date"]';
const ANN_NUMBER = '["number"]';
const ANN_UNDEFINED = '["undefined"]';
const ANN_BIGINT = '["bigint"]';

/** JSON text (without quotes) of escapeKey(key), cached: the same few keys repeat over many objects. */
const keyTexts = new Map<string, string>();
function keyText(key: string): string {
  let t = keyTexts.get(key);
  if (t === undefined) {
    t = JSON.stringify(escapeKey(key)).slice(1, -1);
    if (keyTexts.size < 10000) keyTexts.set(key, t);
  }
  return t;
}

/** A canonical array index ("0", "17"): such keys come first in a JS object, whatever the insertion order. */
function isIndexKey(k: string): boolean {
  const n = k.length;
  if (n === 0 || n > 10) return false;
  const c0 = k.charCodeAt(0);
  if (c0 < 48 || c0 > 57 || (c0 === 48 && n > 1)) return false;
  for (let i = 1; i < n; i++) {
    const c = k.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return +k <= 4294967294;
}
const DATE_TO_JSON = Date.prototype.toJSON;
const DATE_TO_ISO = Date.prototype.toISOString;

/** superjson's escapeKey: `\` → `\\`, `.` → `\.`. */
function escapeKey(key: string): string {
  return key.indexOf('.') < 0 && key.indexOf('\\') < 0 ? key : key.replace(/\\/g, '\\\\').replace(/\./g, '\\.');
}

function isForbiddenKey(k: string): boolean {
  return k === '__proto__' || k === 'constructor' || k === 'prototype';
}

/** Outcome of a walk. */
export type Analysis =
  | { kind: 'problem'; problem: string }
  | { kind: 'plain' }
  | { kind: 'meta'; json: unknown; values: string }
  | { kind: 'superjson' };

/**
 * One walk over `value`. `encode: false` only looks for problems (what `findUnserializable` needs); `encode: true`
 * also prepares the encoding and stops early when the value must go to superjson anyway.
 */
class Walk {
  /** Segments from the root to the object being walked (kinds and keys in parallel). */
  private readonly kinds: number[] = [];
  private readonly keys: (string | number)[] = [];
  private readonly seen = new Set<object>();
  /** Annotation holders: the root, and each converted object whose children have annotations. */
  private readonly hDepth: number[] = [0];
  /**
   * Per holder, the `"path":annotation` entries of its children: those whose path is an array index first (a JS
   * object, as superjson builds, lists them first in ascending order; they arrive in that order), then the others in
   * the order found.
   */
  private readonly hIndexed: (string[] | undefined)[] = [undefined];
  private readonly hOther: (string[] | undefined)[] = [undefined];
  private rootAnn: string | undefined;
  problem: string | undefined;
  /** encode mode: the value goes to superjson's own encoder (or has a problem); the walk stops. */
  stop = false;
  useSuperjson = false;
  annotated = false;
  private forbiddenKey = false;

  constructor(
    private readonly reg: CodecRegistry,
    private readonly rootPath: string,
    private readonly encode: boolean,
  ) {}

  run(value: unknown): Analysis {
    const rep = this.visit(value, ROOT, 0);
    if (this.problem !== undefined) return { kind: 'problem', problem: this.problem };
    if (!this.encode) return { kind: 'plain' };
    if (this.useSuperjson) return { kind: 'superjson' };
    if (!this.annotated) return { kind: 'plain' };
    if (this.forbiddenKey) return { kind: 'superjson' };
    return { kind: 'meta', json: rep === SAME ? value : rep, values: this.rootAnn ?? entriesText(this.hIndexed[0], this.hOther[0])! };
  }

  // ---- problems -------------------------------------------------------------------------------------------------

  private fail(what: string, kind: number, key: string | number, suffix = ''): typeof SAME {
    let p = this.rootPath;
    const seg = (k: number, key: string | number) => {
      switch (k) {
        case IDX:
          p = `${p}[${key}]`;
          break;
        case KEY:
          p = p ? `${p}.${key}` : String(key);
          break;
        case MAPK:
          p = `${p}<map key #${key}>`;
          break;
        case MAPV:
          p = p ? `${p}.<map value #${key}>` : `<map value #${key}>`;
          break;
        case SETI:
          p = `${p}<set item #${key}>`;
          break;
      }
    };
    for (let i = 0; i < this.kinds.length; i++) seg(this.kinds[i]!, this.keys[i]!);
    if (kind !== ROOT) seg(kind, key);
    this.problem = `${what} at ${p || '(the value itself)'}${suffix}`;
    this.stop = true;
    return SAME;
  }

  private bail(): typeof SAME {
    if (this.encode) {
      this.useSuperjson = true;
      this.stop = true;
    }
    return SAME;
  }

  // ---- annotations ----------------------------------------------------------------------------------------------

  /** Records the annotation (JSON text) of the value hanging from the current object as (kind, key). */
  private annotate(ann: string, kind: number, key: string | number): void {
    this.annotated = true;
    if (kind === ROOT) {
      this.rootAnn = ann;
      return;
    }
    const h = this.hDepth.length - 1;
    const from = this.hDepth[h]!;
    let rel = '"';
    for (let i = from; i < this.kinds.length; i++) rel += segment(this.kinds[i]!, this.keys[i]!) + '.';
    rel += segment(kind, key) + '":' + ann;
    const indexed = from === this.kinds.length && (kind === IDX || kind === SETI || (kind === KEY && isIndexKey(key as string)));
    if (indexed) (this.hIndexed[h] ??= []).push(rel);
    else (this.hOther[h] ??= []).push(rel);
  }

  private openHolder(): void {
    this.hDepth.push(this.kinds.length);
    this.hIndexed.push(undefined);
    this.hOther.push(undefined);
  }

  /** The annotation of a converted object: `[type]`, or `[type, {children}]`. */
  private closeHolder(type: string): string {
    this.hDepth.pop();
    const children = entriesText(this.hIndexed.pop(), this.hOther.pop());
    return children ? `[${type},${children}]` : `[${type}]`;
  }

  // ---- the walk -------------------------------------------------------------------------------------------------

  /** Visits one value hanging from its parent as (kind, key); returns its JSON replacement, or SAME. */
  private visit(v: unknown, kind: number, key: string | number): Rep {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return SAME;
      case 'number':
        return v - v === 0 && (v !== 0 || 1 / v > 0) ? SAME : this.special(v, kind, key);
      case 'object':
        return v === null ? SAME : this.object(v, kind, key);
      case 'undefined':
        if (!this.encode) return SAME;
        this.annotate(ANN_UNDEFINED, kind, key);
        return null;
      case 'bigint':
        if (!this.encode) return SAME;
        this.annotate(ANN_BIGINT, kind, key);
        return v.toString();
      case 'function':
        return this.fail('a function', kind, key);
      case 'symbol':
        return this.fail('a symbol', kind, key);
    }
    return SAME;
  }

  /** NaN, ±Infinity, -0. */
  private special(v: number, kind: number, key: string | number): Rep {
    if (!this.encode) return SAME;
    this.annotate(ANN_NUMBER, kind, key);
    return v !== v ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : '-0';
  }

  private enter(kind: number, key: string | number): void {
    this.kinds.push(kind);
    this.keys.push(key);
  }

  private leave(): void {
    this.kinds.pop();
    this.keys.pop();
  }

  private object(o: object, kind: number, key: string | number): Rep {
    const size = this.seen.size;
    this.seen.add(o);
    if (this.seen.size === size) return this.bail(); // reached twice (shared or a cycle): superjson records it
    if (Array.isArray(o)) {
      if (kind !== ROOT) this.enter(kind, key);
      const rep = this.array(o);
      if (kind !== ROOT) this.leave();
      return rep;
    }
    const proto = Object.getPrototypeOf(o);
    if (proto === Object.prototype || proto === null) {
      if (kind !== ROOT) this.enter(kind, key);
      const rep = this.plainObject(o as Record<string, unknown>);
      if (kind !== ROOT) this.leave();
      return rep;
    }
    return this.exotic(o, kind, key);
  }

  private array(a: unknown[]): Rep {
    let copy: unknown[] | undefined;
    const n = a.length;
    for (let i = 0; i < n; i++) {
      const x = a[i];
      let r: Rep = SAME;
      switch (typeof x) {
        case 'number':
          if (x - x !== 0 || (x === 0 && 1 / x < 0)) r = this.special(x, IDX, i);
          break;
        case 'string':
        case 'boolean':
          break;
        case 'undefined':
          // a hole: superjson skips it and JSON writes null (no annotation); an undefined element: JSON writes null
          if (this.encode && i in a) this.annotate(ANN_UNDEFINED, IDX, i);
          break;
        default:
          if (x !== null) r = this.visit(x, IDX, i);
      }
      if (this.stop) return SAME;
      if (r !== SAME) (copy ??= a.slice())[i] = r;
    }
    return copy ?? SAME;
  }

  private plainObject(o: Record<string, unknown>): Rep {
    let copy: Record<string, unknown> | undefined;
    const keys = Object.keys(o);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      // superjson refuses these keys in every object it walks; with metadata to write, it reports its own error
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') this.forbiddenKey = true;
      const x = o[k];
      let r: Rep;
      switch (typeof x) {
        case 'string':
        case 'boolean':
          r = SAME;
          break;
        case 'number':
          r = x - x === 0 && (x !== 0 || 1 / x > 0) ? SAME : this.special(x, KEY, k);
          break;
        default:
          r = x === null ? SAME : this.visit(x, KEY, k);
      }
      if (this.stop) return SAME;
      if (r !== SAME) (copy ??= { ...o })[k] = r;
    }
    return copy ?? SAME;
  }

  /** Objects whose prototype is neither Object.prototype nor null, nor arrays. superjson's order: class, custom, typed array, builtins. */
  private exotic(o: object, kind: number, key: string | number): Rep {
    const reg = this.reg;
    const ctor = (o as { constructor?: Function }).constructor;
    const classId = ctor === undefined ? undefined : reg.classIds.get(ctor);
    if (classId !== undefined) {
      if (!this.encode) return this.within(kind, key, () => this.plainObject(o as Record<string, unknown>));
      const copy = { ...(o as Record<string, unknown>) };
      return this.converted(JSON.stringify(['class', classId]), kind, key, () => {
        const r = this.plainObject(copy);
        return r === SAME ? copy : r;
      });
    }
    for (const [name, c] of reg.customs) {
      if (c.isApplicable(o)) {
        if (!this.encode) return SAME;
        this.annotate(`[${JSON.stringify(['custom', name])}]`, kind, key);
        return c.serialize(o);
      }
    }
    if (ArrayBuffer.isView(o)) {
      if (o instanceof DataView) return this.bail();
      return this.typedArray(o as unknown as ArrayLike<number> & ArrayBufferView, kind, key);
    }
    if (o instanceof Date) {
      if (!this.encode) return SAME;
      if (Number.isNaN(o.valueOf())) {
        // superjson leaves an invalid Date as it is: JSON writes null
        return o.toJSON === DATE_TO_JSON ? SAME : this.bail();
      }
      this.annotate(ANN_DATE, kind, key);
      return o.toJSON === DATE_TO_JSON && o.toISOString === DATE_TO_ISO ? SAME : o.toISOString();
    }
    if (o instanceof Map) return this.map(o, kind, key);
    if (o instanceof Set) return this.set(o, kind, key);
    if (o instanceof ArrayBuffer) return this.fail('an ArrayBuffer', kind, key, ' (wrap it in a Uint8Array or Buffer)');
    if (o instanceof Promise) return this.fail('a Promise', kind, key, ' (await it before returning)');
    // Registered by a base class only (superjson matches exact constructors): walked for problems, encoded by superjson
    const registered = this.registeredByChain(o);
    if (registered === 'class') {
      this.bail();
      return this.stop ? SAME : this.within(kind, key, () => this.plainObject(o as Record<string, unknown>));
    }
    if (o instanceof RegExp || o instanceof Error || o instanceof URL) return this.bail();
    const name = Object.getPrototypeOf(o)?.constructor?.name || 'anonymous class';
    return this.fail(
      `an instance of class ${name}`,
      kind,
      key,
      `, which is not registered. Decorate the class with @Serializable(), or register a conversion with registerSerializer(${name}, { serialize, deserialize })`,
    );
  }

  /** A `@Serializable` class found through the prototype chain (a subclass of a registered class). */
  private registeredByChain(o: object): 'class' | undefined {
    for (let proto = Object.getPrototypeOf(o); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      if (this.reg.classIds.has(proto.constructor)) return 'class';
    }
    return undefined;
  }

  private within(kind: number, key: string | number, body: () => Rep): Rep {
    if (kind !== ROOT) this.enter(kind, key);
    const r = body();
    if (kind !== ROOT) this.leave();
    return r;
  }

  /** A converted object whose converted form is walked (class, Map, Set, typed array with special numbers). */
  private converted(type: string, kind: number, key: string | number, body: () => unknown): Rep {
    if (kind !== ROOT) this.enter(kind, key);
    this.openHolder();
    const json = body();
    const ann = this.closeHolder(type);
    if (kind !== ROOT) this.leave();
    if (this.stop) return SAME;
    this.annotate(ann, kind, key);
    return json;
  }

  private map(m: Map<unknown, unknown>, kind: number, key: string | number): Rep {
    if (!this.encode) {
      return this.within(kind, key, () => {
        let i = 0;
        for (const [k, v] of m) {
          this.visit(k, MAPK, i);
          if (this.stop) break;
          this.visit(v, MAPV, i);
          if (this.stop) break;
          i++;
        }
        return SAME;
      });
    }
    return this.converted('"map"', kind, key, () => {
      const out: unknown[] = new Array(m.size);
      let i = 0;
      for (const [k, v] of m) {
        const rk = this.visit(k, MAPK, i);
        if (this.stop) break;
        const rv = this.visit(v, MAPV, i);
        if (this.stop) break;
        out[i++] = [rk === SAME ? k : rk, rv === SAME ? v : rv];
      }
      return out;
    });
  }

  private set(s: Set<unknown>, kind: number, key: string | number): Rep {
    if (!this.encode) {
      return this.within(kind, key, () => {
        let i = 0;
        for (const v of s) {
          this.visit(v, SETI, i++);
          if (this.stop) break;
        }
        return SAME;
      });
    }
    return this.converted('"set"', kind, key, () => {
      const out: unknown[] = new Array(s.size);
      let i = 0;
      for (const v of s) {
        const r = this.visit(v, SETI, i);
        if (this.stop) break;
        out[i++] = r === SAME ? v : r;
      }
      return out;
    });
  }

  private typedArray(t: ArrayLike<number> & ArrayBufferView, kind: number, key: string | number): Rep {
    if (!this.encode) return SAME;
    const name = (t as { constructor?: Function }).constructor?.name;
    if (!name || !Object.hasOwn(TYPED_ARRAYS, name)) return this.bail(); // e.g. BigInt64Array: superjson's business
    const type = JSON.stringify(['typed-array', name]);
    const n = t.length;
    let special = false;
    if (t instanceof Float64Array || t instanceof Float32Array) {
      for (let i = 0; i < n; i++) {
        const x = t[i]!;
        if (x - x !== 0 || (x === 0 && 1 / x < 0)) {
          special = true;
          break;
        }
      }
    }
    if (!special) {
      this.annotate(`[${type}]`, kind, key);
      return Array.from(t);
    }
    return this.converted(type, kind, key, () => {
      const out = Array.from(t) as unknown[];
      for (let i = 0; i < n; i++) {
        const x = t[i]!;
        if (x - x !== 0 || (x === 0 && 1 / x < 0)) out[i] = this.special(x, IDX, i);
      }
      return out;
    });
  }
}

function entriesText(indexed: string[] | undefined, other: string[] | undefined): string | undefined {
  if (!indexed && !other) return undefined;
  return `{${indexed && other ? `${indexed.join(',')},${other.join(',')}` : (indexed ?? other)!.join(',')}}`;
}

/** A path segment as JSON string content (superjson's escaped key, JSON-escaped). */
function segment(kind: number, key: string | number): string {
  switch (kind) {
    case KEY:
      return keyText(key as string);
    case MAPK:
      return `${key}.0`;
    case MAPV:
      return `${key}.1`;
    default:
      return String(key);
  }
}

/** Finds problems only (the first, in depth-first order); `rootPath` names the value in messages. */
export function findProblem(reg: CodecRegistry, value: unknown, rootPath: string): string | undefined {
  const w = new Walk(reg, rootPath, false);
  const a = w.run(value);
  return a.kind === 'problem' ? a.problem : undefined;
}

/** superjson-compatible text for `value`. */
export function encode(reg: CodecRegistry, value: unknown): string {
  return textOf(reg, value, new Walk(reg, '', true).run(value));
}

/**
 * The first problem of `value` (as {@link findProblem} reports it), or its text (as {@link encode} writes it), in one
 * walk when the value needs no superjson fallback.
 */
export function checkAndEncode(reg: CodecRegistry, value: unknown, rootPath: string): { problem: string } | { text: string } {
  const a = new Walk(reg, rootPath, true).run(value);
  if (a.kind === 'problem') return { problem: a.problem };
  if (a.kind === 'superjson') {
    // the walk stopped where superjson takes over: look at the rest for problems
    const problem = findProblem(reg, value, rootPath);
    if (problem !== undefined) return { problem };
  }
  return { text: textOf(reg, value, a) };
}

function textOf(reg: CodecRegistry, value: unknown, a: Analysis): string {
  switch (a.kind) {
    case 'plain':
      return JSON.stringify({ json: value });
    case 'meta':
    {
      const json = JSON.stringify(a.json);
      // (a custom conversion returning undefined: superjson writes no json key at all)
      if (json !== undefined) return `{"json":${json},"meta":{"values":${a.values},"v":1}}`;
      return reg.sj.stringify(value as never);
    }
    default:
      return reg.sj.stringify(value as never);
  }
}

// ---- decoding ---------------------------------------------------------------------------------------------------

/** Thrown inside the fast decoder when the text needs superjson's own decoder. */
class NeedsSuperjson extends Error {}

/** superjson's parsePath for version-1 paths. */
function parsePath(s: string): string[] {
  if (s.indexOf('\\') < 0) return s.split('.');
  const out: string[] = [];
  let seg = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '\\') {
      const next = s.charAt(i + 1);
      if (next === '\\' || next === '.') {
        seg += next;
        i++;
        continue;
      }
      throw new Error('invalid path');
    }
    if (c === '.') {
      out.push(seg);
      seg = '';
      continue;
    }
    seg += c;
  }
  out.push(seg);
  return out;
}

function isContainer(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  if (Array.isArray(x)) return true;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

function applyTree(reg: CodecRegistry, node: unknown, tree: unknown): unknown {
  if (Array.isArray(tree)) {
    const children = tree[1];
    if (children !== undefined) applyChildren(reg, node, children);
    return untransform(reg, node, tree[0]);
  }
  applyChildren(reg, node, tree);
  return node;
}

function applyChildren(reg: CodecRegistry, node: unknown, children: unknown): void {
  if (!isContainer(children) || Array.isArray(children)) throw new NeedsSuperjson();
  for (const key of Object.keys(children)) applyAt(reg, node, key, children[key]);
}

/** Applies the annotation `tree` to the value at the escaped dotted `key` below `node`. */
function applyAt(reg: CodecRegistry, node: unknown, key: string, tree: unknown): void {
  if (key.indexOf('\\') >= 0) {
    const path = parsePath(key);
    let parent: unknown = node;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isForbiddenKey(seg)) throw new Error(`${seg} is not allowed as a property`);
      if (!isContainer(parent)) throw new NeedsSuperjson();
      const k: string | number = Array.isArray(parent) ? +seg : seg;
      if (i === path.length - 1) parent[k] = applyTree(reg, parent[k], tree);
      else parent = parent[k];
    }
    return;
  }
  // no escapes: walk the dotted path without splitting it into an array
  let parent: unknown = node;
  for (let start = 0; ; ) {
    const dot = key.indexOf('.', start);
    const seg = dot < 0 ? (start === 0 ? key : key.slice(start)) : key.slice(start, dot);
    if (!isContainer(parent)) throw new NeedsSuperjson();
    let k: string | number;
    if (Array.isArray(parent)) k = +seg;
    else {
      if (isForbiddenKey(seg)) throw new Error(`${seg} is not allowed as a property`);
      k = seg;
    }
    if (dot < 0) {
      parent[k] = applyTree(reg, parent[k], tree);
      return;
    }
    parent = parent[k];
    start = dot + 1;
  }
}

function untransform(reg: CodecRegistry, v: unknown, type: unknown): unknown {
  if (typeof type === 'string') {
    switch (type) {
      case 'undefined':
        return undefined;
      case 'bigint':
        return BigInt(v as string);
      case 'Date':
        return new Date(v as string);
      case 'number':
        return Number(v);
      case 'map':
        return new Map(v as [unknown, unknown][]);
      case 'set':
        return new Set(v as unknown[]);
    }
    throw new NeedsSuperjson();
  }
  if (!Array.isArray(type)) throw new NeedsSuperjson();
  switch (type[0]) {
    case 'class': {
      const cls = reg.classById.get(type[1]);
      if (!cls) {
        throw new Error(`Trying to deserialize unknown class '${type[1]}' - check https://github.com/blitz-js/superjson/issues/116#issuecomment-773996564`);
      }
      return Object.assign(Object.create(cls.prototype), v);
    }
    case 'custom': {
      const c = reg.customs.get(type[1]);
      if (!c) throw new Error('Trying to deserialize unknown custom value');
      return c.deserialize(v);
    }
    case 'typed-array': {
      const ctor = Object.hasOwn(TYPED_ARRAYS, type[1]) ? TYPED_ARRAYS[type[1]] : undefined;
      if (!ctor) throw new Error('Trying to deserialize unknown typed array');
      return new ctor(v as number[]);
    }
  }
  throw new NeedsSuperjson();
}

const META_START = ',"meta":{"values":';
const META_END = ',"v":1}}';
/** The common leaf annotations, as text and as the tree they parse to. */
const LEAVES: [string, readonly [string]][] = [
  ['["Date"]', ['Date']],
  ['["undefined"]', ['undefined']],
  ['["number"]', ['number']],
  ['["bigint"]', ['bigint']],
];
const Q = 34; // "
const BACKSLASH = 92;

/** Index just past the JSON string starting at `i` (a quote). */
function skipString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === Q) return i + 1;
  }
  throw new NeedsSuperjson();
}

/** Index just past the JSON array or object starting at `i`. */
function skipComposite(text: string, i: number): number {
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === Q) i = skipString(text, i) - 1;
    else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) {
      if (--depth === 0) return i + 1;
    }
  }
  throw new NeedsSuperjson();
}

/**
 * superjson's compact text `{"json":…,"meta":{"values":{…},"v":1}}` (as both we and superjson write it), read without
 * JSON-parsing `values` into an object with one key per annotated path: each `"path":annotation` entry is read from
 * the text and applied as it comes. Anything else throws NeedsSuperjson (the caller parses the whole text instead).
 */
function decodeCompact(reg: CodecRegistry, text: string): unknown {
  if (!text.startsWith('{"json":') || !text.endsWith(META_END)) throw new NeedsSuperjson();
  const m = text.lastIndexOf(META_START);
  if (m < 8) throw new NeedsSuperjson();
  const json = JSON.parse(text.slice(8, m));
  let i = m + META_START.length;
  if (text.charCodeAt(i) !== 123) {
    // a converted root ([type, children]): small or not, parse that tree
    const end = skipComposite(text, i);
    if (end !== text.length - META_END.length) throw new NeedsSuperjson();
    return applyTree(reg, json, JSON.parse(text.slice(i, end)));
  }
  i++;
  if (text.charCodeAt(i) === 125) i++;
  else {
    for (;;) {
      if (text.charCodeAt(i) !== Q) throw new NeedsSuperjson();
      const keyEnd = skipString(text, i);
      const raw = text.slice(i + 1, keyEnd - 1);
      const key = raw.indexOf('\\') < 0 ? raw : (JSON.parse(text.slice(i, keyEnd)) as string);
      if (text.charCodeAt(keyEnd) !== 58) throw new NeedsSuperjson();
      i = keyEnd + 1;
      let tree: unknown;
      const leaf = LEAVES.find(([t]) => text.startsWith(t, i));
      if (leaf) {
        tree = leaf[1];
        i += leaf[0].length;
      } else {
        if (text.charCodeAt(i) !== 91) throw new NeedsSuperjson();
        const end = skipComposite(text, i);
        tree = JSON.parse(text.slice(i, end));
        i = end;
      }
      applyAt(reg, json, key, tree);
      const c = text.charCodeAt(i++);
      if (c === 125) break;
      if (c !== 44) throw new NeedsSuperjson();
    }
  }
  if (i !== text.length - META_END.length) throw new NeedsSuperjson();
  return json;
}

/** Reads superjson text. */
export function decode<T>(reg: CodecRegistry, text: string): T {
  if (text.endsWith(META_END)) {
    try {
      return decodeCompact(reg, text) as T;
    } catch (err) {
      if (!(err instanceof NeedsSuperjson)) throw err;
    }
  }
  const payload = JSON.parse(text) as { json?: unknown; meta?: { values?: unknown; referentialEqualities?: unknown; v?: unknown } } | null;
  if (typeof payload !== 'object' || payload === null) return reg.sj.parse<T>(text);
  const meta = payload.meta;
  if (meta === undefined || meta === null) return payload.json as T;
  if (meta.v !== 1 || meta.referentialEqualities !== undefined) return reg.sj.deserialize<T>(payload as never, { inPlace: true });
  if (meta.values === undefined) return payload.json as T;
  try {
    return applyTree(reg, payload.json, meta.values) as T;
  } catch (err) {
    if (err instanceof NeedsSuperjson) return reg.sj.parse<T>(text);
    throw err;
  }
}
