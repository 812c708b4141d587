import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: 'x', c: true })).toBe('{"a":"x","b":1,"c":true}');
    expect(canonicalJson({ c: true, a: 'x', b: 1 })).toBe(canonicalJson({ a: 'x', b: 1, c: true }));
  });

  it('sorts nested objects, including inside arrays, and keeps array order', () => {
    const value = { z: { y: 1, x: [{ b: 2, a: 1 }, 3] }, a: null };
    expect(canonicalJson(value)).toBe('{"a":null,"z":{"x":[{"a":1,"b":2},3],"y":1}}');
  });

  it('sorts keys by code unit, not by length (jsonb order) or locale', () => {
    expect(canonicalJson({ bb: 1, a: 2, B: 3, é: 4 })).toBe('{"B":3,"a":2,"bb":1,"é":4}');
  });

  it('writes Dates as ISO strings, nested too', () => {
    const at = new Date('2026-11-22T10:00:00.123Z');
    expect(canonicalJson({ at, list: [at] })).toBe(
      '{"at":"2026-11-22T10:00:00.123Z","list":["2026-11-22T10:00:00.123Z"]}',
    );
    expect(canonicalJson(at)).toBe('"2026-11-22T10:00:00.123Z"');
  });

  it('drops undefined properties and writes undefined or missing array items as null', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(canonicalJson([undefined, , 1])).toBe('[null,null,1]');
  });

  it('writes -0 as 0 and fractions in their shortest form', () => {
    expect(canonicalJson({ a: -0, b: 0.1, c: 1.5, d: -42 })).toBe('{"a":0,"b":0.1,"c":1.5,"d":-42}');
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['an unsafe integer', 2 ** 53],
    ['a bigint', 10n],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Map', new Map([['a', 1]])],
    ['an invalid Date', new Date(Number.NaN)],
    ['a NUL character', 'a\u0000b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('rejects %s, naming where it is', (_name, bad) => {
    expect(() => canonicalJson({ outer: [1, { inner: bad }] })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ outer: [1, { inner: bad }] })).toThrow(/^\$\.outer\[1\]\.inner: /);
  });

  it('rejects cycles but accepts a shared (non-cyclic) object twice', () => {
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
  });

  it('keeps surrogate pairs (emoji) as they are', () => {
    expect(canonicalJson({ s: 'ok 😀' })).toBe('{"s":"ok 😀"}');
  });

  it('is a fixed point of parse: rebuilding from its own output gives the same text', () => {
    const storable = fc.jsonValue({ stringUnit: 'binary' }).filter((value) => {
      try {
        canonicalJson(value);
        return true;
      } catch {
        return false;
      }
    });
    fc.assert(
      fc.property(storable, (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('ignores key insertion order at every depth', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.integer())), (value) => {
        const reversed = Object.fromEntries(
          Object.entries(value)
            .reverse()
            .map(([key, inner]) => [key, Object.fromEntries(Object.entries(inner).reverse())]),
        );
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
    );
  });
});
