import { describe, expect, it } from 'vitest';
import type { FieldChange } from '../../src/diff/types.js';
import { driftFingerprint } from '../../src/watch/fingerprint.js';

function change(pointer: string, before: unknown, after: unknown, sensitive = false): FieldChange {
  return { pointer, path: pointer.slice(1).replaceAll('/', '.'), kind: 'modify', before, after, sensitive };
}

describe('driftFingerprint', () => {
  it('is stable across change order and key order', () => {
    const a = [change('/variables/standard', { x: 1, y: 2 }, { x: 1 }), change('/owner', 'alice', 'bob')];
    const b = [change('/owner', 'alice', 'bob'), change('/variables/standard', { y: 2, x: 1 }, { x: 1 })];
    expect(driftFingerprint(a)).toBe(driftFingerprint(b));
  });

  it('changes when a drifted field takes another value or another field drifts', () => {
    const base = driftFingerprint([change('/owner', 'alice', 'bob')]);
    expect(driftFingerprint([change('/owner', 'alice', 'carol')])).not.toBe(base);
    expect(driftFingerprint([change('/owner', 'alice', 'bob'), change('/shortDesc', 'a', 'b')])).not.toBe(base);
  });

  it('is a hash that does not contain the values', () => {
    const fingerprint = driftFingerprint([change('/adminApiKey', 'old-secret-value', 'new-secret-value', true)]);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint).not.toContain('secret');
  });
});
