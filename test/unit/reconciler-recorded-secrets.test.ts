// Where an object held a secret when applied: the pointers its ownership record entry keeps, and the plan's mask
// of DSS's value there once the manifests no longer name the secret.

import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/diff-managed.js';
import { SENSITIVE_MASK } from '../../src/diff/types.js';
import { entryOf } from '../../src/reconciler/plan.js';
import { maskRecordedSecrets, MAX_SECRET_POINTERS, secretPointersOf } from '../../src/reconciler/recorded-secrets.js';
import type { ResourceUnit } from '../../src/resources/types.js';
import { doc } from './reconciler-fakes.js';

function unit(spec: Record<string, unknown>, sensitivePaths: string[] = [], secretNamedKeys?: string[]): ResourceUnit {
  const d = doc('Thing', 'T', spec, {}, sensitivePaths);
  const sensitive = sensitivePaths.map((p) => p.slice('/spec'.length));
  return {
    address: 'Thing/T',
    kind: 'Thing',
    doc: d,
    desired: spec,
    policy: { sensitive, ...(secretNamedKeys ? { secretNamedKeys } : {}) },
    dependsOn: [],
  } as unknown as ResourceUnit;
}

describe('secretPointersOf', () => {
  it('lists where the unit writes a secret, not what the kind masks by name anyway', () => {
    const u = unit({ shortDesc: 'x', vars: { dbPassword: 'y', note: 'z' } }, ['/spec/shortDesc', '/spec/vars/dbPassword', '/spec/vars/note'], ['/vars/*']);
    expect(secretPointersOf(u)).toEqual(['/shortDesc', '/vars/note']);
    expect(entryOf(u).sensitive).toEqual(['/shortDesc', '/vars/note']);
  });

  it('keeps a place applied earlier that the unit no longer writes, and forgets one it writes over', () => {
    const u = unit({ shortDesc: 'plain' });
    expect(secretPointersOf(u, ['/shortDesc', '/description'])).toEqual(['/description']);
    expect(entryOf(u)).not.toHaveProperty('sensitive');
  });

  it('is bounded', () => {
    const previous = Array.from({ length: MAX_SECRET_POINTERS + 10 }, (_, i) => `/f${String(i).padStart(3, '0')}`);
    expect(secretPointersOf(unit({}), previous)).toHaveLength(MAX_SECRET_POINTERS);
  });
});

describe('maskRecordedSecrets', () => {
  it("masks DSS's side at a recorded place and below, and keeps the declared side", () => {
    const changes = diffManaged(
      { shortDesc: 'plain', settings: { a: 1 }, other: 'new' },
      { shortDesc: 'the-old-secret', settings: { a: 2, token: 'old-token' }, other: 'old' },
      {},
    );
    const masked = maskRecordedSecrets(changes, ['/shortDesc', '/settings/a']);
    expect(masked.map((c) => [c.pointer, c.before, c.after, c.sensitive])).toEqual([
      ['/other', 'old', 'new', false],
      ['/settings/a', SENSITIVE_MASK, 1, false],
      ['/shortDesc', SENSITIVE_MASK, 'plain', false],
    ]);
    expect(maskRecordedSecrets(changes, undefined)).toBe(changes);
  });

  it('masks inside a value removed whole', () => {
    const changes = diffManaged({ items: {} }, { items: { old: { pem: 'secret-pem', label: 'l' } } }, { exact: ['/items'] });
    const [removed] = maskRecordedSecrets(changes, ['/items/old/pem']);
    expect(removed?.before).toEqual({ pem: SENSITIVE_MASK, label: 'l' });
  });
});
