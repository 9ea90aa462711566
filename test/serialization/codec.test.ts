import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SuperJSON } from 'superjson';
import { deserialize, findUnserializable, registerSerializer, Serializable, serialize } from '../../src/serialization';

/** Pickled files must stay superjson files: this is superjson itself, with the same registrations as the library's. */
const ref = new SuperJSON();
ref.registerCustom<Buffer, string>(
  { isApplicable: (v): v is Buffer => Buffer.isBuffer(v), serialize: (v) => v.toString('base64'), deserialize: (v) => Buffer.from(v, 'base64') },
  'runnable-ts.Buffer',
);

class Point {
  constructor(
    public x: unknown = 0,
    public label: unknown = '',
  ) {}
  norm(): number {
    return typeof this.x === 'number' ? Math.abs(this.x) : 0;
  }
}
Serializable('codec-test.Point')(Point);
ref.registerClass(Point, { identifier: 'codec-test.Point' });

class Money {
  constructor(readonly cents: bigint) {}
}
const moneyConversion = { serialize: (m: Money) => m.cents.toString(), deserialize: (s: string) => new Money(BigInt(s)) };
registerSerializer(Money, moneyConversion, 'codec-test.Money');
ref.registerCustom<Money, string>({ isApplicable: (v): v is Money => v instanceof Money, ...moneyConversion }, 'codec-test.Money');

/** Keys superjson refuses in objects it converts (it throws); plain JSON data may use them (tested apart). */
const key = fc.string({ unit: fc.constantFrom('a', 'b', '.', '\\', '"', '0', '1', 'é', '😀', ' ') , maxLength: 4 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
const number = fc.oneof(fc.double(), fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, 1e21, 5e-324), fc.integer());
const date = fc.date({ noInvalidDate: true });
const typed = fc.oneof(
  fc.array(fc.double(), { maxLength: 6 }).map((xs) => Float64Array.from(xs)),
  fc.array(fc.float(), { maxLength: 6 }).map((xs) => Float32Array.from(xs)),
  fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 6 }).map((xs) => Int32Array.from(xs)),
  fc.uint8Array({ maxLength: 6 }),
  fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 6 }).map((xs) => Uint16Array.from(xs)),
  fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
);
const leaf = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.string({ maxLength: 6 }),
  number,
  fc.bigInt(),
  date,
  typed,
  fc.bigInt().map((c) => new Money(c)),
);

/** Values superjson supports, nested: no object reached twice (superjson records those; tested apart). */
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }),
    fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 3 }), number, date), tie('value')), { maxLength: 4 }).map((es) => new Map(es)),
    fc.array(fc.oneof(fc.string({ maxLength: 3 }), number, tie('value')), { maxLength: 4 }).map((xs) => new Set(xs)),
    fc.tuple(tie('value'), tie('value')).map(([x, label]) => new Point(x, label)),
  ),
}));

const jsonValue = fc.jsonValue().filter((v) => !JSON.stringify(v).match(/"(__proto__|constructor|prototype)":/));

describe('pickled values: our codec against superjson', () => {
  it('round-trips every supported value exactly (our serialize, our deserialize)', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(deserialize(serialize(v))).toStrictEqual(v);
      }),
      { numRuns: 400 },
    );
  });

  it('writes what superjson.parse reads back exactly', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(ref.parse(serialize(v))).toStrictEqual(v);
      }),
      { numRuns: 400 },
    );
  });

  it('reads what superjson.stringify writes exactly as superjson.parse does', () => {
    // (so where superjson's own round trip is exact, ours is too; superjson itself loses NaN/-0/Infinity inside a
    // Float32/64Array, which it writes without annotations, and a Map/Set holding a NaN that appears twice)
    fc.assert(
      fc.property(value, (v) => {
        const text = ref.stringify(v as never);
        expect(deserialize(text)).toStrictEqual(ref.parse(text));
      }),
      { numRuns: 400 },
    );
  });

  it('writes plain JSON data byte for byte as superjson does, and reads it back without a copy', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        const text = serialize(v);
        expect(text).toBe(ref.stringify(v as never));
        expect(deserialize(text)).toStrictEqual(v);
      }),
      { numRuns: 300 },
    );
    expect(serialize([1, -0])).toBe('{"json":[1,"-0"],"meta":{"values":{"1":["number"]},"v":1}}');
    expect(serialize({ a: [1, 'x', null, true, { b: 2.5 }] })).toBe('{"json":{"a":[1,"x",null,true,{"b":2.5}]}}');
  });

  it('writes the common converted values byte for byte as superjson does', () => {
    const T0 = Date.UTC(2024, 0, 1);
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `r.${i}`, at: new Date(T0 + i), extra: i % 3 ? undefined : 10n ** BigInt(i) }));
    const examples: unknown[] = [
      rows,
      { rows, by: new Map(rows.map((r) => [r.name, r.at])), ids: new Set(rows.map((r) => r.id)) },
      new Point(new Date(T0), { 'a.b': [NaN, Infinity, -0], 'c\\d': new Money(5n) }),
      [Float64Array.from([1.5, 2]), Int32Array.from([1, -1]), Buffer.from('héllo'), new Uint8Array([0, 255])],
      new Map<unknown, unknown>([[new Date(T0), new Set([undefined, null])]]),
      undefined,
      new Date(T0),
      // superjson's annotations are a JS object: array-index paths come first
      [{ x: new Date(T0) }, new Date(T0), { 7: 1n, y: undefined, 3: -0 }],
    ];
    for (const v of examples) {
      expect(serialize(v)).toBe(ref.stringify(v as never));
      expect(deserialize(serialize(v))).toStrictEqual(v);
    }
  });

  it('keeps shared objects and cycles shared (superjson records them as referential equalities)', () => {
    const d = new Date(0);
    const shared = { d };
    const v: Record<string, unknown> = { a: shared, b: shared, list: [d, d] };
    v.self = v;
    const back = deserialize<typeof v>(serialize(v));
    expect(back.a).toBe(back.b);
    expect(back.self).toBe(back);
    expect((back.list as Date[])[0]).toBe((back.list as Date[])[1]);
    expect(serialize(v)).toBe(ref.stringify(v as never));
    const plainShared = { x: [1, 2] };
    const pair = deserialize<{ p: unknown; q: unknown }>(serialize({ p: plainShared, q: plainShared }));
    expect(pair.p).toBe(pair.q);
  });

  it('writes a sparse array as superjson does (holes become null, undefined elements stay undefined)', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , undefined, 3];
    expect(serialize(sparse)).toBe(ref.stringify(sparse as never));
    expect(deserialize(serialize(sparse))).toStrictEqual([1, null, undefined, 3]);
  });

  it('accepts keys superjson refuses in plain JSON data, and reports superjson error when metadata is needed', () => {
    const plain = JSON.parse('{"constructor":1,"__proto__":{"x":2},"prototype":[3]}');
    const back = deserialize<Record<string, unknown>>(serialize(plain));
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['constructor', '__proto__', 'prototype']);
    expect(back.prototype).toEqual([3]);
    expect(ref.parse(serialize(plain))).toStrictEqual(back);
    expect(() => serialize({ constructor: new Date(0) })).toThrow('Detected property constructor');
  });

  it('refuses annotation paths through __proto__ when reading (no prototype pollution)', () => {
    const evil = '{"json":{"__proto__":{"polluted":"1"}},"meta":{"values":{"__proto__.polluted":["bigint"]},"v":1}}';
    expect(() => deserialize(evil)).toThrow('__proto__ is not allowed as a property');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads what superjson alone understands (errors, regular expressions, URLs, old files without v)', () => {
    const v = { e: new Error('boom'), r: /a.b/gi, u: new URL('https://example.org/x?y=1') };
    const back = deserialize<typeof v>(serialize(v));
    expect(back.e).toBeInstanceOf(Error);
    expect(back.e.message).toBe('boom');
    expect(back.r).toEqual(/a.b/gi);
    expect(back.u.href).toBe('https://example.org/x?y=1');
    expect(deserialize('{"json":{"a":"1970-01-01T00:00:00.000Z"},"meta":{"values":{"a":["Date"]}}}')).toStrictEqual({ a: new Date(0) });
    // superjson text re-formatted with whitespace: read through JSON.parse of the whole text
    const pretty = JSON.stringify(JSON.parse(serialize({ a: [new Date(1), 2n] })), null, 2);
    expect(deserialize(pretty)).toStrictEqual({ a: [new Date(1), 2n] });
  });

  it('restores registered classes with their methods', () => {
    const back = deserialize<Point[]>(serialize([new Point(-3, 'p')]));
    expect(back[0]).toBeInstanceOf(Point);
    expect(back[0]!.norm()).toBe(3);
  });
});

describe('findUnserializable', () => {
  class Unregistered {
    x = 1;
  }
  const fn = () => 1;

  it('finds nothing in values the codec supports', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(findUnserializable(v, 'out')).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('names the path of the first part that cannot be stored', () => {
    expect(findUnserializable({ a: [1, { f: fn }] }, 'out')).toBe('a function at out.a[1].f');
    expect(findUnserializable(fn)).toBe('a function at (the value itself)');
    expect(findUnserializable({ s: Symbol('x') })).toBe('a symbol at s');
    expect(findUnserializable(new Map<unknown, unknown>([['k', fn]]), 'm')).toBe('a function at m.<map value #0>');
    expect(findUnserializable(new Map<unknown, unknown>([[1, 1], [fn, 2]]), 'm')).toBe('a function at m<map key #1>');
    expect(findUnserializable(new Map<unknown, unknown>([['k', { deep: [fn] }]]))).toBe('a function at <map value #0>.deep[0]');
    expect(findUnserializable({ s: new Set([1, fn]) }, 'out')).toBe('a function at out.s<set item #1>');
    expect(findUnserializable([new ArrayBuffer(2)], 'out')).toBe('an ArrayBuffer at out[0] (wrap it in a Uint8Array or Buffer)');
    expect(findUnserializable({ p: Promise.resolve(1) }, 'out')).toBe('a Promise at out.p (await it before returning)');
    expect(findUnserializable({ u: new Unregistered() }, 'out')).toBe(
      'an instance of class Unregistered at out.u, which is not registered. Decorate the class with @Serializable(), or register a conversion with registerSerializer(Unregistered, { serialize, deserialize })',
    );
    expect(findUnserializable(new Point(1, { f: fn }), 'model')).toBe('a function at model.label.f');
  });

  it('reports the first problem in depth-first order, once per object (cycles are fine)', () => {
    const v: Record<string, unknown> = { a: { f: fn }, b: Symbol('s') };
    v.self = v;
    expect(findUnserializable(v, 'x')).toBe('a function at x.a.f');
    const cyc: Record<string, unknown> = { n: 1 };
    cyc.me = cyc;
    expect(findUnserializable(cyc, 'x')).toBeUndefined();
  });

  it('accepts builtins superjson converts (Date, RegExp, Error, URL, typed arrays, Buffer) and registered classes', () => {
    const v = [new Date(), /x/, new Error('e'), new URL('https://a.b'), new Float32Array(2), Buffer.alloc(1), new Point(), new Money(1n), new DataView(new ArrayBuffer(1))];
    expect(findUnserializable(v, 'out')).toBeUndefined();
  });
});
