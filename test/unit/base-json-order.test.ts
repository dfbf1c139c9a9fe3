// The base layer's JSON helpers and its one sort order.

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
