// The canonical text forms that spec hashes and comparisons are built on, against the plain definitions they
// shortcut: JSON.stringify of a scalar, the default sort of keys, a masked copy's canonical JSON, and a secret
// location told from its parent's state rather than from every ancestor.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scalarJson, sortedKeys } from '../../src/base/json.js';
import { SecretMatcher, isCovered, maskSensitive } from '../../src/diff/sensitive.js';
import { canonicalJson, specHash } from '../../src/reconciler/hash.js';
import type { ResourceUnit } from '../../src/resources/types.js';
import { doc } from './reconciler-fakes.js';

/** canonicalJson as defined: keys sorted by the default sort, JSON.stringify for the rest (a copy would not do: an object puts integer keys first). */
function reference(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort().filter((key) => record[key] !== undefined);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${reference(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const unicodeText = fc.string({ unit: 'binary' });
// `*` is left out: in a pointer it is the wildcard, and the masked copy below is made with pointers.
const keyName = fc.oneof(fc.constantFrom('password', 'apiToken', 'params', 'steps', 'id', 'name', '__proto__', 'a/b', '~x', '0'), unicodeText).filter((k) => k !== '*');
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(unicodeText, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(-0, 1e21, 5e-324)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(keyName, tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('canonical text forms', () => {
  it('scalarJson is JSON.stringify of any string, number, boolean or null', () => {
    fc.assert(
      fc.property(fc.oneof(unicodeText, fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)), (value) => {
        expect(scalarJson(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 2000 },
    );
    for (const value of ['"', '\\', '\u0000', '\u001f', '\u007f', '\ud800', '\udc00x', '😀', '\u2028', NaN, Infinity, -0, 1e21]) {
      expect(scalarJson(value)).toBe(JSON.stringify(value));
    }
  });

  it('sortedKeys orders keys as the default sort does', () => {
    fc.assert(
      fc.property(fc.dictionary(keyName, fc.constant(1), { maxKeys: 12 }), (record) => {
        expect(sortedKeys(record)).toEqual(Object.keys(record).sort());
      }),
    );
  });

  it('canonicalJson is JSON with the keys of every object sorted', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });
});

/** Every location of `value` with its path, the root first. */
function locations(value: unknown, at: string[] = []): string[][] {
  const out = [at];
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) out.push(...locations((value as Record<string, unknown>)[key], [...at, key]));
  }
  return out;
}

const pointerPattern = fc.array(fc.constantFrom('*', 'params', 'steps', '0', '1', 'password', 'apiToken', 'name'), { maxLength: 3 }).map((segments) =>
  segments.map((s) => `/${s}`).join(''),
);

describe('secret locations told in one step', () => {
  it('childState, from the root down, says what covers says of every location', () => {
    fc.assert(
      fc.property(json, fc.array(pointerPattern, { maxLength: 3 }), fc.array(pointerPattern, { maxLength: 2 }), (value, sensitive, named) => {
        const secrets = new SecretMatcher(sensitive, named);
        const states = new Map<string, number>([['', secrets.rootState()]]);
        for (const at of locations(value).slice(1)) {
          const parent = states.get(JSON.stringify(at.slice(0, -1)).slice(1, -1)) as number;
          const state = secrets.childState(parent, at);
          states.set(JSON.stringify(at).slice(1, -1), state);
          expect(isCovered(state), JSON.stringify(at)).toBe(secrets.covers(at));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a spec hash masks what a masked copy masks: the same hash as the copy with nothing left to mask', () => {
    fc.assert(
      fc.property(fc.dictionary(keyName, json, { maxKeys: 4 }), fc.array(pointerPattern, { maxLength: 2 }), (desired, named) => {
        const unit = (d: Record<string, unknown>, secretNamedKeys: string[]): ResourceUnit => ({
          address: 'Scenario/P/S',
          kind: 'Scenario',
          doc: doc('Scenario', 'S', d, {}, []),
          desired: d,
          policy: { secretNamedKeys },
          dependsOn: [],
        });
        const secrets = new SecretMatcher([], named);
        // The outermost covered locations below the root, replaced by the mask in a copy.
        const covered = locations(desired)
          .slice(1)
          .filter((at) => secrets.covers(at) && (at.length === 1 || !secrets.covers(at.slice(0, -1))))
          .map((at) => at.map((s) => `/${s.replaceAll('~', '~0').replaceAll('/', '~1')}`).join(''));
        const masked = maskSensitive(desired, covered);
        expect(specHash(unit(desired, named))).toBe(specHash(unit(masked, [])));
      }),
      { numRuns: 300 },
    );
  });
});
