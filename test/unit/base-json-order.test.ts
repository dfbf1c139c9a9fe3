// The base layer's JSON helpers and its one sort order.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonical, deepCopy, deepEqual, isObject } from '../../src/base/json.js';
import { byText, compareText } from '../../src/base/order.js';

describe('isObject', () => {
  it('is true for JSON objects only', () => {
    expect([{}, { a: 1 }, Object.create(null)].map(isObject)).toEqual([true, true, true]);
    expect([null, [], 'x', 1, true, undefined].map(isObject)).toEqual([false, false, false, false, false, false]);
  });
});

describe('deepEqual', () => {
  it('ignores key order and keys holding undefined (as the JSON sent does)', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });

  it('tells values apart, list order included, and compares scalars by string form only when loose', () => {
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(deepEqual({ n: '10' }, { n: 10 })).toBe(false);
    expect(deepEqual({ n: '10' }, { n: 10 }, true)).toBe(true);
  });

  it('is reflexive on copies, and a copy keeps key order', () => {
    const value = { z: 1, a: { y: [1, 'two', null], b: false } };
    const copy = deepCopy(value);
    expect(copy).not.toBe(value);
    expect(deepEqual(copy, value)).toBe(true);
    expect(Object.keys(copy)).toEqual(['z', 'a']);
    expect(canonical(copy)).toBe('{"a":{"b":false,"y":[1,"two",null]},"z":1}');
  });
});

describe('deepEqual and canonical', () => {
  /** JSON values with what builders leave in them: keys holding undefined, and scalars DSS stores as strings. */
  const scalar = fc.oneof(fc.constantFrom(0, 1, 10, -0, 1.5, '0', '1', '10', '1.5', 'true', 'false', true, false, null, ''), fc.string({ maxLength: 3 }));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('object')),
    list: fc.array(fc.oneof(tie('value'), fc.constant(undefined)), { maxLength: 3 }),
    object: fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__', 'toString'), fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 3 }),
  }));

  /** A copy with every object's keys in reverse order. */
  const reordered = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(reordered);
    if (!isObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).reverse()) Object.defineProperty(out, key, { value: reordered(v[key]), enumerable: true, writable: true, configurable: true });
    return out;
  };

  it('says two values are equal exactly when their canonical forms are, strict and loose', () => {
    fc.assert(
      fc.property(value, value, fc.boolean(), (a, b, loose) => {
        expect(deepEqual(a, b, loose)).toBe(canonical(a, loose) === canonical(b, loose));
        expect(deepEqual(a, reordered(a), loose)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes an own key holding undefined for no key, and an inherited name for nothing the other object has', () => {
    expect(deepEqual({ toString: 1 }, {})).toBe(false);
    expect(deepEqual({}, { toString: 1 })).toBe(false);
    expect(deepEqual([undefined], [null])).toBe(false);
    expect(deepEqual({ a: [1, undefined] }, { a: [1, undefined] })).toBe(true);
    expect(deepEqual([], {})).toBe(false);
    expect(deepEqual({ n: true }, { n: 'true' }, true)).toBe(true);
  });
});

describe('compareText', () => {
  it('orders by UTF-16 code units, as sort() without a comparator, whatever the locale says', () => {
    const names = ['Scenario/CHURN/DAILY_REFRESH', 'Scenario/CHURN/DAILYREPORT', 'Bundle/CHURN/v1', 'Bundle/CHURN/V2', 'Bundle/CHURN/v1'];
    expect([...names].sort(compareText)).toEqual([...names].sort());
    expect([...names].sort(compareText)).toEqual([
      'Bundle/CHURN/V2',
      'Bundle/CHURN/v1',
      'Bundle/CHURN/v1',
      'Scenario/CHURN/DAILYREPORT',
      'Scenario/CHURN/DAILY_REFRESH',
    ]);
  });

  it('sorts objects by a text key', () => {
    const units = [{ address: 'b' }, { address: 'B' }, { address: 'a' }];
    expect(units.sort(byText((u) => u.address)).map((u) => u.address)).toEqual(['B', 'a', 'b']);
  });
});
