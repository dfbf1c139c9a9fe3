import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyManaged } from '../../src/diff/apply-managed.js';
import { diffManaged } from '../../src/diff/diff-managed.js';
import type { DiffPolicy } from '../../src/diff/types.js';

describe('applyManaged', () => {
  it('keeps fields it does not model byte for byte and in the same key order', () => {
    const live = { versionTag: { versionNumber: 3 }, zeta: [1, { q: null }], name: 'old', alpha: 'x' };
    const next = applyManaged(live, { name: 'new' }, {});
    expect(JSON.stringify(next)).toBe(
      JSON.stringify({ versionTag: { versionNumber: 3 }, zeta: [1, { q: null }], name: 'new', alpha: 'x' }),
    );
  });

  it('does not modify the live object nor the desired one', () => {
    const live = { a: { b: 1 }, tags: ['x'], triggers: [{ id: 't', delay: 1 }] };
    const desired = { a: { b: 2 }, tags: ['y'], triggers: [{ id: 't', delay: 2 }, { id: 'n' }] };
    const snapshot = structuredClone({ live, desired });
    const next = applyManaged(live, desired, { sets: ['/tags'], keyedLists: { '/triggers': ['id'] } });
    expect({ live, desired }).toEqual(snapshot);
    (next.triggers[1] as { id: string }).id = 'changed';
    expect(desired.triggers[1]?.id).toBe('n');
  });

  it('merges keyed items over their live counterparts, keeps live order and appends new items', () => {
    const live = {
      triggers: [
        { id: 'a', type: 'temporal', dssDefault: 1 },
        { id: 'b', type: 'manual' },
      ],
    };
    const next = applyManaged(live, { triggers: [{ id: 'c' }, { id: 'b', type: 'temporal' }] }, {
      keyedLists: { '/triggers': ['id'] },
    });
    expect(next.triggers).toEqual([
      { id: 'a', type: 'temporal', dssDefault: 1 },
      { id: 'b', type: 'temporal' },
      { id: 'c' },
    ]);
  });

  it('removes what exact pointers say must go, and nothing ignored', () => {
    const policy: DiffPolicy = {
      exact: ['/variables/standard', '/permissions', '/tags'],
      keyedLists: { '/permissions': ['group', 'user'] },
      sets: ['/tags'],
      ignore: ['/variables/standard/managedByDss'],
    };
    const live = {
      variables: { standard: { keep: 1, drop: 2, managedByDss: 3 }, local: { untouched: true } },
      permissions: [{ group: 'g1', read: true }, { user: 'u1', admin: true }],
      tags: ['old', 'kept'],
    };
    const desired = { variables: { standard: { keep: 1 } }, permissions: [{ user: 'u1', admin: false }], tags: ['kept', 'new'] };
    expect(applyManaged(live, desired, policy)).toEqual({
      variables: { standard: { keep: 1, managedByDss: 3 }, local: { untouched: true } },
      permissions: [{ user: 'u1', admin: false }],
      tags: ['kept', 'new'],
    });
  });

  it('keeps the live form of values equal under the policy (loose scalars, defaults)', () => {
    const policy: DiffPolicy = { stringified: ['/params'], defaults: { '/active': true } };
    const live = { params: { n: '10' } };
    const next = applyManaged(live, { params: { n: 10 }, active: true }, policy);
    expect(next).toEqual({ params: { n: '10' } });
  });

  it('replaces a value of another type, and plain lists of another length, whole', () => {
    expect(applyManaged({ a: 'x', l: [1, 2, 3] }, { a: { b: 1 }, l: [4] }, {})).toEqual({ a: { b: 1 }, l: [4] });
  });

  describe('ordered keyed lists', () => {
    const policy: DiffPolicy = { keyedLists: { '/params/steps': ['id'] }, ordered: ['/params/steps'] };
    const ids = (value: { params: { steps: Array<{ id?: string }> } }): Array<string | undefined> => value.params.steps.map((s) => s.id);

    it('writes the declared items in the declared order, merged over their live counterparts', () => {
      const live = { params: { steps: [{ id: 'build', type: 'build_flowitem', dssField: 1 }, { id: 'check', type: 'check_dataset' }] } };
      const next = applyManaged(live, { params: { steps: [{ id: 'check', name: 'Check' }, { id: 'build' }] } }, policy);
      expect(next.params.steps).toEqual([
        { id: 'check', type: 'check_dataset', name: 'Check' },
        { id: 'build', type: 'build_flowitem', dssField: 1 },
      ]);
    });

    it('puts new items at their declared place rather than last', () => {
      const live = { params: { steps: [{ id: 'a' }, { id: 'c' }] } };
      const next = applyManaged(live, { params: { steps: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] } }, policy);
      expect(ids(next)).toEqual(['a', 'b', 'c']);
    });

    it('keeps each undeclared live item right after the declared item that preceded it live, or first', () => {
      const live = { params: { steps: [{ id: 'x' }, { id: 'a' }, { id: 'y' }, { id: 'z' }, { id: 'b' }, { id: 'w' }] } };
      const next = applyManaged(live, { params: { steps: [{ id: 'b' }, { id: 'a' }] } }, policy);
      expect(ids(next)).toEqual(['x', 'b', 'w', 'a', 'y', 'z']);
      expect(diffManaged({ params: { steps: [{ id: 'b' }, { id: 'a' }] } }, next, policy)).toEqual([]);
    });

    it('drops undeclared items of an exact ordered list and orders the rest', () => {
      const live = { params: { steps: [{ id: 'a', v: 1 }, { id: 'x' }, { id: 'b' }] } };
      const desired = { params: { steps: [{ id: 'c' }, { id: 'b' }, { id: 'a' }] } };
      const next = applyManaged(live, desired, { ...policy, exact: ['/params/steps'] });
      expect(next.params.steps).toEqual([{ id: 'c' }, { id: 'b' }, { id: 'a', v: 1 }]);
      expect(diffManaged(desired, next, { ...policy, exact: ['/params/steps'] })).toEqual([]);
    });

    it('keeps an undeclared item sharing a declared key after that item, so that pairing does not change', () => {
      const live = { params: { steps: [{ id: 'a', n: 1 }, { id: 'b' }, { id: 'a', n: 2 }] } };
      const desired = { params: { steps: [{ id: 'b' }, { id: 'a', n: 3 }] } };
      const next = applyManaged(live, desired, policy);
      expect(next.params.steps).toEqual([{ id: 'b' }, { id: 'a', n: 3 }, { id: 'a', n: 2 }]);
      expect(diffManaged(desired, next, policy)).toEqual([]);
    });

    it('leaves the list as it is when the orders already agree', () => {
      const live = { params: { steps: [{ id: 'a' }, { id: 'x' }, { id: 'b' }] } };
      const next = applyManaged(live, { params: { steps: [{ id: 'a' }, { id: 'b' }] } }, policy);
      expect(JSON.stringify(next)).toBe(JSON.stringify(live));
    });
  });

  it('never touches the prototype through a __proto__ key', () => {
    const desired = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const next = applyManaged({}, desired, {}) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(next, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
  });
});

// Random objects over a small alphabet of keys and values so that desired and live overlap often, with values DSS
// stringifies and keys that the policies below treat as list keys.
const key = fc.constantFrom('a', 'b', 'c', 'id', 'group', 'user', 'tags', 'items', 'params');
const scalar = fc.oneof(fc.constantFrom(0, 1, 10, '10', 'x', 'y', true, 'true', false, null), fc.string({ maxLength: 3 }));
const { value: jsonish } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
}));
const objectArb = fc.dictionary(key, jsonish, { maxKeys: 6 });

const pointer = fc.constantFrom('', '/a', '/b', '/tags', '/items', '/params', '/a/b', '/*', '/*/*', '/items/*', '/a/*/b');
const policyArb: fc.Arbitrary<DiffPolicy> = fc.record(
  {
    keyedLists: fc.dictionary(pointer, fc.constantFrom(['id'], ['group', 'user'], ['id', 'group'])),
    sets: fc.array(pointer, { maxLength: 3 }),
    exact: fc.array(pointer, { maxLength: 3 }),
    ignore: fc.array(pointer.filter((p) => p !== ''), { maxLength: 2 }),
    stringified: fc.array(pointer, { maxLength: 2 }),
    defaults: fc.dictionary(pointer.filter((p) => p !== ''), scalar, { maxKeys: 2 }),
    ordered: fc.array(pointer, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

// Keyed lists with few distinct keys, so that reorders, duplicates, new and undeclared items are all frequent.
const stepArb = fc.record(
  { id: fc.constantFrom('a', 'b', 'c', 'd', 'e'), n: fc.constantFrom(0, 1, '1'), type: fc.constantFrom('x', 'y') },
  { requiredKeys: [] },
);
const stepsObjectArb = fc.record({ items: fc.array(stepArb, { maxLength: 6 }), a: objectArb }, { requiredKeys: [] });
const orderedPolicyArb: fc.Arbitrary<DiffPolicy> = fc.record(
  {
    keyedLists: fc.constant({ '/items': ['id'] }),
    ordered: fc.constant(['/items']),
    exact: fc.subarray(['/items', '/items/*']),
    stringified: fc.subarray(['/items']),
    defaults: fc.subarray([['/items/*/type', 'x']]).map((d) => Object.fromEntries(d) as Record<string, unknown>),
    ignore: fc.subarray(['/items/*/n']),
  },
  { requiredKeys: ['keyedLists', 'ordered'] },
);

describe('properties', () => {
  it('diff(x, x) is empty for any object and any policy', () => {
    fc.assert(
      fc.property(objectArb, policyArb, (x, policy) => {
        expect(diffManaged(x, structuredClone(x), policy)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('applying desired over any live object converges in one pass', () => {
    fc.assert(
      fc.property(objectArb, objectArb, policyArb, (live, desired, policy) => {
        const next = applyManaged(live, desired, policy);
        expect(diffManaged(desired, next, policy)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('applying desired over any live object converges in one pass on ordered keyed lists', () => {
    fc.assert(
      fc.property(stepsObjectArb, stepsObjectArb, orderedPolicyArb, (live, desired, policy) => {
        const next = applyManaged(live, desired, policy);
        expect(diffManaged(desired, next, policy)).toEqual([]);
        expect(JSON.stringify(applyManaged(next, desired, policy))).toBe(JSON.stringify(next));
      }),
      { numRuns: 1000 },
    );
  });

  it('a reorder alone is reported as one change and only when the declared orders differ', () => {
    const ids = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1 });
    fc.assert(
      fc.property(ids, fc.func(fc.integer()), (keys, rank) => {
        const shuffled = [...keys].sort((x, y) => rank(x) - rank(y));
        const policy: DiffPolicy = { keyedLists: { '/items': ['id'] }, ordered: ['/items'] };
        const changes = diffManaged({ items: shuffled.map((id) => ({ id })) }, { items: keys.map((id) => ({ id })) }, policy);
        if (shuffled.join() === keys.join()) expect(changes).toEqual([]);
        else expect(changes).toEqual([expect.objectContaining({ pointer: '/items', reorder: true, before: keys, after: shuffled })]);
      }),
      { numRuns: 300 },
    );
  });

  it('fields the manifest does not declare survive byte for byte when nothing makes them exact', () => {
    fc.assert(
      fc.property(objectArb, objectArb, policyArb, (live, desired, policy) => {
        const next = applyManaged(live, desired, { ...policy, exact: [] }) as Record<string, unknown>;
        for (const k of Object.keys(live).filter((k) => !(k in desired))) {
          expect(JSON.stringify(next[k])).toBe(JSON.stringify(live[k]));
        }
        expect(Object.keys(next).slice(0, Object.keys(live).length)).toEqual(Object.keys(live));
      }),
      { numRuns: 500 },
    );
  });

  it('a converged object is written back unchanged', () => {
    fc.assert(
      fc.property(objectArb, objectArb, policyArb, (live, desired, policy) => {
        const once = applyManaged(live, desired, policy);
        expect(JSON.stringify(applyManaged(once, desired, policy))).toBe(JSON.stringify(once));
      }),
      { numRuns: 500 },
    );
  });
});
